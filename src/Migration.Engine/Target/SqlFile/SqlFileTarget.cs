using System.Diagnostics;
using System.Globalization;
using System.Text;
using Migration.Engine.Schema;

namespace Migration.Engine.Target.SqlFile;

/// <summary>
/// The writer of <c>.sql</c> files that <c>wrangler d1 execute --file</c> accepts: for each table
/// its CREATE TABLE (the DDL of the other targets, as <c>IF NOT EXISTS</c>: the file does not know
/// whether the database has the table), then multi-row INSERTs whose values are literals from
/// <see cref="SqlQuote.Value"/> (a file cannot bind parameters), each filled up to D1's statement
/// limit (100,000 bytes) or -BatchSize rows, whichever comes first; the secondary indexes last.
/// </summary>
/// <remarks>
/// <para>No BEGIN/COMMIT (D1 refuses them; each file is one import, one transaction). A file
/// that holds rows of a table with foreign keys sets <c>PRAGMA defer_foreign_keys = on</c> first,
/// so the keys are checked when the file commits, not row by row (rows come parents first;
/// references within one file, even cycles, are then fine).</para>
/// <para>A row whose literal form does not fit one statement cannot go into a file at all (D1
/// answers SQLITE_TOOBIG): it is refused as a row error naming table, key and column; -Database
/// loads such a row through bound parameters. The other rows go on. Orphans are not looked
/// for here: D1 checks the foreign keys when it executes the file.</para>
/// <para>One "batch" is one INSERT statement written; the counts are rows written to the files,
/// not yet to any database.</para>
/// </remarks>
public sealed class SqlFileTarget : IRowTarget
{
    const string DeferForeignKeys = "PRAGMA defer_foreign_keys = on";

    readonly SqlFileSet _files;
    readonly Dictionary<string, FileTable> _tables = new(StringComparer.OrdinalIgnoreCase);
    readonly List<FileTable> _order = [];
    readonly List<string> _created = [];
    readonly HashSet<TableSet> _sets = new(ReferenceEqualityComparer.Instance);
    readonly HashSet<string> _refusedTables = new(StringComparer.OrdinalIgnoreCase);
    readonly List<string> _pendingIndexes = [];
    TableSchema? _lastSchema;
    FileTable? _last;
    int _fileWithPragma = -1;
    bool _completed, _disposed;

    internal SqlFileTarget(SqlFileSet files, ImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.DryRun) throw new ArgumentException("A dry run writes no file; do not open a .sql file target for it.", nameof(options));
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "BatchSize must be at least 1.");
        _files = files;
        Options = options;
    }

    public ImportOptions Options { get; }

    /// <summary>The files written so far (all of them after <see cref="Complete"/>), in the order they are to be executed.</summary>
    public IReadOnlyList<string> Files => _files.Files;

    public event Action<BatchResult>? BatchCommitted;
    public event Action<RowError>? RowFailed;
    public event Action<OrphanRow>? OrphanFound { add { } remove { } }
    public event Action<SchemaWarning>? SchemaWarningRaised { add { } remove { } }
    public event Action<string>? Log;

    public IReadOnlyList<string> CreatedTables => _created;

    public void Refuse(IEnumerable<string> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        foreach (var t in tables) _refusedTables.Add(t);
    }

    public void Add(Row row)
    {
        ArgumentNullException.ThrowIfNull(row);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed) throw new InvalidOperationException("The target is complete; no more rows can be added.");
        var schema = row.GetSchema();
        if (!ReferenceEquals(schema, _lastSchema))
        {
            _last?.Flush();
            _last = TableFor(schema);
            _lastSchema = schema;
        }
        _last!.Add(row);
    }

    public IReadOnlyList<TableSummary> Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_completed)
        {
            foreach (var t in _order) t.Flush();
            foreach (var index in _pendingIndexes) Write(index, foreignKeys: false);
            if (_pendingIndexes.Count > 0) Log?.Invoke($"Wrote {_pendingIndexes.Count} CREATE INDEX statement(s) after the rows.");
            _pendingIndexes.Clear();
            _files.Finish();
            Log?.Invoke($"Wrote {_files.Files.Count} .sql file(s): {string.Join(", ", _files.Files.Select(System.IO.Path.GetFileName))}.");
            _completed = true;
        }
        return [.. _order.Select(t => t.Summary())];
    }

    public void Dispose()
    {
        _disposed = true;
        _files.Dispose();
    }

    /// <summary>Writes one statement, in a new file when it would not fit the open one.</summary>
    void Write(string sql, bool foreignKeys)
    {
        var size = SqlFileSet.SizeOf(sql);
        if (_files.NeedsNewFile(size)) _files.StartFile();
        if (foreignKeys && _fileWithPragma != _files.Files.Count)
        {
            _files.Statement(DeferForeignKeys);
            _fileWithPragma = _files.Files.Count;
        }
        _files.Statement(sql);
    }

    FileTable TableFor(TableSchema schema)
    {
        if (schema.Kind != SchemaKind.D1)
            throw new ArgumentException($"Table {schema.Name}: the target takes D1 rows (from ConvertTo-D1Row), not {schema.Kind} rows.", nameof(schema));
        if (_tables.TryGetValue(schema.Name, out var table))
        {
            if (!ReferenceEquals(table.Schema, schema)) table.Rebind(schema);
            return table;
        }
        if (schema.Definition?.Set is { IsLoadOrder: true } set && _sets.Add(set))
        {
            // A whole-database export: every table checked, then all created in load order up front.
            var tables = set.Tables.Where(t => !_refusedTables.Contains(t.Name)).ToList();
            D1Ddl.CheckTables(tables, Options.Limits);
            foreach (var t in tables.Where(t => !_tables.ContainsKey(t.Name))) Create(t);
            if (_tables.TryGetValue(schema.Name, out table))
            {
                if (!ReferenceEquals(table.Schema, schema)) table.Rebind(schema);
                return table;
            }
        }
        TableBinding.CheckD1Limits(schema, Options.Limits);
        return Create(schema);
    }

    FileTable Create(TableSchema schema)
    {
        Write(IfNotExists(D1Ddl.CreateTable(schema), "CREATE TABLE "), foreignKeys: false);
        _created.Add(schema.Name);
        foreach (var index in D1Ddl.CreateIndexes(schema))
            _pendingIndexes.Add(index.Sql.StartsWith("CREATE UNIQUE INDEX ", StringComparison.Ordinal)
                ? IfNotExists(index.Sql, "CREATE UNIQUE INDEX ")
                : IfNotExists(index.Sql, "CREATE INDEX "));
        Log?.Invoke($"Wrote CREATE TABLE IF NOT EXISTS {SqlQuote.Identifier(schema.Name)}.");
        var table = new FileTable(this, schema);
        _tables[schema.Name] = table;
        _order.Add(table);
        return table;
    }

    static string IfNotExists(string sql, string head) =>
        sql.StartsWith(head, StringComparison.Ordinal)
            ? head + "IF NOT EXISTS " + sql[head.Length..]
            : throw new InvalidOperationException($"Expected DDL starting with {head}: {sql[..Math.Min(40, sql.Length)]}");

    /// <summary>One table: its binding (the local target's INSERT text and checks), the statement being filled, and its figures.</summary>
    sealed class FileTable
    {
        readonly SqlFileTarget _target;
        readonly SqliteTableInfo _info;
        readonly StringBuilder _values = new();
        TableBinding _binding = null!;
        LiteralInsert _insert = null!;
        long _fixedBytes, _valueBytes;
        bool _foreignKeys;
        int _rows, _batches, _pendingFailed;
        long _written, _failed, _elapsedTicks, _start;

        public FileTable(SqlFileTarget target, TableSchema schema)
        {
            _target = target;
            _info = SqliteTableInfo.FromSchema(schema);
            Bind(schema);
        }

        public TableSchema Schema => _binding.Schema;

        void Bind(TableSchema schema)
        {
            _binding = TableBinding.Create(schema, _info, _target.Options.OnConflict);
            _insert = new LiteralInsert(_binding);
            _fixedBytes = _insert.FixedBytes;
            _foreignKeys = schema.Definition?.ForeignKeys.Count > 0;
        }

        public void Rebind(TableSchema next)
        {
            Flush();
            Bind(next);
        }

        public void Add(Row row)
        {
            if (_rows == 0) _start = Stopwatch.GetTimestamp();
            var limits = _target.Options.Limits;
            var refused = RowValidator.Check(row, _binding, limits);
            string? tuple = null;
            if (refused is null)
            {
                tuple = _insert.Tuple(row, out refused);
                if (tuple is not null && _fixedBytes + Encoding.UTF8.GetByteCount(tuple) > limits.MaxStatementBytes)
                {
                    refused = TooBig(row, Encoding.UTF8.GetByteCount(tuple) + _fixedBytes, limits.MaxStatementBytes);
                    tuple = null;
                }
            }
            if (tuple is null)
            {
                _pendingFailed++;
                _target.RowFailed?.Invoke(refused!);
                if (_target.Options.StopAtFirstRefusal) throw new RowRefusedException(refused!);
                return;
            }
            var bytes = Encoding.UTF8.GetByteCount(tuple);
            if (_rows > 0 && (_rows >= _target.Options.BatchSize || _fixedBytes + _valueBytes + 2 + bytes > limits.MaxStatementBytes)) Flush();
            if (_rows == 0) _start = Stopwatch.GetTimestamp();
            if (_rows > 0) { _values.Append(", "); _valueBytes += 2; }
            _values.Append(tuple);
            _valueBytes += bytes;
            _rows++;
        }

        RowError TooBig(Row row, long bytes, int limit)
        {
            var values = row.GetValues();
            var largest = 0;
            long largestBytes = -1;
            for (var i = 0; i < values.Length; i++)
            {
                var size = Encoding.UTF8.GetByteCount(SqlQuote.Value(values[i]));
                if (size > largestBytes) { largestBytes = size; largest = i; }
            }
            var reason = $"the row's INSERT with its values as SQL literals is {bytes.ToString(CultureInfo.InvariantCulture)} bytes "
                + $"(this column {largestBytes.ToString(CultureInfo.InvariantCulture)}), over D1's limit of {limit.ToString(CultureInfo.InvariantCulture)} bytes per statement: "
                + "it cannot go into a .sql file (D1 would answer SQLITE_TOOBIG). Import-D1Batch -Database loads it through bound parameters.";
            return new RowError(_binding.Table, row.DescribeKey(), _binding.Schema.Columns[largest].Name, reason, ValueExcerpt.Of(values[largest]));
        }

        /// <summary>Writes the statement being filled (and reports refusals since the last one).</summary>
        public void Flush()
        {
            if (_rows == 0)
            {
                _failed += _pendingFailed;
                _pendingFailed = 0;
                return;
            }
            _target.Write(_insert.Prefix + _values + _insert.Suffix, _foreignKeys);
            var failed = _pendingFailed;
            var rows = _rows;
            _values.Clear();
            _valueBytes = 0;
            _rows = 0;
            _pendingFailed = 0;
            _written += rows;
            _failed += failed;
            _elapsedTicks += Stopwatch.GetTimestamp() - _start;
            _target.BatchCommitted?.Invoke(new BatchResult(_binding.Table, ++_batches, rows, 0, failed, Stopwatch.GetElapsedTime(_start)));
        }

        public TableSummary Summary() => new(_binding.Table, _written, 0, _failed, _batches, Stopwatch.GetElapsedTime(0, _elapsedTicks));
    }
}

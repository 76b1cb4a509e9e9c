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
public sealed class SqlFileTarget : BufferedRowTarget
{
    const string DeferForeignKeys = "PRAGMA defer_foreign_keys = on";

    readonly SqlFileSet _files;
    readonly List<string> _pendingIndexes = [];
    int _fileWithPragma = -1;

    internal SqlFileTarget(SqlFileSet files, ImportOptions options) : base(NotDryRun(options))
    {
        _files = files;
    }

    static ImportOptions NotDryRun(ImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.DryRun ? throw new ArgumentException("A dry run writes no file; do not open a .sql file target for it.", nameof(options)) : options;
    }

    /// <summary>The files written so far (all of them after <see cref="BufferedRowTarget.Complete"/>), in the order they are to be executed.</summary>
    public IReadOnlyList<string> Files => _files.Files;

    private protected override void OpenSet(IReadOnlyList<TableSchema> tables)
    {
        // A whole-database export: all created in load order up front.
        foreach (var t in tables.Where(t => !IsOpen(t.Name))) Open(t);
    }

    private protected override IBufferedTable Open(TableSchema schema)
    {
        Write(IfNotExists(D1Ddl.CreateTable(schema), "CREATE TABLE "), foreignKeys: false);
        Created(schema.Name);
        foreach (var index in D1Ddl.CreateIndexes(schema))
            _pendingIndexes.Add(index.Sql.StartsWith("CREATE UNIQUE INDEX ", StringComparison.Ordinal)
                ? IfNotExists(index.Sql, "CREATE UNIQUE INDEX ")
                : IfNotExists(index.Sql, "CREATE INDEX "));
        RaiseLog($"Wrote CREATE TABLE IF NOT EXISTS {SqlQuote.Identifier(schema.Name)}.");
        return Register(new FileTable(this, schema));
    }

    private protected override void Finish()
    {
        foreach (var index in _pendingIndexes) Write(index, foreignKeys: false);
        if (_pendingIndexes.Count > 0) RaiseLog($"Wrote {_pendingIndexes.Count} CREATE INDEX statement(s) after the rows.");
        _pendingIndexes.Clear();
        _files.Finish();
        RaiseLog($"Wrote {_files.Files.Count} .sql file(s): {string.Join(", ", _files.Files.Select(System.IO.Path.GetFileName))}.");
    }

    private protected override void Close() => _files.Dispose();

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

    static string IfNotExists(string sql, string head) =>
        sql.StartsWith(head, StringComparison.Ordinal)
            ? head + "IF NOT EXISTS " + sql[head.Length..]
            : throw new InvalidOperationException($"Expected DDL starting with {head}: {sql[..Math.Min(40, sql.Length)]}");

    /// <summary>One table: its binding (the local target's INSERT text and checks), the statement being filled, and its figures.</summary>
    sealed class FileTable : IBufferedTable
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
                _target.Refused(refused!);
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
            _target.RaiseBatchCommitted(new BatchResult(_binding.Table, ++_batches, rows, 0, failed, Stopwatch.GetElapsedTime(_start)));
        }

        public TableSummary Summary() => new(_binding.Table, _written, 0, _failed, _batches, Stopwatch.GetElapsedTime(0, _elapsedTicks));
    }
}

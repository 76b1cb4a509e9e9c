using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Migration.Engine.Schema;

namespace Migration.Engine.Target;

/// <summary>
/// A local D1 target: a SQLite file (new or existing), including the state file
/// <c>wrangler d1 execute --local</c> keeps. Buffers rows per table and writes each batch
/// through prepared statements in one transaction, on a background writer thread so that
/// reading and converting the next rows overlaps with writing (see <see cref="BatchPump"/>).
/// </summary>
/// <remarks>
/// The file's journal mode is left as it is (wrangler's state file is WAL, and wrangler sees
/// the rows as soon as a batch commits). Foreign keys are enforced, as D1 always does. Rows
/// still buffered when the target is disposed without <see cref="Complete"/> are not written:
/// a batch is all or nothing, and a stopped pipeline must not leave a partial one behind.
/// Whole batches already handed to the writer are finished. Events are raised on the
/// caller's thread (from <see cref="Add"/> and <see cref="Complete"/>), never on the writer's.
/// </remarks>
public sealed class SqliteTarget : IDisposable
{
    readonly Dictionary<string, TableWriter> _writers = new(StringComparer.OrdinalIgnoreCase); // SQLite names are case-insensitive
    readonly List<TableWriter> _order = [];
    readonly HashSet<string> _existingInFile = new(StringComparer.OrdinalIgnoreCase);
    readonly List<string> _created = [];
    readonly ConcurrentQueue<object> _events = new();
    readonly BatchPump? _pump;
    TableSchema? _lastSchema;
    TableWriter? _lastWriter;
    bool _completed;

    SqliteTarget(string path, ImportOptions options, SqliteConnection? connection, IBatchJournal? journal)
    {
        Path = path;
        Options = options;
        Connection = connection;
        Journal = journal;
        // Two batches queued behind the one being written: enough to keep the writer busy,
        // little enough to keep memory flat. A dry run has nothing to overlap.
        if (connection is not null && !options.DryRun) _pump = new BatchPump(capacity: 2);
    }

    /// <summary>Opens (or, unless a dry run, creates) the file at a full filesystem path.</summary>
    public static SqliteTarget Open(string path, ImportOptions options) => Open(path, options, null);

    /// <summary>
    /// Opens the target with a journal that records each batch inside the batch's own
    /// transaction (not called in a dry run).
    /// </summary>
    public static SqliteTarget Open(string path, ImportOptions options, IBatchJournal? journal)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        if (!System.IO.Path.IsPathFullyQualified(path))
            throw new ArgumentException($"The SQLite target must be a full filesystem path, not \"{path}\".", nameof(path));
        if (options.BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "BatchSize must be at least 1.");
        var directory = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
            throw new DirectoryNotFoundException($"The folder of the SQLite target does not exist: {directory}");

        // A dry run reads an existing file read-only and creates nothing.
        var exists = File.Exists(path);
        var connection = options.DryRun && !exists ? null : OpenConnection(path, readOnly: options.DryRun);
        try
        {
            if (connection is not null)
            {
                using var command = connection.CreateCommand();
                // Reading the schema proves it is a SQLite database now, not at the first batch.
                command.CommandText = options.DryRun
                    ? "SELECT count(*) FROM sqlite_schema"
                    : "PRAGMA foreign_keys = ON; SELECT count(*) FROM sqlite_schema";
                command.ExecuteScalar();
            }
            return new SqliteTarget(path, options, connection, journal);
        }
        catch
        {
            connection?.Dispose();
            throw;
        }
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>Raised after each batch commits.</summary>
    public event Action<BatchResult>? BatchCommitted;

    /// <summary>Raised for each row that was refused; the run goes on.</summary>
    public event Action<RowError>? RowFailed;

    /// <summary>The tables this target created (in a dry run: would create), in the order it met them.</summary>
    public IReadOnlyList<string> CreatedTables => _created;

    internal ImportOptions Options { get; }

    /// <summary>Null in a dry run of a file that does not exist; read-only in any other dry run.</summary>
    internal SqliteConnection? Connection { get; }

    internal IBatchJournal? Journal { get; }

    /// <summary>Adds one D1 row; creates its table on first sight when missing; writes a batch when one is full.</summary>
    /// <exception cref="TargetSchemaException">The row's table is refused as a whole (limits, reserved name, missing columns, Upsert without a key).</exception>
    public void Add(Row row)
    {
        ArgumentNullException.ThrowIfNull(row);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed) throw new InvalidOperationException("The target is complete; no more rows can be added.");
        ThrowIfFaulted();
        try
        {
            var schema = row.GetSchema();
            if (!ReferenceEquals(schema, _lastSchema))
            {
                // Batches are written in the order their rows arrived: the rows of the table
                // that came before are written before any row of the next one. Otherwise a
                // parent table smaller than one batch would still be buffered when its
                // children's first batch meets D1's always-enforced foreign keys.
                _lastWriter?.Flush();
                _lastWriter = WriterFor(schema);
                _lastSchema = schema;
            }
            _lastWriter!.Add(row);
        }
        catch (Exception ex) when (ex is not (TargetSchemaException or ArgumentException))
        {
            _faulted = true;
            throw;
        }
        DrainEvents();
    }

    /// <summary>Writes what is buffered and returns one summary per table.</summary>
    public IReadOnlyList<TableSummary> Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ThrowIfFaulted();
        if (!_completed)
        {
            try
            {
                foreach (var writer in _order) writer.Flush();
                WaitIdle();
            }
            catch
            {
                _faulted = true;
                throw;
            }
            _completed = true;
        }
        return [.. _order.Select(w => w.Summary())];
    }

    bool _disposed;

    /// <summary>
    /// After a batch failed as a whole (I/O, the journal, an event handler), its rows were rolled
    /// back and are still buffered: the target takes nothing more rather than guess what to resend.
    /// </summary>
    bool _faulted;

    void ThrowIfFaulted()
    {
        if (_faulted) throw new InvalidOperationException($"A batch written to {Path} failed and was rolled back; this target accepts no more rows.");
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _pump?.Dispose();
        foreach (var writer in _order) writer.Dispose();
        Connection?.Dispose();
    }

    internal void Raise(BatchResult b) => _events.Enqueue(b);
    internal void Raise(RowError e) => _events.Enqueue(e);

    /// <summary>Runs work that uses the connection: on the writer thread when there is one, else now.</summary>
    internal void Run(Action work)
    {
        if (_pump is null) { work(); return; }
        try { _pump.Submit(work); }
        catch { _faulted = true; throw; }
    }

    /// <summary>Waits until the writer has finished what it was given (before the caller uses the connection itself).</summary>
    internal void WaitIdle()
    {
        try { _pump?.WaitIdle(); }
        catch { _faulted = true; throw; }
        finally { DrainEvents(); }
    }

    void DrainEvents()
    {
        while (_events.TryDequeue(out var e))
        {
            if (e is BatchResult b) BatchCommitted?.Invoke(b);
            else RowFailed?.Invoke((RowError)e);
        }
    }

    /// <summary>Whether the table is in the file itself (a dry run's would-create tables are not).</summary>
    internal bool ExistsInFile(string table) => _existingInFile.Contains(table);

    internal static SqliteConnection OpenConnection(string path, bool readOnly)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            // Without pooling the file is released on Dispose (tests delete it; wrangler opens it next).
            Pooling = false,
        };
        var connection = new SqliteConnection(builder.ConnectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    TableWriter WriterFor(TableSchema schema)
    {
        if (schema.Kind != SchemaKind.D1)
            throw new ArgumentException($"Table {schema.Name}: the target takes D1 rows (from ConvertTo-D1Row), not {schema.Kind} rows.", nameof(schema));
        if (_writers.TryGetValue(schema.Name, out var writer))
        {
            if (!ReferenceEquals(writer.Schema, schema)) writer.Rebind(schema);
            return writer;
        }

        TableBinding.CheckD1Limits(schema, Options.Limits);
        WaitIdle(); // reading and creating tables use the connection the writer uses
        var table = Connection is null ? null : SqliteTableInfo.Read(Connection, schema.Name);
        if (table is not null)
            _existingInFile.Add(table.Name);
        else
        {
            // Everything the binding refuses (e.g. Upsert without a key) is refused before the table exists.
            TableBinding.Create(schema, SqliteTableInfo.FromSchema(schema), Options.OnConflict);
            if (!Options.DryRun)
            {
                using var create = Connection!.CreateCommand();
                create.CommandText = SqliteSql.CreateTable(schema);
                create.ExecuteNonQuery();
                table = SqliteTableInfo.Read(Connection, schema.Name)
                    ?? throw new InvalidOperationException($"Table {schema.Name} was created but cannot be read back.");
                _existingInFile.Add(table.Name);
            }
            else
                table = SqliteTableInfo.FromSchema(schema);
            _created.Add(table.Name);
        }

        writer = new TableWriter(this, table, schema);
        _writers.Add(table.Name, writer);
        _order.Add(writer);
        return writer;
    }
}

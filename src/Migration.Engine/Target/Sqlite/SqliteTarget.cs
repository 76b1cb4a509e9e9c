using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Migration.Engine.Schema;

namespace Migration.Engine.Target.Sqlite;

/// <summary>
/// A local D1 target: a SQLite file (new or existing), including the state file
/// <c>wrangler d1 execute --local</c> keeps. Writes each batch through prepared statements in
/// one transaction, on a background writer thread so that reading and converting the next rows
/// overlaps with writing (see <see cref="BatchPump"/>); rows go to that thread in small chunks
/// and into the batch's open transaction as they come (see <see cref="TableWriter"/>).
/// </summary>
/// <remarks>
/// The file's journal mode is left as it is (wrangler's state file is WAL, and wrangler sees
/// the rows as soon as a batch commits). Foreign keys are enforced, as D1 always does. A batch
/// still open when the target is disposed without <see cref="Complete"/> is rolled back: a
/// batch is all or nothing, and a stopped pipeline must not leave a partial one behind.
/// Batches whose last row was already handed to the writer are finished. Events are raised on the
/// caller's thread (from <see cref="Add"/> and <see cref="Complete"/>), never on the writer's.
/// </remarks>
public sealed class SqliteTarget : IRowTarget
{
    readonly Dictionary<string, TableWriter> _writers = new(StringComparer.OrdinalIgnoreCase); // SQLite names are case-insensitive
    readonly List<TableWriter> _order = [];
    readonly HashSet<string> _existingInFile = new(StringComparer.OrdinalIgnoreCase);
    readonly List<string> _created = [];
    readonly List<D1SchemaStatement> _pendingIndexes = [];
    readonly HashSet<TableSet> _sets = new(ReferenceEqualityComparer.Instance);
    /// <summary>D1 table name -> its position in the load order of its set (tables created up front).</summary>
    readonly Dictionary<string, int> _loadPosition = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>D1 tables refused up front (see <see cref="Refuse"/>): never created; a key naming one makes its rows orphans.</summary>
    readonly HashSet<string> _refused = new(StringComparer.OrdinalIgnoreCase);
    bool _analyze;
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
        // A few chunks of rows (two when a chunk is a whole batch) queued behind the one being
        // written: enough to keep the writer busy, few enough that memory stays flat and rows
        // die young (see TableWriter.ChunkRows). A dry run has nothing to overlap.
        if (connection is not null && !options.DryRun)
            _pump = new BatchPump(capacity: TableWriter.ChunkRows(options.BatchSize) < options.BatchSize ? 4 : 2);
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

    /// <summary>Raised for each row whose parent row is missing, with what <see cref="ImportOptions.OrphanPolicy"/> did.</summary>
    public event Action<OrphanRow>? OrphanFound;

    /// <summary>Raised for what the target itself leaves out of a table's definition (a foreign key to a table that is not there).</summary>
    public event Action<SchemaWarning>? SchemaWarningRaised;

    /// <summary>How the load goes about things worth a verbose line (cyclic foreign keys, deferred indexes, ANALYZE).</summary>
    public event Action<string>? Log;

    /// <summary>
    /// Tables the caller's preflight refused (D1 names): they are not created, their rows must
    /// not be added, and a foreign key naming one is not created while each row with a value
    /// there is an orphan under <see cref="ImportOptions.OrphanPolicy"/>. Called before the first
    /// row of their set.
    /// </summary>
    public void Refuse(IEnumerable<string> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        foreach (var t in tables) _refused.Add(t);
    }

    /// <summary>The tables this target created (in a dry run: would create), in the order it met them.</summary>
    public IReadOnlyList<string> CreatedTables => _created;

    internal ImportOptions Options { get; }

    /// <summary>Null in a dry run of a file that does not exist; read-only in any other dry run.</summary>
    internal SqliteConnection? Connection { get; }

    internal IBatchJournal? Journal { get; }

    /// <summary>The journaled run writing through this target (set by <see cref="Journal.MigrationRun.OpenTarget"/>): deferred foreign-key values are journaled under it.</summary>
    internal long? RunId { get; set; }

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
            Fault(ex);
            DrainEvents(); // a refused row's event comes before the exception that stops the load
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
                // The writer is idle: the end-of-load steps use the connection from here.
                foreach (var writer in _order) writer.ApplyDeferred();
                ThrowIfDeferredKeysLeft();
                if (!Options.DryRun) CreateIndexesAndAnalyze();
                DrainEvents();
            }
            catch (Exception ex)
            {
                Fault(ex);
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
        if (_faulted) throw (Exception?)_stoppedBy ?? new InvalidOperationException($"A batch written to {Path} failed and was rolled back; this target accepts no more rows.");
    }

    /// <summary>The refusal that stopped the load (StopAtFirstRefusal): thrown again to every later call.</summary>
    RowRefusedException? _stoppedBy;

    void Fault(Exception ex)
    {
        _faulted = true;
        _stoppedBy ??= ex as RowRefusedException;
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
    internal void Raise(OrphanRow o) => _events.Enqueue(o);
    internal void RaiseLog(string message) => _events.Enqueue(new LogLine(message));

    sealed record LogLine(string Text);

    /// <summary>Hands the buffered rows of these tables to the writer (the parents of a table about to write a batch).</summary>
    internal void FlushTables(IReadOnlyList<string> tables)
    {
        foreach (var t in tables)
            if (_writers.TryGetValue(t, out var writer)) writer.Flush();
    }

    /// <summary>
    /// Secondary indexes are built once the rows are in (one sorted build instead of an update
    /// per row), then ANALYZE gives SQLite's planner the statistics D1 queries will use.
    /// </summary>
    void CreateIndexesAndAnalyze()
    {
        // The load is over and the reading side is idle: SQLite's sorter may use helper threads
        // for the index builds (measured 0.8 s -> 0.6 s for the bench's 1M-row index).
        if (_pendingIndexes.Count > 0)
        {
            SetSorterThreads(Math.Clamp(Environment.ProcessorCount, 1, 4));
            try { CreatePendingIndexes(); }
            finally { SetSorterThreads(0); } // SQLite's default: the connection may serve a caller next
        }
        if (!_analyze) return;
        using var analyze = Connection!.CreateCommand();
        analyze.CommandText = "ANALYZE";
        analyze.ExecuteNonQuery();
        RaiseLog("ANALYZE: planner statistics gathered.");
        _analyze = false;
    }

    void SetSorterThreads(int threads)
    {
        using var pragma = Connection!.CreateCommand();
        pragma.CommandText = "PRAGMA threads = " + threads.ToString(System.Globalization.CultureInfo.InvariantCulture);
        pragma.ExecuteNonQuery();
    }

    void CreatePendingIndexes()
    {
        foreach (var index in _pendingIndexes)
        {
            try
            {
                using var create = Connection!.CreateCommand();
                create.CommandText = index.Sql;
                create.ExecuteNonQuery();
                RaiseLog($"{index.Table}: index {index.Name} created after the data.");
            }
            catch (SqliteException ex)
            {
                // The data is in; the index alone failed (e.g. a unique index the rows break): reported, the others go on.
                Raise(new RowError(index.Table, "(index)", null, $"creating index {index.Name} failed: {ex.Message} ({index.Sql})", ""));
            }
        }
        _pendingIndexes.Clear();
    }

    /// <summary>Runs work that uses the connection: on the writer thread when there is one, else now.</summary>
    internal void Run(Action work)
    {
        if (_pump is null) { work(); return; }
        try { _pump.Submit(work); }
        catch (Exception ex) { Fault(ex); throw; }
    }

    /// <summary>Waits until the writer has finished what it was given (before the caller uses the connection itself).</summary>
    internal void WaitIdle()
    {
        try { _pump?.WaitIdle(); }
        catch (Exception ex) { Fault(ex); throw; }
        finally { DrainEvents(); }
    }

    void DrainEvents()
    {
        while (_events.TryDequeue(out var e))
        {
            switch (e)
            {
                case BatchResult b: BatchCommitted?.Invoke(b); break;
                case RowError r: RowFailed?.Invoke(r); break;
                case OrphanRow o: OrphanFound?.Invoke(o); break;
                case LogLine l: Log?.Invoke(l.Text); break;
                case SchemaWarning w: SchemaWarningRaised?.Invoke(w); break;
            }
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

        WaitIdle(); // reading and creating tables use the connection the writer uses
        if (schema.Definition?.Set is { IsLoadOrder: true } set && _sets.Add(set))
        {
            CreateSet(set);
            if (_writers.TryGetValue(schema.Name, out writer))
            {
                if (!ReferenceEquals(writer.Schema, schema)) writer.Rebind(schema);
                return writer;
            }
        }
        return CreateWriter(schema);
    }

    /// <summary>
    /// The first row of a whole-database export: every table of it is checked against D1's
    /// limits (and its foreign keys for loadability) before anything is written, then each is
    /// created (with a writer, so empty tables exist and are reported too) in load order.
    /// </summary>
    void CreateSet(TableSet set)
    {
        var tables = set.Tables.Where(t => !_refused.Contains(t.Name)).ToList();
        D1Ddl.CheckTables(tables, Options.Limits);
        for (var i = 0; i < tables.Count; i++) _loadPosition.TryAdd(tables[i].Name, i);
        if (!Options.DryRun)
        {
            for (var i = 0; i < tables.Count; i++)
            {
                var position = i;
                ForeignKeyGuard.For(null, tables[i], tables[i].Name, Options.OrphanPolicy,
                    parent => _loadPosition.TryGetValue(parent, out var pp) ? pp < position : SqliteTableInfo.Read(Connection!, parent) is not null,
                    parent => _loadPosition.TryGetValue(parent, out var pp) && pp > position, _ => { }, _refused.Contains)?.Dispose();
            }
            // Every table first, then the writers: an INSERT is prepared against every table its foreign keys name.
            foreach (var t in tables)
                if (!_writers.ContainsKey(t.Name) && SqliteTableInfo.Read(Connection!, t.Name) is null)
                {
                    CreateTable(WithoutRefusedParents(t));
                    _created.Add(t.Name);
                }
        }
        foreach (var t in tables)
            if (!_writers.ContainsKey(t.Name)) CreateWriter(t);
    }

    /// <summary>
    /// A table loaded on its own (not as part of a whole-database set) may name a parent that is
    /// neither in the file nor coming: SQLite could not even prepare an INSERT into it with that
    /// key, so the key is not created, and a warning says which and why.
    /// </summary>
    TableSchema WithoutAbsentParents(TableSchema schema)
    {
        var d = schema.Definition;
        if (d is null || d.ForeignKeys.Count == 0) return schema;
        var absent = d.ForeignKeys.Where(fk => !string.Equals(fk.ParentTable, schema.Name, StringComparison.OrdinalIgnoreCase)
            && !_loadPosition.ContainsKey(fk.ParentTable) && SqliteTableInfo.Read(Connection!, fk.ParentTable) is null).ToList();
        if (absent.Count == 0) return schema;
        var warnings = absent.Select(fk => new SchemaWarning(schema.Name, "ForeignKey", fk.Name,
            $"not created: the parent table {fk.ParentTable} is neither in {System.IO.Path.GetFileName(Path)} nor part of this import (load it first, or export the tables together with -All).")).ToList();
        foreach (var w in warnings) _events.Enqueue(w);
        return new TableSchema(schema.Kind, schema.SourceSchema, schema.SourceTable, schema.Name, schema.Columns, schema.PrimaryKey, schema.Source)
        {
            Definition = d.With([.. d.ForeignKeys.Except(absent)], warnings),
        };
    }

    /// <summary>
    /// A table whose foreign key names a refused table: that key is not created (SQLite could not
    /// prepare an INSERT with it); the guard treats each value there as an orphan instead.
    /// </summary>
    TableSchema WithoutRefusedParents(TableSchema schema)
    {
        var d = schema.Definition;
        if (d is null || _refused.Count == 0) return schema;
        var gone = d.ForeignKeys.Where(fk => !string.Equals(fk.ParentTable, schema.Name, StringComparison.OrdinalIgnoreCase) && _refused.Contains(fk.ParentTable)).ToList();
        if (gone.Count == 0) return schema;
        return new TableSchema(schema.Kind, schema.SourceSchema, schema.SourceTable, schema.Name, schema.Columns, schema.PrimaryKey, schema.Source)
        {
            Definition = d.With([.. d.ForeignKeys.Except(gone)], []),
        };
    }

    /// <summary>CREATE TABLE from the schema; with a full definition, keys, UNIQUE, CHECK and foreign keys now, indexes at Complete.</summary>
    void CreateTable(TableSchema schema)
    {
        using var create = Connection!.CreateCommand();
        create.CommandText = D1Ddl.CreateTable(schema);
        create.ExecuteNonQuery();
        if (schema.Definition is null) return;
        _pendingIndexes.AddRange(D1Ddl.CreateIndexes(schema));
        _analyze = true;
        RaiseLog($"{schema.Name}: created from the source's definition ({schema.Definition.Uniques.Count} unique, {schema.Definition.Checks.Count} check, {schema.Definition.ForeignKeys.Count} foreign key constraints; {schema.Definition.Indexes.Count} indexes after the data).");
    }

    /// <summary>
    /// A resumed run that received no row of a table whose deferred keys an earlier attempt
    /// journaled has no plan to fill them in with: it stops loudly rather than complete with
    /// those keys NULL.
    /// </summary>
    void ThrowIfDeferredKeysLeft()
    {
        if (RunId is not { } runId || Options.DryRun) return;
        var left = ForeignKeyGuard.Unapplied(Connection!, runId);
        if (left.Count == 0) return;
        throw new InvalidOperationException(string.Join("; ", left.Select(l =>
            $"Table {l.Table}: {l.Rows} rows were written by an earlier attempt of run {runId} with foreign keys to fill in at the end (a cycle or self-reference), and this attempt received no row of {l.Table} to fill them in with"))
            + ". Their keys stay NULL: undo the run (Undo-Migration) and load again.");
    }

    TableWriter CreateWriter(TableSchema schema)
    {
        TableBinding.CheckD1Limits(schema, Options.Limits);
        var table = Connection is null ? null : SqliteTableInfo.Read(Connection, schema.Name);
        // Decided before the table is created: a foreign key that cannot be loaded fails the table before any write.
        var position = _loadPosition.TryGetValue(schema.Name, out var p) ? p : int.MaxValue;
        var ddl = table is null && !Options.DryRun ? WithoutAbsentParents(WithoutRefusedParents(schema)) : schema;
        var guard = Options.DryRun || schema.Definition is null ? null
            : ForeignKeyGuard.For(Connection!, schema, table?.Name ?? schema.Name, Options.OrphanPolicy,
                parent => _loadPosition.TryGetValue(parent, out var pp) ? pp < position : SqliteTableInfo.Read(Connection!, parent) is not null,
                parent => _loadPosition.TryGetValue(parent, out var pp) && pp > position,
                RaiseLog, _refused.Contains);
        try
        {
            if (table is not null)
                _existingInFile.Add(table.Name); // (tables of a set were created just before, by CreateSet)
            else
            {
                // Everything the binding refuses (e.g. Upsert without a key) is refused before the table exists.
                TableBinding.Create(schema, SqliteTableInfo.FromSchema(schema), Options.OnConflict);
                if (!Options.DryRun)
                {
                    CreateTable(ddl);
                    table = SqliteTableInfo.Read(Connection!, schema.Name)
                        ?? throw new InvalidOperationException($"Table {schema.Name} was created but cannot be read back.");
                    _existingInFile.Add(table.Name);
                }
                else
                    table = SqliteTableInfo.FromSchema(schema);
                _created.Add(table.Name);
            }
        }
        catch
        {
            guard?.Dispose();
            throw;
        }

        if (guard is not null && RunId is { } runId) guard.JournalIn(runId, table.Name);
        var writer = new TableWriter(this, table, schema) { Guard = guard };
        _writers.Add(table.Name, writer);
        _order.Add(writer);
        return writer;
    }
}

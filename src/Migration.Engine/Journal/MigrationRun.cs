using System.Text.Json;
using Microsoft.Data.Sqlite;
using Migration.Engine.Integrity;
using Migration.Engine.Schema;
using Migration.Engine.Target;
using Migration.Engine.Target.Sqlite;

namespace Migration.Engine.Journal;

/// <summary>
/// One run being written into a target, started or resumed by <see cref="MigrationJournal.Start"/>.
/// It is the target's <see cref="IBatchJournal"/>: each batch's journal row, its table's
/// checkpoint and the quarantine entries that belong to it commit in the batch's own
/// transaction, so after any crash the journal says exactly which rows are in the target.
/// </summary>
/// <remarks>
/// Tables the run creates cost nothing extra per row (undoing the run drops them), nor do tables
/// that existed but were empty (undoing the run empties them, once the table's content hash
/// equals the run's running checksum for it, i.e. it holds exactly the rows the run wrote).
/// Tables that held rows before the run get temporary triggers on the target's connection that
/// log each insert, and a lossless before-image of each row the run deletes (REPLACE) or updates
/// (Upsert), so the run can be undone exactly.
/// </remarks>
public sealed class MigrationRun : IBatchJournal, IJournaledRun
{
    readonly HashSet<string> _tablesBefore;
    readonly HashSet<string> _emptyBefore;
    readonly Dictionary<string, TableState> _tables = new(StringComparer.OrdinalIgnoreCase);
    readonly List<Pending> _pending = [];
    readonly HashSet<Row> _refused = new(ReferenceEqualityComparer.Instance);

    /// <summary>Row hashes of batches queued for the writer, by their first row (see <see cref="IBatchJournal.PrepareBatch"/>).</summary>
    readonly Dictionary<Row, UInt128[]> _prepared = new(ReferenceEqualityComparer.Instance);

    /// <summary>The caller thread's hashers (RowHasher reuses buffers, so the writer has its own).</summary>
    readonly Dictionary<TableSchema, RowHasher> _callerHashers = new(ReferenceEqualityComparer.Instance);
    readonly HashSet<RowError> _recordedInBatch = new(ReferenceEqualityComparer.Instance);
    readonly Dictionary<string, object?[]> _checkpoints = new(StringComparer.OrdinalIgnoreCase);
    IRowTarget? _target;
    ResumeFilter? _resume;
    long _skippedByTarget;

    /// <summary>A connection of the run's own to the journal (to finish the run when no target holds one).</summary>
    readonly Func<IJournalConnection> _reopen;
    long _quarantined;

    /// <summary>What earlier attempts recorded per table (batches, checksum columns, checksum), read when the run started.</summary>
    readonly Dictionary<string, JournalStore.TableRecord> _recorded;

    /// <summary>Tables that existed before the run and are WITHOUT ROWID (no undo log can be kept for them).</summary>
    readonly HashSet<string> _withoutRowid;

    internal MigrationRun(string path, Func<IJournalConnection> reopen, long runId, bool resumed, RunStatus statusAtStart, int attempts, IEnumerable<string> tablesBefore,
        IEnumerable<string> emptyBefore, Dictionary<string, object?[]> checkpoints, Dictionary<string, JournalStore.TableRecord> recorded, IEnumerable<string> withoutRowid)
    {
        _recorded = recorded;
        _reopen = reopen;
        _withoutRowid = new HashSet<string>(withoutRowid, StringComparer.OrdinalIgnoreCase);
        Path = path;
        RunId = runId;
        IsResumed = resumed;
        StatusAtStart = statusAtStart;
        Attempts = attempts;
        _tablesBefore = new HashSet<string>(tablesBefore, StringComparer.OrdinalIgnoreCase);
        _emptyBefore = new HashSet<string>(emptyBefore, StringComparer.OrdinalIgnoreCase);
        _checkpoints = checkpoints;
    }

    public string Path { get; }
    public long RunId { get; }

    /// <summary>True when this continues an earlier, unfinished attempt of the same run.</summary>
    public bool IsResumed { get; }

    /// <summary>The run's status when it was started or resumed (Completed: there is nothing left to do).</summary>
    public RunStatus StatusAtStart { get; }

    /// <summary>How many times the run was started (1 + resumes).</summary>
    public int Attempts { get; }

    /// <summary>Rows quarantined by this attempt.</summary>
    public long Quarantined => Interlocked.Read(ref _quarantined);

    /// <summary>Rows a resumed run did not write again because an earlier attempt had committed them.</summary>
    public long RowsAlreadyWritten => (_resume?.Skipped ?? 0) + Interlocked.Read(ref _skippedByTarget);

    /// <summary>
    /// On a resumed run: the tables without a key that the run had written to. They have no
    /// checkpoint, so the run's earlier rows there were taken out and they are written again
    /// from their start (the source must send them whole).
    /// </summary>
    public IReadOnlyList<string> RestartedTables { get; init; } = [];

    /// <summary>
    /// Opens the run's target: a <see cref="SqliteTarget"/> journaled by this run, with the undo
    /// log armed on every table that held rows before the run. Rows the target refuses are
    /// quarantined with the batch they belong to. One target per run attempt.
    /// </summary>
    /// <param name="options">How rows are written; not a dry run (a dry run has no journal).</param>
    /// <param name="observe">Optional: wraps this journal to watch each batch inside its
    /// transaction (the CLI's fault injection uses it); the wrapper must call the inner journal.</param>
    public SqliteTarget OpenTarget(ImportOptions options, Func<IBatchJournal, IBatchJournal>? observe = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (_target is not null) throw new InvalidOperationException("This run already has a target.");
        if (options.DryRun) throw new ArgumentException("A dry run writes nothing and has no journal: open the target without a run.", nameof(options));
        var target = SqliteTarget.Open(Path, options, observe is null ? this : observe(this));
        try
        {
            new LocalUndoLog(Path).Arm(target, RunId, TablesWithRowsBefore);
            target.RunId = RunId;
            // Its own connection: the target's is busy on the writer thread.
            if (IsResumed) _resume = new ResumeFilter(this, Path);
        }
        catch
        {
            target.Dispose();
            throw;
        }
        Attach(target);
        return target;
    }

    /// <summary>
    /// Makes <paramref name="target"/> this run's writer: rows it refuses before any write are
    /// quarantined, and the tables it created are registered when the run ends. A target that is
    /// not the local file (a remote D1) journals through this run as its <see cref="IBatchJournal"/>
    /// and tells rows an earlier attempt committed from new ones itself (<see cref="CountAlreadyWritten"/>).
    /// </summary>
    internal void Attach(IRowTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (_target is not null) throw new InvalidOperationException("This run already has a target.");
        target.RowFailed += OnRowFailed;
        _target = target;
    }

    /// <summary>Rows a target found already committed by an earlier attempt of this run (and did not write again).</summary>
    internal void CountAlreadyWritten(long rows) => Interlocked.Add(ref _skippedByTarget, rows);

    /// <summary>
    /// What this run keeps in memory between batches (tables met, running checksums, quarantine
    /// entries not yet written), saved before a batch whose request may fail as a whole: the
    /// returned action puts it back, so the batch can be journaled again (a remote D1 that
    /// refused a row in it, before the batch is sent without that row).
    /// </summary>
    internal Action Snapshot()
    {
        var tables = _tables.ToDictionary(t => t.Key, t => (State: t.Value, Saved: t.Value.Save()), StringComparer.OrdinalIgnoreCase);
        List<Pending> pending;
        lock (_pending) pending = [.. _pending];
        return () =>
        {
            _tables.Clear();
            foreach (var (name, (state, saved)) in tables)
            {
                state.Restore(saved);
                _tables[name] = state;
            }
            lock (_pending)
            {
                // Entries queued since the snapshot (a row refused while a remote chunk was in flight) stay.
                var saved = new HashSet<Pending>(pending, ReferenceEqualityComparer.Instance);
                var since = _pending.Where(p => !saved.Contains(p)).ToList();
                _pending.Clear();
                _pending.AddRange(pending);
                _pending.AddRange(since);
            }
            _refused.Clear();
        };
    }

    /// <summary>What earlier attempts of this run recorded for a table: its batches so far (0 when none).</summary>
    internal int RecordedBatches(string table) => _recorded.GetValueOrDefault(table)?.Batches ?? 0;

    /// <summary>
    /// The key of the last row this run committed into a table (D1 values, in key order), for a
    /// keyset export that starts after it; null when the run wrote nothing there yet or the
    /// table has no key.
    /// </summary>
    public IReadOnlyList<object?>? ResumeKey(string table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return _checkpoints.TryGetValue(table, out var key) ? key : null;
    }

    /// <summary>
    /// On a resumed run: whether an earlier attempt already committed this row (its key is in
    /// a table the run created, or is a row this run wrote into an existing table). Such rows
    /// are not written again. Always false on a new run.
    /// </summary>
    public bool IsAlreadyWritten(Row row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return _resume is not null && _resume.IsAlreadyWritten(row);
    }

    /// <summary>
    /// Records a row the run could not convert or write. It is written with the next batch of
    /// its table (or when the run completes), so the quarantine never runs ahead of the data.
    /// </summary>
    public void Quarantine(string table, string key, string? column, string reason, string valueExcerpt, QuarantineStage stage)
    {
        lock (_pending) _pending.Add(new Pending(table, key, column, stage, reason, valueExcerpt, JournalClock.Now()));
        Interlocked.Increment(ref _quarantined);
    }

    /// <summary>The D1 journal's quarantine names the target table only.</summary>
    void IJournaledRun.Quarantine(string table, string? sourceTable, string key, string? column, string reason, string valueExcerpt, QuarantineStage stage) =>
        Quarantine(table, key, column, reason, valueExcerpt, stage);

    /// <summary>Writes what is left (quarantine, created tables, totals) and marks the run Completed.</summary>
    public void Complete() => Finish(RunStatus.Completed, null);

    /// <summary>Marks the run completed with refused tables; <paramref name="message"/> names them and their rows not written.</summary>
    public void CompleteWithRefusedTables(string message) => Finish(RunStatus.CompletedWithRefusedTables, message);

    /// <summary>Marks the run Failed with a reason; what was committed stays and the run can be resumed.</summary>
    public void Fail(string message) => Finish(RunStatus.Failed, message);

    /// <summary>Times the finishing write is sent when its answer is lost and the read-back shows it did not land.</summary>
    const int FinishAttempts = 3;

    void Finish(RunStatus status, string? message)
    {
        // The local target's own connection while it is open (no second writer on the file); else one of the run's own.
        using var journal = _target is SqliteTarget { Connection: { State: System.Data.ConnectionState.Open } open }
            ? new SqliteJournalConnection(open, Path)
            : _reopen();
        // The same statements on every attempt: the quarantine still pending is taken once, and
        // the finishing time marks this write, so reading it back tells whether it landed.
        var now = JournalClock.Now();
        List<Pending> due;
        lock (_pending) due = [.. _pending];
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                journal.Write(statements =>
                {
                    if (_target is not null)
                        foreach (var created in _target.CreatedTables) TableStateFor(statements, created, null);
                    foreach (var e in due) JournalStore.Quarantine(statements, RunId, e.Table, e.Key, e.Column, e.Stage, e.Reason, e.ValueExcerpt, e.At);
                    JournalStore.FinishRun(statements, RunId, status, message, now);
                });
                break;
            }
            // A remote journal lost the answer (5xx, timeout, reset): the run's row says whether the
            // write committed (it is one transaction); sent again only when it did not.
            catch (Cloudflare.AmbiguousWriteException) when (attempt < FinishAttempts)
            {
                if (JournalStore.Finished(journal, RunId, status, now)) break;
            }
            catch (Cloudflare.AmbiguousWriteException) when (JournalStore.Finished(journal, RunId, status, now))
            {
                break;
            }
        }
        lock (_pending) _pending.RemoveAll(due.Contains);
    }

    /// <summary>Hashes a batch's rows on the caller's thread, beside the writer; RecordBatch sums those SQLite took.</summary>
    void IBatchJournal.PrepareBatch(IReadOnlyList<Row> rows)
    {
        if (rows.Count == 0) return;
        var schema = rows[0].GetSchema();
        var hasher = CallerHasher(schema);
        var hashes = new UInt128[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            // A batch holds rows of one schema; a stray one is left to RecordBatch to hash itself.
            if (!ReferenceEquals(rows[i].GetSchema(), schema)) return;
            hashes[i] = hasher.Hash(rows[i].GetValues()).Row;
        }
        lock (_prepared) _prepared[rows[0]] = hashes;
    }

    void IBatchJournal.RecordBatch(IBatchStatements statements, BatchResult batch, IReadOnlyList<Row> rows)
    {
        var schema = rows.Count > 0 ? rows[0].GetSchema() : null;
        var state = TableStateFor(statements, batch.Table, schema);
        RefuseWithoutRowid(state, batch.Table);

        // The checksum covers the rows SQLite took (written, or left as they were by Ignore), not those it refused.
        var sum = UInt128.Zero;
        UInt128[]? prepared;
        lock (_prepared)
            if (_prepared.Remove(rows[0], out prepared) && prepared.Length != rows.Count) prepared = null;
        var hasher = prepared is null ? state.Hasher(schema!) : null;
        for (var i = 0; i < rows.Count; i++)
            if (_refused.Count == 0 || !_refused.Contains(rows[i]))
                sum += prepared is not null ? prepared[i] : hasher!.Hash(rows[i].GetValues()).Row;
        Record(statements, batch, state, rows[0], rows[^1], sum);
    }

    void IBatchJournal.RecordBatch(IBatchStatements statements, BatchResult batch, BatchDigest digest)
    {
        var state = TableStateFor(statements, batch.Table, digest.First.GetSchema());
        RefuseWithoutRowid(state, batch.Table);
        // The target summed the hashes of the rows SQLite took; those it refused were reported through RowRefused.
        Record(statements, batch, state, digest.First, digest.Last, digest.Checksum);
    }

    /// <summary>Caller's thread: one row's checksum hash (the same as <see cref="IBatchJournal.PrepareBatch"/> computes).</summary>
    UInt128 IBatchJournal.Hash(Row row) => CallerHasher(row.GetSchema()).Hash(row.GetValues()).Row;

    TableSchema? _lastHashedSchema;
    RowHasher? _lastHasher;

    /// <summary>The caller thread's hasher of a schema (the last one looked up is kept: rows come table by table).</summary>
    RowHasher CallerHasher(TableSchema schema)
    {
        if (ReferenceEquals(schema, _lastHashedSchema)) return _lastHasher!;
        if (!_callerHashers.TryGetValue(schema, out var hasher))
            _callerHashers[schema] = hasher = new RowHasher([.. schema.Columns.Select(c => c.Name)], []);
        _lastHasher = hasher;
        _lastHashedSchema = schema;
        return hasher;
    }

    static void RefuseWithoutRowid(TableState state, string table)
    {
        if (!state.Created && state.WithoutRowid)
            throw new InvalidOperationException($"Table {table} is a WITHOUT ROWID table that existed before the run: the journal cannot keep an undo log for it, so nothing is written. Import into a new table, or a rowid table.");
    }

    /// <summary>The batch's journal row, its table's checkpoint (the last row's key) and running checksum, and the quarantine entries due with it.</summary>
    void Record(IBatchStatements statements, BatchResult batch, TableState state, Row first, Row last, UInt128 sum)
    {
        _refused.Clear();
        var schema = first.GetSchema();
        state.AddToChecksum(schema, sum);
        var lastImage = schema.HasPrimaryKey ? RowImage.Encode(schema.PrimaryKey.Select(k => last.GetValue(k))) : null;
        JournalStore.RecordBatch(statements, RunId, state.Name, state.BatchOffset + batch.BatchNumber, batch, first.DescribeKey(), last.DescribeKey(), lastImage,
            ContentHash.ToHex(sum), state.ChecksumColumns, state.Checksum);
        WritePending(statements, batch.Table);
    }

    /// <summary>
    /// Writer thread, inside the batch's transaction: the refused row is left out of the batch
    /// checksum and quarantined in this same transaction (so the quarantine can never lag behind
    /// a committed checkpoint); the target's later RowFailed event for it is then not recorded twice.
    /// </summary>
    void IBatchJournal.RowRefused(Row row, RowError error)
    {
        _refused.Add(row);
        lock (_pending) _recordedInBatch.Add(error);
        Quarantine(error.Table, error.Key, error.Column, error.Reason, error.ValueExcerpt, QuarantineStage.Write);
    }

    /// <summary>Rows the target refused before any write (over a limit, NULL key): reported through RowFailed on the caller's thread.</summary>
    void OnRowFailed(RowError error)
    {
        lock (_pending)
            if (_recordedInBatch.Remove(error)) return;
        Quarantine(error.Table, error.Key, error.Column, error.Reason, error.ValueExcerpt, QuarantineStage.Write);
    }

    /// <summary>Writes the quarantine entries of one table (null: all) with the batch (or the run's end).</summary>
    void WritePending(IBatchStatements statements, string? table)
    {
        List<Pending> due;
        lock (_pending)
        {
            due = table is null ? [.. _pending] : _pending.FindAll(p => string.Equals(p.Table, table, StringComparison.OrdinalIgnoreCase));
            if (due.Count == 0) return;
        }
        foreach (var e in due) JournalStore.Quarantine(statements, RunId, e.Table, e.Key, e.Column, e.Stage, e.Reason, e.ValueExcerpt, e.At);
        // Removed only now: if the transaction rolls back, the target faults and the run ends anyway.
        lock (_pending) _pending.RemoveAll(due.Contains);
    }

    /// <summary>
    /// The table's journal state, registered in the run on first sight. Nothing is read here
    /// (a batch's statements can only write): what earlier attempts recorded was read when the run started.
    /// </summary>
    TableState TableStateFor(IBatchStatements statements, string table, TableSchema? schema)
    {
        if (_tables.TryGetValue(table, out var state)) return state;
        var created = !_tablesBefore.Contains(table);
        JournalStore.RegisterTable(statements, RunId, table, schema?.Source?.SourceDisplayName, created,
            JsonSerializer.Serialize(schema is null ? [] : schema.PrimaryKey.Select(k => schema.Columns[k].Name).ToArray()));
        var recorded = _recorded.GetValueOrDefault(table);
        state = new TableState(table, created, recorded?.Batches ?? 0, !created && _withoutRowid.Contains(table), recorded?.Columns, recorded?.Checksum);
        // Only tables with a schema (met in a batch) are cached: a table met first at completion may still get batches.
        if (schema is not null) _tables[table] = state;
        return state;
    }

    /// <summary>Releases the resume lookups (the target itself is the caller's to dispose).</summary>
    public void Dispose()
    {
        _resume?.Dispose();
        _resume = null;
    }

    /// <summary>Whether every row of the table is the run's own: it created the table, or found it empty.</summary>
    /// <summary>The tables that held rows when the run started: its undo strategy logs what it changes in them.</summary>
    internal IReadOnlySet<string> TablesWithRowsBefore => _tablesBefore.Except(_emptyBefore, StringComparer.OrdinalIgnoreCase).ToHashSet(StringComparer.OrdinalIgnoreCase);

    internal bool OwnsAllRows(string table) => !_tablesBefore.Contains(table) || _emptyBefore.Contains(table);

    sealed record Pending(string Table, string Key, string? Column, QuarantineStage Stage, string Reason, string ValueExcerpt, string At);

    sealed class TableState(string name, bool created, int batchOffset, bool withoutRowid, string? checksumColumns, string? checksum)
    {
        /// <summary>Stored instead of a sum when batches of one table had different columns (or a resumed run meets another build's scheme): no table hash can match it.</summary>
        public const string Mixed = "mixed";

        RowHasher? _hasher;
        TableSchema? _hashed;
        TableSchema? _checksumSchema;
        string? _schemaColumns;
        UInt128? _sum = checksum is not null && ContentHash.TryParseStored(checksum, out var stored) ? stored : null;

        public string Name { get; } = name;
        public bool Created { get; } = created;
        public int BatchOffset { get; } = batchOffset;
        public bool WithoutRowid { get; } = withoutRowid;

        /// <summary>The columns the checksum covers, in order (JSON), as the table's rows were hashed.</summary>
        public string? ChecksumColumns { get; private set; } = checksumColumns;

        /// <summary>
        /// The sum of every batch checksum of this table since the run (re)started writing it:
        /// the content hash of exactly the rows the run put there, which undo compares with the
        /// table before it empties a table the run found empty.
        /// </summary>
        public string Checksum { get; private set; } = checksum is null ? ContentHash.ToStored(UInt128.Zero)
            : ContentHash.TryParseStored(checksum, out _) ? checksum : Mixed; // another build's scheme cannot be added to

        public (string? Columns, string Checksum, UInt128? Sum) Save() => (ChecksumColumns, Checksum, _sum);

        public void Restore((string? Columns, string Checksum, UInt128? Sum) saved) => (ChecksumColumns, Checksum, _sum) = saved;

        public void AddToChecksum(TableSchema schema, UInt128 batchSum)
        {
            if (!ReferenceEquals(schema, _checksumSchema))
            {
                _schemaColumns = JsonSerializer.Serialize(schema.Columns.Select(c => c.Name).ToArray());
                _checksumSchema = schema;
            }
            if (Checksum == Mixed) return;
            if (ChecksumColumns is not null && ChecksumColumns != _schemaColumns)
            {
                Checksum = Mixed;
                return;
            }
            ChecksumColumns = _schemaColumns;
            _sum = (_sum ?? UInt128.Zero) + batchSum;
            Checksum = ContentHash.ToStored(_sum.Value);
        }

        /// <summary>The Integrity layer's row hash over every column, so a batch checksum sums exactly as a table checksum does.</summary>
        public RowHasher Hasher(TableSchema schema)
        {
            if (!ReferenceEquals(schema, _hashed))
            {
                _hasher = new RowHasher([.. schema.Columns.Select(c => c.Name)], []);
                _hashed = schema;
            }
            return _hasher!;
        }
    }
}

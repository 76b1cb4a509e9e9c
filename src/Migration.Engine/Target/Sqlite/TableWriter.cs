using System.Diagnostics;
using System.Runtime;
using Microsoft.Data.Sqlite;
using Migration.Engine.Schema;

namespace Migration.Engine.Target.Sqlite;

/// <summary>
/// One table's side of a <see cref="SqliteTarget"/>: its prepared INSERT (prepared once, values
/// bound per row), its open batch and its running figures.
/// </summary>
/// <remarks>
/// A batch is not held as a list of rows until its commit: its rows go to the writer in chunks
/// (<see cref="ChunkRows"/>) and are inserted into the batch's open transaction as they come; the
/// batch commits, with its journal row (<see cref="IBatchJournal.RecordBatch(IBatchStatements, BatchResult, BatchDigest)"/>),
/// when its last row is in. So a row is garbage a few hundred rows after it arrived (it dies in
/// the garbage collector's youngest generation) instead of living through up to four batches,
/// which in a PowerShell process (concurrent GC, small gen0 budget) promoted most rows to gen2.
/// A batch is still all or nothing: a batch not finished when the target is disposed is rolled back.
/// </remarks>
internal sealed class TableWriter : IDisposable
{
    /// <summary>
    /// Rows handed to the writer at once: the whole batch when the process runs the
    /// non-concurrent ("batch") garbage collector, whose young generation is large (the CLI host
    /// sets it; there, many small hand-overs cost more in thread wake-ups than they save: +2 s
    /// of system CPU at 1.11M rows), else chunks of 128 (a PowerShell host's concurrent GC
    /// has a ~5 MB gen0 budget: chunks of 512 left 47 gen2 collections at 1.11M rows, 128 left 2).
    /// </summary>
    internal static int ChunkRows(int batchSize) =>
        GCSettings.LatencyMode == GCLatencyMode.Batch ? batchSize : Math.Min(batchSize, 128);

    readonly SqliteTarget _target;
    readonly SqliteTableInfo _table;

    // Caller's side: the open batch's rows not yet handed to the writer, with their checksum hashes (journaled runs).
    Row[] _chunk = [];
    UInt128[]? _hashes;
    int _count;
    int _inBatch;     // rows of the open batch taken so far (0: no batch open)
    int _batchNumber; // the open batch's number, once its first chunk went to the writer
    int _submitted;   // batches handed to the writer (numbers are given in submission order)

    // Writer's side (writer thread only): the open batch's transaction and figures so far.
    SqliteTransaction? _transaction;
    Row? _first, _last;
    int _sent, _batchWritten, _batchSkipped, _batchFailed;
    UInt128 _checksum;
    long _batchTicks;
    TableBinding _binding;
    PreparedInsert? _insert;
    SqliteCommand? _keyLookup; // dry run only: does the key already exist?
    SqliteParameter[] _keyParameters = [];
    int[] _keyOrdinals = [];

    ForeignKeyGuard? _guard;
    ForeignKeyFailure? _foreignKeyFailure;
    bool _flushing;
    long _written, _skipped, _failed, _orphans;
    int _pendingFailed; // refused before the write; reported with the next batch
    int _batches;
    long _elapsedTicks;
    bool _existingChecked; // the first batch of a table that was there before the load is checked against it
    string? _refusal;      // the table already holds the keys: nothing of it is written in this load
    long _notWritten;

    public TableWriter(SqliteTarget target, SqliteTableInfo table, TableSchema schema)
    {
        _target = target;
        _table = table;
        _binding = Bind(schema);
    }

    public string Table => _table.Name;
    public TableSchema Schema => _binding.Schema;

    /// <summary>The foreign key handling of a table loaded from a full definition (not in a dry run); used on the writer thread.</summary>
    public ForeignKeyGuard? Guard
    {
        get => _guard;
        set => _guard = value;
    }

    /// <summary>Rows of another schema for the same table: what is buffered is written under the old one first.</summary>
    public void Rebind(TableSchema schema)
    {
        if (_guard is not null && !schema.Columns.Select(c => c.Name).SequenceEqual(_binding.Schema.Columns.Select(c => c.Name), StringComparer.Ordinal))
            throw new TargetSchemaException(Table, "rows arrive with another column layout after rows loaded with foreign key handling; send each table's rows with one layout.");
        var next = TableBinding.Create(schema, _table, _target.Options.OnConflict);
        Flush();
        _target.WaitIdle(); // the old statement may still be writing the last batch
        _binding = next;
        Prepare();
    }

    public void Add(Row row)
    {
        if (_refusal is not null) { _notWritten++; return; }
        var refused = RowValidator.Check(row, _binding, _target.Options.Limits);
        if (refused is not null)
        {
            _pendingFailed++;
            _target.Raise(refused);
            // The rows of the open batch are not written (the target faults; batches handed to
            // the writer before it, all earlier rows, are finished).
            if (_target.Options.StopAtFirstRefusal) throw new RowRefusedException(refused);
            return;
        }
        if (_inBatch == 0) StartBatch();
        _chunk[_count] = row;
        if (_hashes is not null) _hashes[_count] = _target.Journal!.Hash(row);
        _count++;
        if (++_inBatch == _target.Options.BatchSize) Submit(endOfBatch: true);
        else if (_count == _chunk.Length) Submit(endOfBatch: false);
    }

    /// <summary>
    /// The first row of a batch: parent rows still open go to the writer first (batches are
    /// written in the order given). The first batch of a table that may already hold its keys is
    /// taken whole before any of it is written (see <see cref="RefuseIfKeysExist"/>).
    /// </summary>
    void StartBatch()
    {
        if (_guard is not null && !_flushing)
        {
            _flushing = true;
            try { _target.FlushTables(_guard.ImmediateParents); }
            finally { _flushing = false; }
        }
        var batchSize = _target.Options.BatchSize;
        NewChunk(!_existingChecked && MayHoldKeys ? batchSize : ChunkRows(batchSize));
    }

    void NewChunk(int capacity)
    {
        _chunk = new Row[capacity];
        _hashes = _target.Journal is null ? null : new UInt128[capacity];
        _count = 0;
    }

    /// <summary>
    /// Ends the open batch: its last rows go to the writer, which commits it (in one transaction
    /// with its journal row, on the target's writer thread when it has one).
    /// </summary>
    public void Flush()
    {
        if (_inBatch == 0)
        {
            // Rows refused up front after the last batch: no transaction to report, only the figures.
            var pending = TakePendingFailed();
            if (pending > 0) _target.Run(() => _failed += pending);
            return;
        }
        if (_flushing) return;
        Submit(endOfBatch: true);
    }

    int TakePendingFailed()
    {
        var pending = _pendingFailed;
        _pendingFailed = 0;
        return pending;
    }

    /// <summary>Hands the taken rows of the open batch to the writer; at the batch's end, with the rows refused up front since the last batch.</summary>
    void Submit(bool endOfBatch)
    {
        var rows = new ArraySegment<Row>(_chunk, 0, _count);
        var hashes = _hashes;
        var pending = endOfBatch ? TakePendingFailed() : 0;
        if (endOfBatch) _inBatch = 0;
        if (!_existingChecked && RefuseIfKeysExist(rows))
        {
            _notWritten += _count;
            _inBatch = 0;
            _count = 0;
            if (pending > 0) _target.Run(() => _failed += pending);
            return;
        }
        if (_batchNumber == 0) _batchNumber = ++_submitted;
        var batchNumber = _batchNumber;
        if (endOfBatch)
        {
            _batchNumber = 0;
            _chunk = [];
            _hashes = null;
            _count = 0;
        }
        else NewChunk(ChunkRows(_target.Options.BatchSize));
        _target.Run(() => WriteChunk(rows, hashes, batchNumber, endOfBatch, pending));
    }

    /// <summary>Without -OnConflict, into a table this load did not create: the first batch is checked against what the table holds.</summary>
    bool MayHoldKeys => _target.Options.OnConflict == OnConflict.Abort && !_target.CreatedTables.Contains(Table, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Without -OnConflict, a table that was there before the load and already holds keys of the
    /// first batch is a re-run or a wrong target, not a few bad rows: one error for the table
    /// (how many of the batch's keys it holds, the first of them, the parameter that decides),
    /// nothing of the table written, its rows counted as not written, the run "completed with
    /// refused tables"; under -ErrorAction Stop it stops here, before anything of it is written.
    /// Caller thread, once per table: the writer is idle while the keys are looked up.
    /// </summary>
    bool RefuseIfKeysExist(ArraySegment<Row> rows)
    {
        _existingChecked = true;
        var options = _target.Options;
        if (!MayHoldKeys) return false;
        // A dry run has its lookup already (when the table exists); a real load prepares one for this check.
        var temporary = _keyLookup is null;
        if (temporary)
        {
            if (options.DryRun) return false;
            _target.WaitIdle();
            PrepareKeyLookup(_target.Connection!);
            if (_keyLookup is null) return false;
        }
        Row? first = null;
        var held = 0;
        try
        {
            foreach (var row in rows)
            {
                if (!KeyExists(row)) continue;
                held++;
                first ??= row;
            }
        }
        finally
        {
            if (temporary)
            {
                _keyLookup?.Dispose();
                _keyLookup = null;
            }
        }
        if (first is null) return false;
        var keys = string.Join(", ", _binding.ConflictKey);
        _refusal = $"{Table} already holds {held:N0} of the {rows.Count:N0} keys ({keys}) of the first batch sent to it, e.g. {first.DescribeKey()}: "
            + "nothing of it is written in this load; use -OnConflict Ignore (keep the rows there), Replace or Upsert (overwrite them), or import into an empty table.";
        var error = new RowError(Table, first.DescribeKey(), keys, _refusal, first.DescribeKey());
        _target.Raise(error);
        if (options.StopAtFirstRefusal) throw new RowRefusedException(error);
        return true;
    }

    bool KeyExists(Row row)
    {
        for (var i = 0; i < _keyOrdinals.Length; i++)
            _keyParameters[i].Value = row.GetValue(_keyOrdinals[i]) ?? DBNull.Value;
        return _keyLookup!.ExecuteScalar() is not null;
    }

    /// <summary>
    /// Writer thread: inserts a chunk of the open batch into its transaction (begun with the
    /// batch's first chunk); after the batch's last chunk, records the batch in the journal and
    /// commits. Any failure rolls the open batch back.
    /// </summary>
    void WriteChunk(ArraySegment<Row> rows, UInt128[]? hashes, int batchNumber, bool endOfBatch, int failedBefore)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            if (_target.Options.DryRun)
                CountDryRun(rows, ref _batchWritten, ref _batchSkipped, ref _batchFailed);
            else
            {
                var transaction = _transaction ??= Begin();
                for (var i = 0; i < rows.Count; i++)
                {
                    var row = rows[i];
                    _first ??= row;
                    _last = row;
                    _sent++;
                    if (Insert(row, transaction) && hashes is not null) _checksum += hashes[i];
                }
            }
            _batchTicks += Stopwatch.GetTimestamp() - start;
            if (endOfBatch) EndBatch(batchNumber, failedBefore);
        }
        catch
        {
            ResetBatch(); // the open transaction is rolled back: nothing of the batch stays
            throw;
        }
    }

    SqliteTransaction Begin()
    {
        var transaction = _target.Connection!.BeginTransaction();
        if (_guard?.DeferInBatch == true)
        {
            using var defer = _target.Connection.CreateCommand();
            defer.Transaction = transaction;
            defer.CommandText = "PRAGMA defer_foreign_keys = ON"; // ends with the transaction
            defer.ExecuteNonQuery();
        }
        return transaction;
    }

    /// <summary>Writer thread: the batch's journal row in its transaction, the commit, the figures.</summary>
    void EndBatch(int batchNumber, int failedBefore)
    {
        var start = Stopwatch.GetTimestamp();
        var failed = _batchFailed + failedBefore;
        if (_transaction is not null)
        {
            var statements = new SqliteBatchStatements(_target.Connection!, _transaction);
            _target.Journal?.RecordBatch(statements, Result(batchNumber, _batchWritten, _batchSkipped, failed, _batchTicks + Stopwatch.GetTimestamp() - start),
                new BatchDigest(_first!, _last!, _sent, _checksum));
            _transaction.Commit();
        }
        _batchTicks += Stopwatch.GetTimestamp() - start;
        var result = Result(batchNumber, _batchWritten, _batchSkipped, failed, _batchTicks);
        _batches = batchNumber;
        _written += _batchWritten;
        _skipped += _batchSkipped;
        _failed += failed;
        _elapsedTicks += _batchTicks;
        ResetBatch();
        _target.Raise(result);
    }

    /// <summary>Closes the open batch's transaction (rolled back unless committed) and clears its figures.</summary>
    void ResetBatch()
    {
        _transaction?.Dispose();
        _transaction = null;
        _first = _last = null;
        _sent = _batchWritten = _batchSkipped = _batchFailed = 0;
        _checksum = UInt128.Zero;
        _batchTicks = 0;
    }

    /// <summary>One row into the open transaction; whether SQLite took it (written, or left as it was by Ignore/Upsert), else it was reported as refused.</summary>
    bool Insert(Row row, SqliteTransaction transaction)
    {
        var values = row.GetValues();
        if (_guard is not null)
        {
            var checkedValues = _guard.Prepare(row, out var orphan, out var error);
            if (orphan is not null) { _orphans++; _target.Raise(orphan); }
            if (checkedValues is null)
            {
                NotWritten(row, orphan!, error, ref _batchSkipped, ref _batchFailed);
                return false;
            }
            values = checkedValues;
        }
        var inserted = _insert!.Insert(values, out var refusal);
        if (!inserted && refusal is not null && _guard is { HasTargetEnforcedKeys: true } guard
            && refusal.Contains("FOREIGN KEY", StringComparison.Ordinal))
        {
            // The keys the table declares were checked by SQLite itself; only now is the
            // parent looked up, to name the orphan and apply -OrphanPolicy.
            var retry = guard.Resolve(row, values, out var orphan, out var error);
            if (orphan is not null) { _orphans++; _target.Raise(orphan); }
            if (retry is not null) inserted = _insert.Insert(retry, out refusal);
            else if (orphan is not null)
            {
                NotWritten(row, orphan, error, ref _batchSkipped, ref _batchFailed);
                return false;
            }
        }
        if (inserted)
        {
            _batchWritten++;
            _guard?.Written(row, transaction);
            return true;
        }
        if (refusal is null)
        {
            _batchSkipped++; // Ignore, or an Upsert whose key is the whole row
            return true;
        }
        // SQLite undid this statement only; the transaction and the other rows go on.
        _batchFailed++;
        var failure = ExplainForeignKey(refusal, row, values, transaction) ?? SqliteRowFailure.Describe(refusal, row, _binding);
        StopIfAsked(failure); // before the journal hears of it: the whole batch rolls back
        _target.Journal?.RowRefused(row, failure);
        _target.Raise(failure);
        return false;
    }

    /// <summary>
    /// Under <see cref="ImportOptions.StopAtFirstRefusal"/>: reports the row and throws, so the
    /// batch's transaction is disposed uncommitted (rolled back) and the writer takes nothing more.
    /// </summary>
    void StopIfAsked(RowError error)
    {
        if (!_target.Options.StopAtFirstRefusal) return;
        _target.Raise(error);
        throw new RowRefusedException(error);
    }

    /// <summary>
    /// SQLite's FOREIGN KEY refusal names no key. Rows with a definition were explained by the
    /// guard already; for the others the key is found from what the table itself declares.
    /// </summary>
    RowError? ExplainForeignKey(string refusal, Row row, object?[] sent, SqliteTransaction transaction)
    {
        if (!refusal.Contains("FOREIGN KEY", StringComparison.Ordinal)) return null;
        _foreignKeyFailure ??= ForeignKeyFailure.Read(_target.Connection!, transaction, _binding.Table);
        return _foreignKeyFailure.Explain(_target.Connection!, transaction, _binding, row, sent);
    }

    /// <summary>
    /// An orphan that is not sent to SQLite (refused, or skipped by -OrphanPolicy Skip): the
    /// journal hears of it like a refusal (quarantined, left out of the batch's checksum).
    /// </summary>
    void NotWritten(Row row, OrphanRow orphan, RowError? error, ref int skipped, ref int failed)
    {
        if (error is not null)
        {
            failed++;
            StopIfAsked(error);
            _target.Journal?.RowRefused(row, error);
            _target.Raise(error);
            return;
        }
        skipped++;
        _target.Journal?.RowRefused(row, ForeignKeyPlan.SkippedEntry(row, orphan));
    }

    public TableSummary Summary() => new(Table, _written, _skipped, _failed, _batches, Stopwatch.GetElapsedTime(0, _elapsedTicks))
    {
        RowsOrphaned = _orphans,
        Refused = _refusal,
        RowsNotWritten = _notWritten,
    };

    /// <summary>Fills in the foreign keys loaded NULL first (insert-then-update), once every table is loaded (writer idle).</summary>
    public void ApplyDeferred()
    {
        if (_guard is null || !_guard.HasDeferred || _target.Options.DryRun) return;
        var start = Stopwatch.GetTimestamp();
        var (deleted, orphans) = _guard.ApplyDeferred(_table, _binding.Schema, _target.Options.BatchSize, o => _target.Raise(o), e => { _failed++; _target.Raise(e); });
        _written -= deleted;
        _skipped += deleted;
        _orphans += orphans;
        _elapsedTicks += Stopwatch.GetTimestamp() - start;
    }

    BatchResult Result(int batchNumber, int written, int skipped, int failed, long ticks) =>
        new(Table, batchNumber, written, skipped, failed, Stopwatch.GetElapsedTime(0, ticks));

    TableBinding Bind(TableSchema schema)
    {
        var binding = TableBinding.Create(schema, _table, _target.Options.OnConflict);
        _binding = binding;
        Prepare();
        return binding;
    }

    void Prepare()
    {
        DisposeCommands();
        var connection = _target.Connection;
        if (connection is null) return; // dry run of a file that does not exist yet: nothing to prepare against
        if (_target.Options.DryRun && !_target.ExistsInFile(Table)) return;

        if (_target.Options.DryRun)
        {
            // Preparing on the read-only connection still checks the statement (columns, the
            // Upsert conflict target) exactly as a real run would, without writing anything.
            using (var check = connection.CreateCommand())
            {
                check.CommandText = _binding.InsertSql;
                for (var i = 0; i < _binding.Schema.Columns.Count; i++)
                    check.Parameters.Add(new SqliteParameter(SqliteSql.Parameter(i), DBNull.Value));
                check.Prepare();
            }
            PrepareKeyLookup(connection);
            return;
        }

        _insert = new PreparedInsert(connection, _binding.InsertSql, _binding.Schema.Columns.Count);
    }

    /// <summary>A dry run against an existing table looks each key up, so it can tell rows that would be skipped or fail on a duplicate key.</summary>
    void PrepareKeyLookup(SqliteConnection connection)
    {
        var key = _binding.ConflictKey;
        if (key.Count == 0) return;
        _keyOrdinals = [.. key.Select(k => _binding.Schema.IndexOf(k))];
        if (_keyOrdinals.Any(o => o < 0)) { _keyOrdinals = []; return; }
        _keyLookup = connection.CreateCommand();
        _keyLookup.CommandText = "SELECT 1 FROM " + SqlQuote.Identifier(Table) + " WHERE "
            + string.Join(" AND ", key.Select((k, i) => SqlQuote.Identifier(k) + " = " + SqliteSql.Parameter(i)));
        _keyParameters = new SqliteParameter[key.Count];
        for (var i = 0; i < key.Count; i++)
        {
            _keyParameters[i] = new SqliteParameter(SqliteSql.Parameter(i), DBNull.Value);
            _keyLookup.Parameters.Add(_keyParameters[i]);
        }
        _keyLookup.Prepare();
    }

    void CountDryRun(ArraySegment<Row> rows, ref int written, ref int skipped, ref int failed)
    {
        if (_keyLookup is null) { written += rows.Count; return; }
        foreach (var row in rows)
        {
            var exists = KeyExists(row);
            if (!exists || _target.Options.OnConflict == OnConflict.Replace) written++;
            else if (_target.Options.OnConflict == OnConflict.Upsert)
            {
                if (_binding.Schema.Columns.Count == _keyOrdinals.Length) skipped++; // DO NOTHING: nothing but the key to update
                else written++;
            }
            else if (_target.Options.OnConflict == OnConflict.Ignore) skipped++;
            else
            {
                failed++;
                _target.Raise(new RowError(Table, row.DescribeKey(), string.Join(", ", _binding.ConflictKey),
                    "UNIQUE constraint failed (dry run: a row with this key already exists)", row.DescribeKey()));
            }
        }
    }

    void DisposeCommands()
    {
        _insert?.Dispose();
        _insert = null;
        _keyLookup?.Dispose();
        _keyLookup = null;
    }

    /// <summary>Caller's thread, once the writer has stopped: a batch still open is rolled back.</summary>
    public void Dispose()
    {
        ResetBatch();
        DisposeCommands();
        _guard?.Dispose();
        _guard = null;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using Migration.Engine.Cloudflare;
using Migration.Engine.Journal;
using Migration.Engine.Schema;

namespace Migration.Engine.Target.RemoteD1;

/// <summary>
/// The writer of a remote D1 over Cloudflare's HTTP API, with two write paths chosen per table
/// (<see cref="ImportOptions.Method"/>). The query path: each batch is ONE <c>/query</c>
/// request <c>{batch:[...]}</c> (one transaction): the journal's statements for that batch,
/// then multi-row INSERTs filled to D1's limits (<see cref="RemoteInsert"/>), so rows and
/// journal commit together or not at all. Under -OnConflict Ignore/Upsert each INSERT is
/// followed by a journal UPDATE that moves the rows it left as they were (sent, less its
/// <c>changes()</c>) from written to skipped, so the journal counts what D1 did, as locally. The import path (tables the run creates or finds
/// empty): each batch is a chunk of up to <see cref="ImportOptions.ImportChunkRows"/> rows sent
/// as a SQL file through D1's import API (<see cref="D1ImportChunk"/>: values as literals, the
/// batch's journal rows inside), applied whole or not at all.
/// </summary>
/// <remarks>
/// <para>A refused row fails its whole request (D1 has no per-statement rollback). The batch
/// is then bisected with probe requests that always roll back (they end with a statement that
/// fails on purpose), the refused rows are quarantined with table, key, column and value, and
/// the batch is sent again without them. Rows refused only together (a key twice in one batch)
/// are resolved as a row-by-row load would: the shortest refused prefix names the later row.</para>
/// <para>A request whose outcome is unknown (<see cref="AmbiguousWriteException"/>: 5xx,
/// timeout, reset) is never simply sent again: the batch's journal row is read back first, and
/// the batch is re-sent only when it is not there. Without a run there is no such proof, so
/// the failure stops the load.</para>
/// <para>On the import path, a row whose literal INSERT would exceed D1's 100,000 bytes per
/// statement (a 1.5 MB text is a legal D1 value) cannot go in a file (SQLITE_TOOBIG): the chunk
/// is cut there and the row goes through <c>/query</c> with bound parameters as a batch of its
/// own, in order, so the journal's checkpoints stay in key order. An import that D1 refuses
/// (reverted as a whole) is written again through <c>/query</c>, where refused rows are found
/// and quarantined as above. An import whose outcome is unknown is resolved by reading the
/// chunk's journal row, as for a batch.</para>
/// <para>On a resumed run, rows an earlier attempt committed into a table the run owns are
/// found by key (one read per batch until a batch has none) and not sent again.</para>
/// </remarks>
public sealed class RemoteD1Target : BufferedRowTarget
{
    /// <summary>The rows the statement before it changed itself (not its triggers', nor REPLACE's deletions).</summary>
    static readonly D1Statement ChangesOfLast = new("SELECT changes()");

    /// <summary>The probe's deliberate failure: a table that does not exist (its message names it).</summary>
    const string ProbeSentinel = "d1_migration_probe_rollback";

    readonly D1DatabaseClient _db;
    readonly MigrationRun? _run;
    readonly IBatchJournal? _journal;
    readonly List<D1SchemaStatement> _pendingIndexes = [];

    /// <summary>Each table's place in the whole-database set being loaded (parents first), for the foreign key plans.</summary>
    readonly Dictionary<string, int> _loadPosition = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether the journal's fix-up table is known to exist (created by this attempt, or found by an earlier one's).</summary>
    bool _fixupsReady;
    (List<D1Statement> Open, List<D1Statement> Close)? _undoSpan;

    internal RemoteD1Target(D1DatabaseClient db, string location, ImportOptions options, MigrationRun? run, IBatchJournal? journal) : base(options)
    {
        _db = db;
        Location = location;
        _run = run;
        _journal = journal;
    }

    public string Location { get; }

    /// <summary>A request body this large (bytes of values, roughly) ends a batch early: big rows make fewer rows per request.</summary>
    public int MaxRequestBytes { get; init; } = 4_000_000;

    /// <summary>Requests sent (data, journal, probes, reads), for progress and the report.</summary>
    public long Requests { get; private set; }

    /// <summary>Batches whose answer was lost and whose journal row proved them committed (not sent again).</summary>
    public long BatchesProvenCommitted { get; private set; }

    /// <summary>Batches sent again after their journal row proved they had not committed.</summary>
    public long BatchesResent { get; private set; }

    /// <summary>Request bytes sent (<c>/query</c> bodies and import files), for progress and the report.</summary>
    public long BytesSent { get; private set; }

    /// <summary>Rows committed so far (both paths), for progress.</summary>
    public long RowsWritten { get; private set; }

    /// <summary>Chunks that landed through the import API.</summary>
    public long ChunksImported { get; private set; }

    readonly long _started = Stopwatch.GetTimestamp();

    /// <summary>Rows, requests, bytes and rate so far (<see cref="BufferedRowTarget.Progress"/>), after each batch or chunk and with each of D1's import messages.</summary>
    void RaiseProgress(string? message = null)
    {
        var seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        RaiseProgress(new TargetProgress(RowsWritten, Requests, BytesSent, seconds > 0 ? RowsWritten / seconds : 0, message));
    }

    /// <summary>
    /// Logs what each batch changes in <paramref name="tables"/> (tables that held rows before the
    /// run) for undo: the batch's request opens and closes <see cref="D1UndoLog"/>'s trigger span
    /// around its rows. Every table gets its triggers in every batch, as a cascade may reach it.
    /// </summary>
    internal void LogChanges(long runId, IReadOnlyList<D1UndoLog.LoggedTable> tables)
    {
        if (tables.Count == 0) return;
        _undoSpan = D1UndoLog.Span(runId, tables);
    }

    /// <summary>
    /// A failed write leaves the target unusable (what landed is for the journal to say, not for
    /// more rows to guess at); a refused row, a table that does not fit D1 or a -Method mistake
    /// is the caller's to handle and the target stays usable, except while completing.
    /// </summary>
    private protected override bool Faults(Exception failure, bool completing) =>
        completing || failure is not (TargetSchemaException or ArgumentException or RowRefusedException);

    private protected override string FaultMessage => $"A batch written to {Location} failed; this target accepts no more rows.";

    /// <summary>The previous table's chunk in flight lands before the next table is looked up, so requests stay in row order.</summary>
    private protected override void BeforeTable() => Join();

    private protected override void Finish()
    {
        Join();
        ApplyFixups();
        if (_pendingIndexes.Count > 0)
        {
            Send([.. _pendingIndexes.Select(i => new D1Statement(i.Sql))], RetrySafety.Write);
            RaiseLog($"Created {_pendingIndexes.Count} index(es) after the rows were in.");
            _pendingIndexes.Clear();
        }
        RaiseLog(Totals("Done"));
    }

    private protected override void Close()
    {
        // A chunk still in flight is waited for (its outcome is in its journal row either way); nothing more is sent.
        try { _inflight?.Task.Wait(); } catch (AggregateException) { }
        _inflight = null;
    }

    /// <summary>
    /// The chunk being imported while the caller goes on buffering the next one's rows (the
    /// import waits on D1; the rows come from the source meanwhile), and what to do on the
    /// caller's thread once it has ended.
    /// </summary>
    (Task Task, Action Finish)? _inflight;

    /// <summary>
    /// Waits for the chunk in flight and finishes it on the caller's thread (events, figures, or
    /// its rows through /query if D1 refused it). Called before anything else is sent or journaled,
    /// so requests, batches and journal entries stay in order.
    /// </summary>
    void Join()
    {
        if (_inflight is not { } inflight) return;
        _inflight = null;
        inflight.Finish();
    }

    /// <summary>What a chunk's import reports from off the caller's thread: its log lines (raised at the join) and requests.</summary>
    sealed class ChunkTrace
    {
        public List<string> Lines { get; } = [];
        public int Requests { get; set; }
    }

    private protected override IBufferedTable Open(TableSchema schema)
    {
        var info = ReadTable(schema.Name);
        if (info is null && Options.DryRun)
        {
            RaiseLog($"Dry run: table {schema.Name} is not in {Location}; it would be created.");
            return AddTable(schema, SqliteTableInfo.FromSchema(schema), exists: false);
        }
        else if (info is null)
        {
            // -Method Import that its foreign keys rule out is refused before the table is created.
            if (Options.Method == D1WriteMethod.Import) RefuseImport(schema.Name, PlanKeys(schema, exists: false, _ => { }));
            Send([new D1Statement(D1Ddl.CreateTable(schema))], RetrySafety.Write);
            Created(schema.Name);
            _pendingIndexes.AddRange(D1Ddl.CreateIndexes(schema));
            RaiseLog($"Created table {schema.Name} in {Location}.");
            info = SqliteTableInfo.FromSchema(schema);
        }
        return AddTable(schema, info);
    }

    /// <summary>A whole-database export: the missing tables created in load order, in one request.</summary>
    private protected override void OpenSet(IReadOnlyList<TableSchema> tables)
    {
        for (var i = 0; i < tables.Count; i++) _loadPosition.TryAdd(tables[i].Name, i);
        var missing = tables.Where(t => ReadTable(t.Name) is null).ToList();
        // A foreign key that cannot be loaded, or -Method Import that a table's keys rule out, fails the set before anything is created.
        if (!Options.DryRun)
            foreach (var t in tables) RefuseImport(t.Name, PlanKeys(t, exists: !missing.Contains(t), _ => { }));
        // A -Method mistake (Import into a table with rows) is refused before anything is created or written.
        foreach (var t in tables.Where(t => !missing.Contains(t))) MethodFor(t.Name);
        if (missing.Count > 0 && Options.DryRun)
            RaiseLog($"Dry run: {missing.Count} table(s) would be created in {Location}: {string.Join(", ", missing.Select(t => t.Name))}.");
        else if (missing.Count > 0)
        {
            Send([.. missing.Select(t => new D1Statement(D1Ddl.CreateTable(t)))], RetrySafety.Write);
            foreach (var t in missing)
            {
                Created(t.Name);
                _pendingIndexes.AddRange(D1Ddl.CreateIndexes(t));
            }
            RaiseLog($"Created {missing.Count} table(s) in {Location}: {string.Join(", ", missing.Select(t => t.Name))}.");
        }
        foreach (var t in tables)
            if (!IsOpen(t.Name))
                AddTable(t, missing.Contains(t) ? SqliteTableInfo.FromSchema(t) : ReadTable(t.Name)!, exists: !missing.Contains(t));
    }

    RemoteTable AddTable(TableSchema schema, SqliteTableInfo info, bool exists = true)
    {
        var keys = Options.DryRun ? null : PlanKeys(schema, exists && !WasCreated(info.Name), RaiseLog);
        RefuseImport(info.Name, keys);
        var (method, why) = MethodFor(info.Name, exists);
        // -Method Auto: the table's foreign keys decide, and -Verbose says so.
        if (method == D1WriteMethod.Import && keys?.ImportCannotApply() is { } reason)
            (method, why) = (D1WriteMethod.Query, reason);
        if (keys is { HasDeferred: true } && _run is not null && !_fixupsReady)
        {
            Send([new D1Statement(RemoteForeignKeys.FixupsDdl)], RetrySafety.IdempotentWrite);
            _fixupsReady = true;
        }
        RaiseLog(method == D1WriteMethod.Import
            ? $"{info.Name}: through D1's import API ({why}), in chunks of at most {Options.ImportChunkRows:N0} rows / {Options.ImportChunkBytes:N0} bytes of SQL, "
              + "each with its journal rows; a row whose SQL literal exceeds 100,000 bytes goes through /query with bound parameters."
            : $"{info.Name}: through /query ({why}), {Options.BatchSize:N0} rows per request, values bound.");
        return Register(new RemoteTable(this, info, schema, method) { Exists = exists, Keys = keys });
    }

    /// <summary>
    /// Fills in the foreign keys loaded NULL first (insert-then-update), once every table is in:
    /// the run's fix-ups are read back from the journal in keyset pages (so a resumed run finds
    /// the ones an earlier attempt left, even with no row of their table to send), the page's
    /// parents are looked up in a few reads, and its UPDATEs (DELETEs of orphans under Skip), the
    /// quarantine of orphans under Fail and the deletion of the page's fix-ups go in one request:
    /// applied exactly once. Without a run, the fix-ups kept in memory.
    /// </summary>
    void ApplyFixups()
    {
        if (Options.DryRun) return;
        if (_run is null)
        {
            foreach (var t in OpenTables.Cast<RemoteTable>())
                if (t.Keys is { HasDeferred: true } keys && keys.TakeFromMemory() is { Count: > 0 } page) ApplyFixupPage(page, null);
            return;
        }
        // A new run has fix-ups only if this attempt created their table; a resumed one may have an earlier attempt's.
        _fixupsReady = _fixupsReady || (_run.IsResumed && Raw(D1Statement.Of("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = {0}", RemoteForeignKeys.Fixups)).Count > 0);
        if (!_fixupsReady) return;
        long after = 0, applied = 0;
        while (true)
        {
            var page = Raw(D1Statement.Of($"SELECT {RemoteForeignKeys.JournalColumns} FROM {RemoteForeignKeys.Fixups} WHERE run_id = {{0}} AND id > {{1}} ORDER BY id LIMIT {{2}}",
                _run.RunId, after, FixupPage)).Select(RemoteForeignKeys.FromJournal).ToList();
            if (page.Count == 0) break;
            after = page[^1].Id;
            ApplyFixupPage(page, after);
            applied += page.Count;
            RaiseProgress(string.Create(CultureInfo.InvariantCulture, $"foreign keys filled in: {applied:N0}"));
        }
        if (applied > 0) RaiseLog(string.Create(CultureInfo.InvariantCulture, $"Filled in {applied:N0} foreign key value(s) loaded NULL first (insert-then-update)."));
    }

    /// <summary>Fix-ups read (and applied) per request: their parents are looked up in a few reads, their UPDATEs go in one request.</summary>
    const int FixupPage = 500;

    void ApplyFixupPage(IReadOnlyList<RemoteForeignKeys.Fixup> page, long? lastId)
    {
        var (units, orphans) = RemoteForeignKeys.Apply(Options.OrphanPolicy, page, RawBatch, _run?.RunId);
        var journal = new D1BatchStatements();
        if (_run is not null)
        {
            var now = JournalClock.Now();
            foreach (var (_, _, error) in orphans)
                if (error is not null) JournalStore.Quarantine(journal, _run.RunId, error.Table, error.Key, error.Column, QuarantineStage.Write, error.Reason, error.ValueExcerpt, now);
            journal.Execute($"DELETE FROM {RemoteForeignKeys.Fixups} WHERE run_id = $run AND id <= $last", ("$run", _run.RunId), ("$last", lastId));
        }
        try
        {
            // UPDATE ... WHERE the columns are still NULL, DELETE, INSERT OR IGNORE: sending it again changes nothing.
            SendLogged([.. units.SelectMany(u => u)], journal.Statements);
        }
        catch (D1SqlException ex)
        {
            // A value D1 refuses in its column (a UNIQUE one): each fix-up alone, the refused ones reported as row errors.
            RaiseLog($"Filling in foreign keys: D1 refused the page ({Refusal(ex)}); each row alone.");
            for (var i = 0; i < units.Count; i++)
            {
                try { SendLogged(units[i], []); }
                catch (D1SqlException one)
                {
                    var f = page.FirstOrDefault(x => units[i][^1].Sql.StartsWith("UPDATE " + SqlQuote.Identifier(x.Table), StringComparison.Ordinal)) ?? page[0];
                    RaiseRowFailed(new RowError(f.Table, f.RowKey, string.Join(", ", f.Columns), $"filling in the deferred foreign key failed: {Refusal(one)}",
                        string.Join(", ", f.Values.Select(v => ValueExcerpt.Of(v)))));
                }
            }
            if (journal.Statements.Count > 0) Send(journal.Statements, RetrySafety.IdempotentWrite);
        }
        foreach (var (fixup, orphan, error) in orphans)
        {
            RaiseOrphanFound(orphan);
            if (error is not null) RaiseRowFailed(error);
            if (OpenTable(fixup.Table) is RemoteTable table) table.FixupOrphan(deleted: Options.OrphanPolicy == OrphanPolicy.Skip, failed: error is not null);
        }
    }

    /// <summary>Statements that change tables, inside the undo span (when tables that held rows are logged), then the journal's.</summary>
    void SendLogged(IReadOnlyList<D1Statement> statements, IReadOnlyList<D1Statement> journal)
    {
        List<D1Statement> request = statements.Count > 0 && _undoSpan is { } span ? [.. span.Open, .. statements, .. span.Close] : [.. statements];
        request.AddRange(journal);
        if (request.Count > 0) Send(request, RetrySafety.IdempotentWrite);
    }

    /// <summary>
    /// How a table's foreign keys load (<see cref="ForeignKeyPlan"/>, as locally); null when it has
    /// none. A parent is loaded before when it is earlier in the set, or (outside a set) a table
    /// already in the database; a key a table the run creates declares is enforced by D1 itself,
    /// and an existing table's are read from <c>pragma_foreign_key_list</c>.
    /// </summary>
    RemoteForeignKeys? PlanKeys(TableSchema schema, bool exists, Action<string> log) =>
        RemoteForeignKeys.For(schema, Options.OrphanPolicy, _loadPosition, parent => IsOpen(parent) || ReadTable(parent) is not null, exists,
            () => RemoteForeignKeys.DeclaredKeys(schema.Name, s => Raw(s)), log, IsRefused);

    /// <summary>-Method Import for a table whose foreign keys only /query can load is refused (before anything of the table is written), never quietly rerouted.</summary>
    void RefuseImport(string table, RemoteForeignKeys? keys)
    {
        if (Options.Method == D1WriteMethod.Import && keys?.ImportCannotApply() is { } reason)
            throw RemoteForeignKeys.ImportRefused(table, reason, runStarted: _run is not null);
    }

    /// <summary>Several reads in one /raw request (one result per statement).</summary>
    IReadOnlyList<D1RawResult> RawBatch(IReadOnlyList<D1Statement> statements)
    {
        Join();
        Requests++;
        return _db.RawBatchAsync(statements, RetrySafety.Read).GetAwaiter().GetResult();
    }

    /// <summary>An existing table's columns, through /raw; null when there is none.</summary>
    SqliteTableInfo? ReadTable(string name)
    {
        // One request: the stored name, the columns, and the full unique indexes (an expression
        // index has a NULL column and is no column key; an upsert's target must be one of them).
        // SQLite's table names match case-insensitively, so the pragmas take the name as given.
        var answers = RawBatch(
        [
            D1Statement.Of("SELECT name FROM sqlite_schema WHERE type = 'table' AND name = {0} COLLATE NOCASE", name),
            D1Statement.Of("SELECT name, type, \"notnull\", pk FROM pragma_table_info({0})", name),
            D1Statement.Of("SELECT il.name, ii.name FROM pragma_index_list({0}) il JOIN pragma_index_info(il.name) ii "
                + "WHERE il.\"unique\" = 1 AND il.partial = 0 AND il.origin <> 'pk' ORDER BY il.seq, ii.seqno", name),
        ]);
        var found = answers[0].DecodeRows(false);
        if (found.Count == 0) return null;
        var columns = answers[1].DecodeRows(false)
            .Select(r => new SqliteColumnInfo((string)r[0]!, (string)r[1]!, System.Convert.ToInt64(r[2], CultureInfo.InvariantCulture) != 0,
                (int)System.Convert.ToInt64(r[3], CultureInfo.InvariantCulture)))
            .ToList();
        var uniqueKeys = answers[2].DecodeRows(false)
            .GroupBy(r => (string)r[0]!)
            .Where(g => g.All(r => r[1] is string))
            .Select(g => (IReadOnlyList<string>)[.. g.Select(r => (string)r[1]!)])
            .ToList();
        return SqliteTableInfo.Of((string)found[0][0]!, columns, uniqueKeys);
    }

    IReadOnlyList<object?[]> Raw(D1Statement statement, bool exact = false)
    {
        Join();
        return RawNow(statement, exact);
    }

    /// <summary>A read without waiting for the chunk in flight (the chunk's own task uses it).</summary>
    IReadOnlyList<object?[]> RawNow(D1Statement statement, bool exact = false)
    {
        Requests++;
        var result = _db.RawAsync(statement, RetrySafety.Read).GetAwaiter().GetResult();
        return result.Count == 0 ? [] : result[^1].DecodeRows(exact);
    }

    IReadOnlyList<D1QueryResult> Send(IReadOnlyList<D1Statement> statements, RetrySafety safety)
    {
        Join();
        Requests++;
        BytesSent += D1DatabaseClient.RequestBody(statements, batch: true).LongLength;
        return _db.QueryBatchAsync(statements, safety).GetAwaiter().GetResult();
    }

    /// <summary>
    /// The write path of a table (<see cref="ImportOptions.Method"/>) and why. The import path
    /// takes only tables whose every row is the run's (created, or empty before it): an import
    /// cannot skip, replace or merge rows already there, and is reverted as a whole.
    /// </summary>
    /// <exception cref="ArgumentException">-Method Import where it cannot be used, naming the table (nothing of it written yet).</exception>
    (D1WriteMethod Method, string Why) MethodFor(string table, bool exists = true)
    {
        var asked = Options.Method;
        if (asked == D1WriteMethod.Query) return (D1WriteMethod.Query, "-Method Query");
        var explicitly = asked == D1WriteMethod.Import ? "-Method Import" : null;
        if (Options.OnConflict != OnConflict.Abort)
            return explicitly is null
                ? (D1WriteMethod.Query, $"-OnConflict {Options.OnConflict} works against the rows already there")
                : throw new ArgumentException($"Table {table}: " + MethodProblem(asked, Options.OnConflict));
        var created = !exists || WasCreated(table);
        var owned = created || (_run is not null ? _run.OwnsAllRows(table) : IsEmpty(table));
        if (!owned)
            return explicitly is null
                ? (D1WriteMethod.Query, "the table held rows before the run")
                : throw new ArgumentException($"Table {table} holds rows that were there before the run: -Method Import writes only tables the run creates "
                    + "or finds empty (an import cannot be undone row by row, nor skip rows already there). Use -Method Query or Auto; nothing was written.");
        return (D1WriteMethod.Import, (explicitly is null ? "" : explicitly + ": ") + (created ? "the run creates the table" : "the table was empty before the run"));
    }

    /// <summary>The mistake in a -Method / -OnConflict pair that no table can satisfy, or null.</summary>
    public static string? MethodProblem(D1WriteMethod method, OnConflict onConflict) =>
        method == D1WriteMethod.Import && onConflict != OnConflict.Abort
            ? $"-Method Import cannot go with -OnConflict {onConflict}: an import file only adds rows, and one that meets an existing key is reverted as a whole. "
              + "Use -Method Query or Auto; nothing was written."
            : null;

    bool IsEmpty(string table) => Raw(new D1Statement("SELECT 1 FROM " + SqlQuote.Identifier(table) + " LIMIT 1")).Count == 0;

    /// <summary>A progress line: rows, requests, bytes and rate so far.</summary>
    string Totals(string head)
    {
        var seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        return string.Create(CultureInfo.InvariantCulture,
            $"{head}: {RowsWritten:N0} rows in {Requests:N0} requests ({(Requests > 0 ? RowsWritten / (double)Requests : 0):N1} rows/request, {ChunksImported:N0} import chunks), "
            + $"{BytesSent / 1e6:N1} MB sent, {(seconds > 0 ? RowsWritten / seconds : 0):N0} rows/s over {seconds:N1} s.");
    }

    /// <summary>
    /// Sends a chunk through the import API. When its outcome is unknown (init or ingest lost
    /// their answer, the polls failed), the chunk's journal row says whether it landed: there,
    /// it is done (never applied twice; D1 runs queries only after a pending import, so the read
    /// sees its end); absent, the same file is sent again.
    /// </summary>
    /// <returns>The import's result, or null when the chunk proved committed but its answer was lost.</returns>
    D1ImportResult? SendChunk(byte[] sql, string table, int journalBatch, int chunk, ChunkTrace trace)
    {
        // Off the caller's thread (the caller buffers the next chunk meanwhile): lines wait in the trace for the join.
        const int attempts = 5;
        for (var attempt = 1; ; attempt++)
        {
            BytesSent += sql.LongLength;
            try
            {
                return _db.ImportAsync(sql, p =>
                {
                    // init + PUT, then ingest, then each poll: one request each.
                    trace.Requests += p.Stage == "upload" ? 2 : 1;
                    foreach (var m in p.Messages) trace.Lines.Add($"{table}: chunk {chunk}: D1: {m}");
                }).GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is AmbiguousWriteException or CloudflareUnavailableException && _run is not null && attempt < attempts)
            {
                var failure = ex is AmbiguousWriteException a ? a.Failure : ex.Message;
                if (IsJournaled(table, journalBatch))
                {
                    BatchesProvenCommitted++;
                    trace.Lines.Add($"Chunk {chunk} of {table} (batch {journalBatch}): the import's answer was lost ({failure}); its journal row is there, so it landed and is not sent again.");
                    return null;
                }
                BatchesResent++;
                trace.Lines.Add($"Chunk {chunk} of {table} (batch {journalBatch}): the import's answer was lost ({failure}); its journal row is not there, so it did not land: sending it again.");
            }
        }
    }

    /// <summary>
    /// Sends a batch's request. When its outcome is unknown, the batch's journal row says whether
    /// it committed: if it is there, the batch is done (never applied twice); if not, it is sent again.
    /// </summary>
    /// <returns>The results, or null when the batch proved committed but its answer was lost.</returns>
    IReadOnlyList<D1QueryResult>? SendBatch(IReadOnlyList<D1Statement> statements, string table, int journalBatch)
    {
        const int attempts = 5;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return Send(statements, RetrySafety.Write);
            }
            catch (AmbiguousWriteException ex) when (_run is not null && attempt < attempts)
            {
                if (IsJournaled(table, journalBatch))
                {
                    BatchesProvenCommitted++;
                    RaiseLog($"Batch {journalBatch} of {table}: the answer was lost ({ex.Failure}); its journal row is there, so it committed and is not sent again.");
                    return null;
                }
                BatchesResent++;
                RaiseLog($"Batch {journalBatch} of {table}: the answer was lost ({ex.Failure}); its journal row is not there, so it did not commit: sending it again.");
            }
        }
    }

    bool IsJournaled(string table, int journalBatch) => JournaledWritten(table, journalBatch) is not null;

    /// <summary>The rows a batch's journal row says it wrote (D1's own count, corrected in its request); null when the batch is not journaled.</summary>
    int? JournaledWritten(string table, int journalBatch) =>
        RawNow(D1Statement.Of($"SELECT rows_written FROM {JournalTables.Batches} WHERE run_id = {{0}} AND table_name = {{1}} AND batch_number = {{2}}",
            _run!.RunId, table, journalBatch)) is [var row, ..] ? (int)System.Convert.ToInt64(row[0], CultureInfo.InvariantCulture) : null;

    /// <summary>
    /// Sends the rows in a request that always rolls back: null when D1 would take them all,
    /// else D1's refusal. The last statement fails on purpose; its message names the sentinel.
    /// </summary>
    string? Probe(RemoteInsert insert, IReadOnlyList<Row> rows)
    {
        List<D1Statement> statements = [.. insert.Statements(rows), new D1Statement($"SELECT * FROM {ProbeSentinel}")];
        try
        {
            // Never commits, so it is as safe to repeat as a read.
            Send(statements, RetrySafety.Read);
        }
        catch (D1SqlException ex)
        {
            var message = Refusal(ex);
            return message.Contains(ProbeSentinel, StringComparison.Ordinal) ? null : message;
        }
        throw new InvalidOperationException($"A probe of {rows.Count} row(s) into {Location} committed, which it must never do.");
    }

    static string Refusal(D1SqlException ex) => ex.Errors.FirstOrDefault()?.Message ?? ex.Message;

    /// <summary>The rows of <paramref name="rows"/> that D1 refuses, each with its refusal, by bisection (about 2·log2(n) probes per bad row).</summary>
    List<(Row Row, string Refusal)> FindRefused(RemoteInsert insert, IReadOnlyList<Row> rows, string? knownRefusal)
    {
        var refusal = knownRefusal ?? Probe(insert, rows);
        if (refusal is null) return [];
        if (rows.Count == 1) return [(rows[0], refusal)];
        var half = rows.Count / 2;
        var left = FindRefused(insert, rows.Take(half).ToList(), null);
        var right = FindRefused(insert, rows.Skip(half).ToList(), null);
        return [.. left, .. right];
    }

    /// <summary>
    /// The first row that D1 refuses after the rows before it, as it would be refused if the rows
    /// were committed one by one in order (how the local target meets a key twice in one batch):
    /// a binary search for the shortest refused prefix, about log2(n) probes. Null when the whole
    /// prefix passes. A longer prefix of a refused one is refused too (a failing statement fails its request).
    /// </summary>
    /// <param name="refusal">D1's refusal of the whole list (it was just sent).</param>
    (Row Row, string Refusal)? FirstRefusedInOrder(RemoteInsert insert, IReadOnlyList<Row> rows, string refusal)
    {
        int passes = 0, fails = rows.Count; // the prefix of `passes` rows passes, that of `fails` rows is refused
        while (fails - passes > 1)
        {
            var mid = passes + (fails - passes) / 2;
            var message = Probe(insert, [.. rows.Take(mid)]);
            if (message is null) passes = mid;
            else (fails, refusal) = (mid, message);
        }
        // Every proper prefix passes, yet the whole list was refused: not a row's fault.
        if (fails == rows.Count && Probe(insert, rows) is null) return null;
        return (rows[fails - 1], refusal);
    }

    /// <summary>One table's buffer, INSERT and figures.</summary>
    sealed class RemoteTable(RemoteD1Target target, SqliteTableInfo info, TableSchema schema, D1WriteMethod method) : IBufferedTable
    {
        TableBinding _binding = TableBinding.Create(schema, info, target.Options.OnConflict);
        RemoteInsert? _insert;
        LiteralInsert? _literal;
        List<Row> _buffer = [];

        /// <summary>Import path: each buffered row's literal tuple, or null when it goes through /query (no literal, or too big for a statement).</summary>
        List<string?> _tuples = [];
        long _bufferBytes;
        int _batches, _chunks;
        int _pendingFailed;
        long _written, _skipped, _failed, _elapsedTicks;
        bool _checkResume = target._run is { IsResumed: true } run && run.OwnsAllRows(info.Name) && schema.HasPrimaryKey;
        /// <summary>Dry run: whether the table is there to look keys up in (a table it would create holds none).</summary>
        public bool Exists { get; init; } = true;
        /// <summary>The table's foreign keys as planned for the load (null: none, or a dry run).</summary>
        public RemoteForeignKeys? Keys { get; init; }

        long _orphans;

        /// <summary>A deferred key found without its parent when filled in: the figures follow what the policy did.</summary>
        public void FixupOrphan(bool deleted, bool failed)
        {
            _orphans++;
            if (deleted)
            {
                _written--;
                _skipped++;
                target.RowsWritten--;
            }
            if (failed) _failed++;
        }
        readonly int _journalOffset = target._run?.RecordedBatches(info.Name) ?? 0;

        public TableSchema Schema => _binding.Schema;
        string Table => _binding.Table;
        RemoteInsert Insert => _insert ??= new RemoteInsert(_binding, target.Options.Limits);
        LiteralInsert Literal => _literal ??= new LiteralInsert(_binding);
        bool Imports => method == D1WriteMethod.Import;

        /// <summary>Whether D1 may leave a row sent as it was (Ignore; Upsert's DO NOTHING when every column is key): rows sent are then not all rows written.</summary>
        bool CanLeaveRows => target.Options.OnConflict is OnConflict.Ignore or OnConflict.Upsert;
        int MaxStatementBytes => Math.Min(target.Options.Limits.MaxStatementBytes, D1Statement.MaxSqlBytes);

        public void Rebind(TableSchema next)
        {
            var binding = TableBinding.Create(next, info, target.Options.OnConflict);
            Flush();
            _binding = binding;
            _insert = null;
            _literal = null;
        }

        public void Add(Row row)
        {
            var refused = RowValidator.Check(row, _binding, target.Options.Limits);
            if (refused is not null)
            {
                _pendingFailed++;
                target.Refused(refused);
                return;
            }
            _buffer.Add(row);
            if (!Imports)
            {
                _bufferBytes += ApproximateBytes(row);
                if (_buffer.Count >= target.Options.BatchSize || _bufferBytes >= target.MaxRequestBytes) Flush();
                return;
            }
            // A value with no exact literal is left to /query, which binds it (or refuses it, naming it).
            var tuple = Literal.Tuple(row, out _);
            if (tuple is not null && !D1ImportChunk.Fits(Literal, tuple, MaxStatementBytes)) tuple = null;
            _tuples.Add(tuple);
            _bufferBytes += tuple is null ? ApproximateBytes(row) : Encoding.UTF8.GetByteCount(tuple) + 2;
            if (_buffer.Count >= target.Options.ImportChunkRows || _bufferBytes >= target.Options.ImportChunkBytes) Flush();
        }

        static long ApproximateBytes(Row row)
        {
            long n = 0;
            foreach (var v in row.GetValues())
                n += v switch
                {
                    string s => Encoding.UTF8.GetByteCount(s) + 2,
                    byte[] b => b.Length * 4L,
                    _ => 24,
                };
            return n;
        }

        public void Flush()
        {
            if (_buffer.Count == 0)
            {
                _failed += _pendingFailed;
                _pendingFailed = 0;
                return;
            }
            var rows = _buffer;
            var tuples = _tuples;
            _buffer = [];
            _tuples = [];
            _bufferBytes = 0;
            var start = Stopwatch.GetTimestamp();
            if (target.Options.DryRun)
            {
                CountDryRun(rows, start);
                return;
            }
            if (_checkResume)
            {
                var left = WithoutCommitted(rows);
                if (Imports && left.Count != rows.Count)
                {
                    var kept = new HashSet<Row>(left, ReferenceEqualityComparer.Instance);
                    tuples = [.. tuples.Where((_, i) => kept.Contains(rows[i]))];
                }
                rows = left;
            }
            if (rows.Count == 0) return;
            if (!Imports)
            {
                Write(rows, start);
                return;
            }
            // Runs of rows with a literal go as chunks; a row too big for a statement goes through
            // /query between them, so the batches (and their checkpoints) stay in row order.
            for (var i = 0; i < rows.Count;)
            {
                var literal = tuples[i] is not null;
                var j = i;
                while (j < rows.Count && tuples[j] is not null == literal) j++;
                var run = rows.GetRange(i, j - i);
                // Auto: a run that fits one /query request costs one request there, an import four.
                if (literal && !(target.Options.Method == D1WriteMethod.Auto && run.Count <= target.Options.BatchSize))
                    WriteChunk(run, tuples.GetRange(i, j - i)!, start);
                else
                    WriteQueryBatches(run);
                i = j;
            }
        }

        /// <summary>Rows through /query, in batches of -BatchSize rows and at most <see cref="MaxRequestBytes"/> bytes each.</summary>
        void WriteQueryBatches(List<Row> rows)
        {
            var batch = new List<Row>();
            long bytes = 0;
            foreach (var row in rows)
            {
                var size = ApproximateBytes(row);
                if (batch.Count > 0 && (batch.Count >= target.Options.BatchSize || bytes + size > target.MaxRequestBytes))
                {
                    Write(batch, Stopwatch.GetTimestamp());
                    batch = [];
                    bytes = 0;
                }
                batch.Add(row);
                bytes += size;
            }
            if (batch.Count > 0) Write(batch, Stopwatch.GetTimestamp());
        }

        /// <summary>
        /// One chunk through the import API: the batch's journal statements and its rows in one
        /// file. Refused by D1 (reverted whole), its rows go through /query, where a refused row is
        /// found and quarantined.
        /// </summary>
        void WriteChunk(List<Row> rows, List<string> tuples, long start)
        {
            target.Join(); // the previous chunk ends (and is journaled in memory) before this one is
            var batchNumber = ++_batches;
            var chunkNumber = ++_chunks;
            var failedBefore = _pendingFailed;
            _pendingFailed = 0;
            var journalBatch = _journalOffset + batchNumber;
            target._journal?.PrepareBatch(rows);
            var restore = target._run?.Snapshot();
            var chunk = new D1ImportChunk(Schema.Definition?.ForeignKeys.Count > 0);
            target._journal?.RecordBatch(chunk, new BatchResult(Table, batchNumber, rows.Count, 0, failedBefore, Stopwatch.GetElapsedTime(start)), rows);
            chunk.Insert(Literal, Schema.Columns.Count, tuples, MaxStatementBytes);
            var sql = chunk.ToUtf8();
            var trace = new ChunkTrace();
            var send = Task.Run(() => target.SendChunk(sql, Table, journalBatch, chunkNumber, trace));
            var statements = chunk.Statements;
            target._inflight = (send, () => Finish(send, trace, rows, sql.Length, statements, failedBefore, restore, batchNumber, chunkNumber, start));
        }

        /// <summary>The end of a chunk, on the caller's thread (see <see cref="Join"/>).</summary>
        void Finish(Task send, ChunkTrace trace, List<Row> rows, int bytes, int statements, int failedBefore, Action? restore, int batchNumber, int chunkNumber, long start)
        {
            try
            {
                send.GetAwaiter().GetResult();
            }
            catch (D1ImportFailedException ex) when (!(target._run is not null && target.IsJournaled(Table, _journalOffset + batchNumber)))
            {
                // Nothing of the chunk landed (its journal row is not there): the batch is not spent.
                Emit(trace);
                restore?.Invoke();
                _batches--;
                _pendingFailed += failedBefore;
                target.RaiseLog($"{Table}: chunk {chunkNumber}: D1 refused the import and reverted it whole ({ex.Error}); its {rows.Count:N0} rows go through /query, "
                    + "where a refused row is found and quarantined.");
                WriteQueryBatches(rows);
                return;
            }
            catch
            {
                Emit(trace);
                throw;
            }
            // (A refusal with the journal row there: an earlier send of this very chunk landed, and the second was refused whole.)
            Emit(trace);
            _written += rows.Count;
            _failed += failedBefore;
            _elapsedTicks += Stopwatch.GetTimestamp() - start;
            target.RowsWritten += rows.Count;
            target.ChunksImported++;
            target.RaiseLog(string.Create(CultureInfo.InvariantCulture,
                $"{Table}: chunk {chunkNumber} landed: {rows.Count:N0} rows, {statements:N0} statements, {bytes:N0} bytes, {trace.Requests} requests, "
                + $"{Stopwatch.GetElapsedTime(start).TotalSeconds:N1} s. ") + target.Totals("So far"));
            target.RaiseBatchCommitted(new BatchResult(Table, batchNumber, rows.Count, 0, failedBefore, Stopwatch.GetElapsedTime(start)));
            target.RaiseProgress(string.Create(CultureInfo.InvariantCulture, $"{Table}: chunk {chunkNumber} landed ({rows.Count:N0} rows)"));
        }

        void Emit(ChunkTrace trace)
        {
            target.Requests += trace.Requests;
            foreach (var line in trace.Lines)
            {
                target.RaiseLog(line);
                target.RaiseProgress(line);
            }
        }

        /// <summary>
        /// -WhatIf: what the batch would do, from reads only. Rows whose conflict key is in the table
        /// already are skipped (Ignore), updated (Upsert, counted written), replaced, or refused
        /// (Abort), as the local dry run counts them; nothing is sent but the key lookups.
        /// </summary>
        void CountDryRun(List<Row> rows, long start)
        {
            var key = _binding.ConflictKey.Select(k => Schema.IndexOf(k)).ToList();
            var existing = Exists && key.Count > 0 && key.All(k => k >= 0) ? ExistingKeys(rows, key) : [];
            int written = 0, skipped = 0, failed = _pendingFailed;
            _pendingFailed = 0;
            var mode = target.Options.OnConflict;
            foreach (var row in rows)
            {
                if (existing.Count == 0 || !existing.Contains(KeyText([.. key.Select(k => row.GetValue(k))])) || mode == OnConflict.Replace) written++;
                else if (mode == OnConflict.Upsert && Schema.Columns.Count > key.Count) written++;
                else if (mode is OnConflict.Upsert or OnConflict.Ignore) skipped++;
                else
                {
                    failed++;
                    target.RaiseRowFailed(new RowError(Table, row.DescribeKey(), string.Join(", ", _binding.ConflictKey),
                        "UNIQUE constraint failed (dry run: a row with this key already exists)", row.DescribeKey()));
                }
            }
            _batches++;
            _written += written;
            _skipped += skipped;
            _failed += failed;
            _elapsedTicks += Stopwatch.GetTimestamp() - start;
            target.RaiseBatchCommitted(new BatchResult(Table, _batches, written, skipped, failed, Stopwatch.GetElapsedTime(start)));
        }

        /// <summary>On a resumed run: the rows whose key is not in the table yet (an earlier attempt committed the others).</summary>
        List<Row> WithoutCommitted(List<Row> rows)
        {
            var keys = Schema.PrimaryKey;
            var existing = ExistingKeys(rows, keys);
            if (existing.Count == 0)
            {
                _checkResume = false; // rows come in key order: past the checkpoint, nothing more is there
                return rows;
            }
            var left = rows.Where(r => !existing.Contains(KeyText([.. keys.Select(k => r.GetValue(k))]))).ToList();
            target._run!.CountAlreadyWritten(rows.Count - left.Count);
            target.RaiseLog($"{Table}: {rows.Count - left.Count} row(s) of this batch were committed by an earlier attempt of run {target._run.RunId}; not sent again.");
            return left;
        }

        /// <summary>The keys (columns <paramref name="keys"/> of the rows) that the table holds already, as <see cref="KeyText"/>; reads only.</summary>
        HashSet<string> ExistingKeys(List<Row> rows, IReadOnlyList<int> keys)
        {
            var existing = new HashSet<string>(StringComparer.Ordinal);
            var perQuery = Math.Max(1, D1Statement.MaxParameters / keys.Count);
            for (var at = 0; at < rows.Count; at += perQuery)
            {
                var chunk = rows.Skip(at).Take(perQuery).ToList();
                var template = new StringBuilder("SELECT ")
                    .Append(string.Join(", ", keys.Select(k => D1ExactRead.Column(Schema.Columns[k].Name))))
                    .Append(" FROM ").Append(SqlQuote.Identifier(Table)).Append(" WHERE (")
                    .Append(string.Join(", ", keys.Select(k => SqlQuote.Identifier(Schema.Columns[k].Name)))).Append(") IN (VALUES ");
                var values = new List<object?>();
                for (var r = 0; r < chunk.Count; r++)
                {
                    template.Append(r > 0 ? ", (" : "(");
                    for (var k = 0; k < keys.Count; k++)
                    {
                        template.Append(k > 0 ? ", {" : "{").Append(values.Count.ToString(CultureInfo.InvariantCulture)).Append('}');
                        values.Add(chunk[r].GetValue(keys[k]));
                    }
                    template.Append(')');
                }
                template.Append(')');
                foreach (var found in target.Raw(D1Statement.Of(template.ToString(), [.. values]), exact: true))
                    existing.Add(KeyText(found));
                // Chunks land whole and in key order: when the first keys of this one are not there, no later key is.
                if (Imports && existing.Count == 0) break;
            }
            return existing;
        }

        static string KeyText(object?[] key) => string.Join("\u0001", key.Select(v => v switch
        {
            null => "n",
            long l => "i" + l.ToString(CultureInfo.InvariantCulture),
            double d => "r" + d.ToString("R", CultureInfo.InvariantCulture),
            string s => "t" + s,
            byte[] b => "b" + System.Convert.ToBase64String(b),
            _ => "?" + System.Convert.ToString(v, CultureInfo.InvariantCulture),
        }));

        void Write(List<Row> rows, long start)
        {
            target.Join();
            var batchNumber = ++_batches;
            var failedBefore = _pendingFailed;
            _pendingFailed = 0;
            target._journal?.PrepareBatch(rows);
            var refused = new List<(Row Row, RowError Error)>();
            // Orphans by row (not written, or written with NULL in the key); keys D1 does not enforce are looked up first.
            var orphans = new Dictionary<Row, RemoteForeignKeys.Outcome>(ReferenceEqualityComparer.Instance);
            if (Keys is { HasUnenforced: true } unenforced)
                foreach (var o in unenforced.Check(rows, enforcedByTarget: false, target.RawBatch)) Orphaned(orphans, o);
            var resolvedEnforced = false;
            IReadOnlyList<D1QueryResult>? results;
            int dataStatements, dataOffset, stride;
            bool logged;
            List<Row> good;
            while (true)
            {
                var restore = target._run?.Snapshot();
                good = rows.Where(r => !refused.Any(x => ReferenceEquals(x.Row, r)) && !(orphans.TryGetValue(r, out var o) && o.Send is null)).ToList();
                // What goes to D1: deferred keys NULL (filled in later), orphan keys NULL under -OrphanPolicy Null.
                var sent = good.Select(r => Sendable(r, orphans)).ToList();
                var original = new Dictionary<Row, Row>(ReferenceEqualityComparer.Instance);
                for (var i = 0; i < good.Count; i++) original[sent[i]] = good[i];
                var inserts = sent.Count == 0 ? [] : Insert.Statements(sent);
                dataStatements = inserts.Count;
                // Rows written into a table that held rows (or cascading into one) are logged for undo.
                // D1's meta.changes then counts the log's trigger rows too, so each INSERT is followed
                // by SELECT changes(), which counts the statement's own rows only.
                logged = dataStatements > 0 && target._undoSpan is not null;
                // Where D1 may leave a row as it was (Ignore, Upsert's DO NOTHING), the journal's counts
                // are corrected after each INSERT from changes(), in this same request.
                var counted = dataStatements > 0 && target._journal is not null && CanLeaveRows;
                var journalBatch = _journalOffset + batchNumber;
                stride = 1 + (logged ? 1 : 0) + (counted ? 1 : 0);
                var data = new D1BatchStatements();
                foreach (var insert in inserts)
                {
                    data.Statements.Add(insert);
                    if (logged) data.Statements.Add(ChangesOfLast);
                    if (counted) JournalStore.RowsLeftByLastInsert(data, target._run!.RunId, Table, journalBatch, Insert.RowsIn(insert));
                }
                var statements = new List<D1Statement>();
                if (Keys is { Plan.DeferInBatch: true } && dataStatements > 0)
                    // A self-reference that cannot start NULL: checked when the request's transaction ends.
                    statements.Add(new D1Statement("PRAGMA defer_foreign_keys = on"));
                if (target._journal is { } journal)
                {
                    foreach (var (row, error) in refused) journal.RowRefused(row, error);
                    foreach (var (row, o) in orphans)
                        if (o.Send is null) journal.RowRefused(row, o.Error ?? ForeignKeyPlan.SkippedEntry(row, o.Orphan!));
                    var journalStatements = new D1BatchStatements();
                    // Orphans left out under Skip are skipped, as the summary (and the local journal) counts them; the other rows not written failed.
                    var orphansSkipped = orphans.Values.Count(o => o.Send is null && o.Error is null);
                    var notWritten = refused.Count + orphans.Values.Count(o => o.Send is null) - orphansSkipped;
                    journal.RecordBatch(journalStatements, new BatchResult(Table, batchNumber, good.Count, orphansSkipped, notWritten + failedBefore, Stopwatch.GetElapsedTime(start)), rows);
                    if (Keys is { HasDeferred: true } deferred) deferred.Journal(journalStatements, target._run!.RunId, Table, good);
                    // Before the rows: the batch's journal row is there for the counts that follow each INSERT to correct.
                    statements.AddRange(journalStatements.Statements);
                }
                dataOffset = statements.Count;
                if (logged)
                {
                    statements.AddRange(target._undoSpan!.Value.Open);
                    dataOffset += target._undoSpan.Value.Open.Count;
                    statements.AddRange(data.Statements);
                    statements.AddRange(target._undoSpan.Value.Close);
                }
                else statements.AddRange(data.Statements);
                if (counted)
                {
                    var tableCounts = new D1BatchStatements();
                    JournalStore.TableCountsFollowBatch(tableCounts, target._run!.RunId, Table, journalBatch, good.Count);
                    statements.AddRange(tableCounts.Statements);
                }
                if (statements.Count == 0) { results = []; break; }
                try
                {
                    results = target.SendBatch(statements, Table, _journalOffset + batchNumber);
                    break;
                }
                catch (D1SqlException ex) when (good.Count > 0)
                {
                    restore?.Invoke();
                    if (!resolvedEnforced && Keys is { HasEnforced: true } enforced && Refusal(ex).Contains("FOREIGN KEY", StringComparison.Ordinal))
                    {
                        // D1 checked the keys the table declares: one set of parent lookups for the batch names each orphan.
                        resolvedEnforced = true;
                        var found = enforced.Check(good, enforcedByTarget: true, target.RawBatch);
                        foreach (var o in found) Orphaned(orphans, o);
                        if (found.Count > 0)
                        {
                            target.RaiseLog($"{Table}: batch {batchNumber}: D1 refused a foreign key; {found.Count} row(s) name a parent row that is not there (-OrphanPolicy {target.Options.OrphanPolicy}); the batch is sent again.");
                            continue;
                        }
                    }
                    var refusedRows = target.FindRefused(Insert, sent, refused.Count == 0 && sent.Count == 1 ? Refusal(ex) : null);
                    // No row is refused alone: rows clash only with each other (a key twice in one batch).
                    // Locally the first commits and the later one fails; the first failing prefix finds that later row.
                    if (refusedRows.Count == 0 && target.FirstRefusedInOrder(Insert, sent, Refusal(ex)) is { } clash) refusedRows = [clash];
                    if (refusedRows.Count == 0) throw; // D1 refuses the batch but every prefix of it passes: not a row's fault, stop
                    foreach (var (sentRow, message) in refusedRows)
                    {
                        var row = original[sentRow];
                        var error = SqliteRowFailure.Describe(message, row, _binding);
                        target.RaiseRowFailed(error);
                        if (target.Options.StopAtFirstRefusal) throw new RowRefusedException(error);
                        refused.Add((row, error));
                    }
                    target.RaiseLog($"{Table}: batch {batchNumber}: D1 refused {refusedRows.Count} row(s) ({Refusal(ex)}); they are quarantined and the batch is sent without them.");
                }
            }
            if (target._run is null && Keys is { HasDeferred: true } memory) memory.Remember(Table, good);
            int orphanSkipped = 0, orphanFailed = 0;
            foreach (var o in orphans.Values)
            {
                _orphans++;
                target.RaiseOrphanFound(o.Orphan!);
                if (o.Send is not null) continue;
                if (o.Error is null) orphanSkipped++;
                else
                {
                    orphanFailed++;
                    target.RaiseRowFailed(o.Error);
                }
            }
            var sentCount = good.Count;
            // D1 counts the rows each INSERT changed: Ignore's and DO NOTHING's skipped rows are not among them.
            // Each INSERT's statements: the INSERT, then its SELECT changes() when logged (then the journal's count when counted).
            var written = results is null ? target.JournaledWritten(Table, _journalOffset + batchNumber) ?? sentCount
                : results.Count < dataOffset + dataStatements * stride ? sentCount
                : logged ? (int)results.Skip(dataOffset).Take(dataStatements * stride).Where((_, i) => i % stride == 1).Sum(r => r.Rows[0].First().Value.GetInt64())
                : (int)results.Skip(dataOffset).Take(dataStatements * stride).Where((_, i) => i % stride == 0).Sum(r => r.Meta.Changes);
            written = Math.Min(written, sentCount);
            var skipped = sentCount - written + orphanSkipped;
            var failed = refused.Count + orphanFailed + failedBefore;
            _written += written;
            target.RowsWritten += written;
            _skipped += skipped;
            _failed += failed;
            _elapsedTicks += Stopwatch.GetTimestamp() - start;
            target.RaiseBatchCommitted(new BatchResult(Table, batchNumber, written, skipped, failed, Stopwatch.GetElapsedTime(start)));
            target.RaiseProgress(string.Create(CultureInfo.InvariantCulture, $"{Table}: batch {batchNumber} committed ({written:N0} rows)"));
        }

        /// <summary>Notes an orphan of the batch; under -ErrorAction Stop a refused one stops the load before anything of the batch is sent.</summary>
        void Orphaned(Dictionary<Row, RemoteForeignKeys.Outcome> orphans, RemoteForeignKeys.Outcome outcome)
        {
            if (outcome.Error is not null && target.Options.StopAtFirstRefusal)
            {
                target.RaiseOrphanFound(outcome.Orphan!);
                target.RaiseRowFailed(outcome.Error);
                throw new RowRefusedException(outcome.Error);
            }
            orphans[outcome.Row] = outcome;
        }

        /// <summary>The row as it goes to D1: its own, or a copy with the deferred keys (and a nulled orphan's key) NULL.</summary>
        Row Sendable(Row row, Dictionary<Row, RemoteForeignKeys.Outcome> orphans)
        {
            if (Keys is null) return row;
            var values = row.GetValues();
            var changed = false;
            if (orphans.TryGetValue(row, out var o) && o.Send is { } nulled) { values = nulled; changed = true; }
            if (Keys.HasDeferred) { values = Keys.Initial(values); changed = true; }
            return changed ? new Row(Schema, values) : row;
        }

        public TableSummary Summary() => new(Table, _written, _skipped, _failed, _batches, Stopwatch.GetElapsedTime(0, _elapsedTicks)) { RowsOrphaned = _orphans };
    }
}

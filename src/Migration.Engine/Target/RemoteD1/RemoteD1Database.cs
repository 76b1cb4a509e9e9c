using Migration.Engine.Cloudflare;
using Migration.Engine.Journal;
using Migration.Engine.Schema;

namespace Migration.Engine.Target.RemoteD1;

/// <summary>
/// A remote D1 database as a target, over Cloudflare's HTTP API (<see cref="CloudflareApiClient"/>:
/// timeout, rate limiter, retries only where safe). The journal lives in the database itself
/// (<see cref="D1JournalConnection"/>); rows go through <see cref="RemoteD1Target"/>, one
/// <c>/query</c> batch request per batch with the journal's statements in it; undo is
/// <see cref="RemoteD1Undo"/>.
/// </summary>
public sealed class RemoteD1Database : ITargetDatabase
{
    /// <param name="api">The run's one client (its rate limiter is shared by every call).</param>
    /// <param name="database">The database, resolved (name and UUID).</param>
    public RemoteD1Database(CloudflareApiClient api, D1DatabaseInfo database)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(database);
        Database = database;
        Client = api.D1(database.Uuid);
        Location = LocationPrefix + database.Name + "/" + database.Uuid;
        Undo = new RemoteD1Undo(Client, Journal);
    }

    /// <summary>How a remote D1 is named where a file path would be (a run's Path): <c>d1://name/uuid</c>.</summary>
    public const string LocationPrefix = "d1://";

    /// <summary>The database UUID of a location <c>d1://name/uuid</c> (a run's Path), or null when it is not one.</summary>
    public static string? DatabaseOf(string location) =>
        location.StartsWith(LocationPrefix, StringComparison.OrdinalIgnoreCase) && location.LastIndexOf('/') is var slash && slash >= LocationPrefix.Length
            ? location[(slash + 1)..]
            : null;

    public D1DatabaseInfo Database { get; }

    public D1DatabaseClient Client { get; }

    /// <summary>How runs and messages name it.</summary>
    public string Location { get; }

    public IUndoStrategy Undo { get; }

    /// <summary>A connection to the journal kept in this database.</summary>
    public IJournalConnection Journal() => new D1JournalConnection(Client, Location);

    public MigrationRun StartRun(RunStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (start.BackupPath is not null)
            throw new ArgumentException("A remote D1 is not backed up to a file; its Time Travel keeps the state before the run.", nameof(start));
        // Before the journal's own first write: restoring it takes the database back to before the run.
        // (A resumed run keeps its first attempt's bookmark, so it needs none.)
        var bookmark = start.Resume ? null : Client.GetBookmarkAsync().GetAwaiter().GetResult();
        using var journal = Journal();
        return JournalStore.Start(journal, start with { TimeTravelBookmark = bookmark }, Journal);
    }

    /// <summary>
    /// -Method Import into a table that holds rows is a parameter mistake: refused before the
    /// run starts (no run row, nothing written), naming the table and its rows. The same rule
    /// the target applies per table (<see cref="RemoteD1Target"/>), checked up front with reads
    /// only; a resumed run is not checked here (its own earlier rows are in the table).
    /// </summary>
    /// <remarks>
    /// So is -Method Import for a table whose foreign keys only /query can load (a cycle or a
    /// self-reference filled in after the load, a key D1 does not enforce for the table):
    /// <see cref="RemoteForeignKeys.ImportCannotApply"/>, decided as the target decides it.
    /// </remarks>
    /// <param name="tables">The D1 tables the first row's set (or the row alone) writes.</param>
    /// <param name="schemas">Their definitions when the rows carry them (a whole-database set, in load order, or the one table), for the foreign keys.</param>
    /// <exception cref="ArgumentException">A table holds rows, or has such foreign keys, naming it, why and the way out.</exception>
    public void CheckImportMethod(IReadOnlyCollection<string> tables, ImportOptions options, IReadOnlyList<TableSchema>? schemas = null)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Method != D1WriteMethod.Import || tables.Count == 0) return;
        if (schemas is { Count: > 0 }) CheckImportKeys(schemas, options);
        if (options.DryRun) return;
        var existing = new List<string>();
        // The table names as values, in pages within D1's 100 bound parameters per statement.
        foreach (var page in tables.Chunk(D1Statement.MaxParameters))
        {
            var list = string.Join(", ", page.Select((_, i) => "{" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}"));
            var found = Client.RawAsync(D1Statement.Of($"SELECT name FROM sqlite_schema WHERE type = 'table' AND name COLLATE NOCASE IN ({list})", [.. page])).GetAwaiter().GetResult();
            existing.AddRange(found.Count == 0 ? [] : found[^1].DecodeRows(false).Select(r => (string)r[0]!));
        }
        if (existing.Count == 0) return;
        var counts = Client.RawBatchAsync([.. existing.Select(t => new D1Statement("SELECT count(*) FROM " + SqlQuote.Identifier(t)))]).GetAwaiter().GetResult();
        var held = existing.Select((t, i) => (Table: t, Rows: System.Convert.ToInt64(counts[i].DecodeRows(false)[0][0], System.Globalization.CultureInfo.InvariantCulture)))
            .Where(t => t.Rows > 0).ToList();
        if (held.Count == 0) return;
        var which = held.Count == 1
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Table {held[0].Table} in {Location} holds {held[0].Rows:N0} rows")
            : $"Tables {string.Join(", ", held.Select(t => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{t.Table} ({t.Rows:N0} rows)")))} in {Location} hold rows";
        throw new ArgumentException($"{which}: -Method Import writes only tables the run creates or finds empty (an import cannot skip, replace or merge rows, "
            + "nor be undone row by row). Use -Method Query or Auto; nothing was written and no run was started.");
    }

    /// <summary>-Method Import for a table whose foreign keys rule it out (<see cref="RemoteForeignKeys.ImportCannotApply"/>), with reads only.</summary>
    void CheckImportKeys(IReadOnlyList<TableSchema> schemas, ImportOptions options)
    {
        IReadOnlyList<object?[]> Read(D1Statement s) => Client.RawAsync(s).GetAwaiter().GetResult() is { Count: > 0 } r ? r[^1].DecodeRows(false) : [];
        var present = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
        bool Present(string table) => present.TryGetValue(table, out var p) ? p
            : present[table] = Read(D1Statement.Of("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = {0} COLLATE NOCASE", table)).Count > 0;
        // A whole-database set loads in its order (a parent is loaded before when it comes earlier); a table alone finds its parents in the database.
        var position = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        if (schemas[0].Definition?.Set is { IsLoadOrder: true })
            for (var i = 0; i < schemas.Count; i++) position.TryAdd(schemas[i].Name, i);
        foreach (var schema in schemas)
        {
            RemoteForeignKeys? keys;
            // A key that cannot be loaded at all is the target's to report, as it does without -Method.
            try { keys = RemoteForeignKeys.For(schema, options.OrphanPolicy, position, Present, Present(schema.Name), () => RemoteForeignKeys.DeclaredKeys(schema.Name, Read), _ => { }); }
            catch (TargetSchemaException) { continue; }
            if (keys?.ImportCannotApply() is { } reason) throw RemoteForeignKeys.ImportRefused(schema.Name, reason, runStarted: false);
        }
    }

    /// <summary>The Time Travel bookmark taken before <paramref name="runId"/> first wrote, or null when it has none.</summary>
    public string? TimeTravelBookmark(long runId)
    {
        using var journal = Journal();
        return JournalStore.TimeTravelBookmark(journal, runId);
    }

    /// <summary>
    /// Restores the whole database to <paramref name="bookmark"/> with D1 Time Travel: every write
    /// since is reverted, the journal's included (the runs after the bookmark vanish from it).
    /// The result's previous bookmark undoes the restore.
    /// </summary>
    public D1RestoreResult RestoreTimeTravel(string bookmark) => Client.RestoreAsync(bookmark).GetAwaiter().GetResult();

    public IRowTarget Open(ImportOptions options, MigrationRun? run, Func<IBatchJournal, IBatchJournal>? observe = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        IBatchJournal? journal = run is null ? null : observe is null ? run : observe(run);
        var target = new RemoteD1Target(Client, Location, options, run, journal);
        if (run is not null) Undo.Arm(target, run.RunId, run.TablesWithRowsBefore);
        run?.Attach(target);
        return target;
    }


    IJournaledRun ITargetDatabase.StartRun(RunStart start) => StartRun(start);

    /// <summary>A resumed run's foreign keys loaded NULL first and not filled in yet (its fix-ups in the journal).</summary>
    public bool HasUnfinishedWork(IJournaledRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var found = Client.RawAsync(D1Statement.Of($"SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = {{0}}", RemoteForeignKeys.Fixups)).GetAwaiter().GetResult();
        if (System.Convert.ToInt64(found[^1].DecodeRows(false)[0][0], System.Globalization.CultureInfo.InvariantCulture) == 0) return false;
        var left = Client.RawAsync(D1Statement.Of($"SELECT 1 FROM {RemoteForeignKeys.Fixups} WHERE run_id = {{0}} LIMIT 1", run.RunId)).GetAwaiter().GetResult();
        return left[^1].DecodeRows(false).Count > 0;
    }

    IRowTarget ITargetDatabase.Open(ImportOptions options, IJournaledRun? run, Func<IBatchJournal, IBatchJournal>? observe) =>
        Open(options, run is null ? null : run as MigrationRun ?? throw new ArgumentException("The run was not started by this database.", nameof(run)), observe);

    /// <summary>The runs journaled in this database, oldest first (one with <paramref name="runId"/>).</summary>
    public IReadOnlyList<MigrationRunInfo> GetRuns(long? runId = null)
    {
        using var journal = Journal();
        return JournalStore.GetRuns(journal, runId);
    }

    /// <summary>The newest run that is not undone, or null.</summary>
    public long? LastRun() => Undo.LastRun();

    /// <summary>The rows a run quarantined, in the order they were met.</summary>
    public IReadOnlyList<QuarantinedRow> GetQuarantine(long runId)
    {
        using var journal = Journal();
        return JournalStore.Quarantined(journal, runId);
    }

    public override string ToString() => Location;
}

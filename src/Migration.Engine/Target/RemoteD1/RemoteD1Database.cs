using Migration.Engine.Cloudflare;
using Migration.Engine.Journal;

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
        Undo = new RemoteD1Undo(Journal);
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

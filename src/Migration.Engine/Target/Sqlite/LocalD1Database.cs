using Migration.Engine.Journal;

namespace Migration.Engine.Target.Sqlite;

/// <summary>
/// The local target: a SQLite file (new or existing, including the state file of
/// <c>wrangler d1 execute --local</c>). Rows go through <see cref="SqliteTarget"/>'s fast path
/// (prepared statements, direct native binding, a background writer); the journal lives in the
/// file itself; undo is <see cref="LocalUndoLog"/>.
/// </summary>
public sealed class LocalD1Database : ITargetDatabase
{
    /// <param name="path">The file's full filesystem path.</param>
    public LocalD1Database(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        Undo = new LocalUndoLog(path);
    }

    public string Path { get; }

    public IUndoStrategy Undo { get; }

    public MigrationRun StartRun(RunStart start) => MigrationJournal.Start(Path, start);

    public IRowTarget Open(ImportOptions options, MigrationRun? run, Func<IBatchJournal, IBatchJournal>? observe = null) =>
        run is null ? SqliteTarget.Open(Path, options) : run.OpenTarget(options, observe);


    IJournaledRun ITargetDatabase.StartRun(RunStart start) => StartRun(start);

    IRowTarget ITargetDatabase.Open(ImportOptions options, IJournaledRun? run, Func<IBatchJournal, IBatchJournal>? observe) =>
        Open(options, run is null ? null : run as MigrationRun ?? throw new ArgumentException("The run was not started by this database.", nameof(run)), observe);

    /// <summary>
    /// A resumed run's foreign keys loaded NULL first and not filled in yet (journaled by an
    /// earlier attempt): the session opens the target even when no row comes, so the run cannot
    /// end Completed with them NULL (see <see cref="SqliteTarget"/>'s end of load).
    /// </summary>
    public bool HasUnfinishedWork(IJournaledRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (!File.Exists(Path)) return false;
        using var connection = SqliteTarget.OpenConnection(Path, readOnly: true);
        return ForeignKeyGuard.Unapplied(connection, run.RunId).Count > 0;
    }

    public override string ToString() => Path;
}

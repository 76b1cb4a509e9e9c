using Migration.Engine.Target;

namespace Migration.Engine.Journal;

/// <summary>
/// The run journal kept inside a target database: starts and resumes runs, and reads them back
/// (Get-MigrationRun). See <see cref="MigrationRun"/> for what a run records per batch,
/// <see cref="JournalStore"/> for the SQL, and <see cref="MigrationUndo"/> for taking a run back.
/// </summary>
public static class MigrationJournal
{
    /// <summary>
    /// Starts a new run in the database at <paramref name="path"/> (a full path; created when
    /// missing), or with <see cref="RunStart.Resume"/> continues an unfinished one. A new run
    /// records which tables exist before it writes anything, so Undo knows which tables it created.
    /// </summary>
    /// <exception cref="InvalidOperationException">Nothing to resume: no such run, or it was undone.</exception>
    public static MigrationRun Start(string path, RunStart start) => JournalStore.Start(path, start);

    /// <summary>The runs recorded in a database, oldest first (one run with <paramref name="runId"/>); empty when it has no journal.</summary>
    public static IReadOnlyList<MigrationRunInfo> GetRuns(string path, long? runId = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return JournalTables.Read(path, c => JournalStore.GetRuns(c, path, runId));
    }

    /// <summary>
    /// The checkpoints of a run (default: the newest run not undone, the one
    /// <see cref="RunStart.Resume"/> continues), one per table it wrote; empty when there is none.
    /// </summary>
    public static IReadOnlyList<ResumePoint> ResumePoints(string path, long? runId = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return JournalStore.ResumePoints(path, runId);
    }

    /// <summary>The rows a run quarantined, in the order they were met.</summary>
    public static IReadOnlyList<QuarantinedRow> GetQuarantine(string path, long runId)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return JournalTables.Read(path, connection => JournalStore.Quarantined(connection, runId));
    }
}

using Migration.Engine.Journal;
using Migration.Engine.Preflight;
using Migration.Engine.Schema;

namespace Migration.Engine.Target;

/// <summary>
/// A place a session writes to, with its journaled run, its writer, its preflight and its way of
/// undoing; each in a folder of its own: the local SQLite/D1 file (<c>Sqlite/</c>), a remote D1
/// over HTTP (<c>RemoteD1/</c>), <c>.sql</c> files (<c>SqlFile/</c>, no journal), PostgreSQL
/// (<c>Postgres/</c>).
/// </summary>
public interface ITargetDatabase
{
    /// <summary>Starts (or with <see cref="RunStart.Resume"/> continues) the run journaled in this target.</summary>
    IJournaledRun StartRun(RunStart start);

    /// <summary>
    /// Opens the writer. With a run (one this database started), journaled by it and armed by
    /// <see cref="Undo"/>; without, a throwaway load (or a dry run).
    /// </summary>
    /// <param name="observe">A test hook: wraps the run's journal to watch each batch (D1 targets).</param>
    IRowTarget Open(ImportOptions options, IJournaledRun? run, Func<IBatchJournal, IBatchJournal>? observe = null);

    /// <summary>
    /// Whether a resumed run has work left that needs the writer even when no row comes (a remote
    /// D1's foreign keys still to fill in): the session then opens the target to complete it.
    /// </summary>
    bool HasUnfinishedWork(IJournaledRun run) => false;

    /// <summary>How this target makes a run undoable while it writes, and takes it back.</summary>
    IUndoStrategy Undo { get; }

    /// <summary>
    /// What this target cannot take of a set of tables (target kind), before any of their rows is
    /// written: D1's limits and reserved names unless the target says otherwise.
    /// </summary>
    PreflightReport CheckTargets(IReadOnlyList<TableSchema> tables, D1Limits limits, bool loadOrder) =>
        MigrationPreflight.CheckTargets(tables, limits, loadOrder: loadOrder);
}

using Migration.Engine.Journal;

namespace Migration.Engine.Target.Sqlite;

/// <summary>
/// The local file's <see cref="IUndoStrategy"/>: row images logged by TEMP triggers
/// (<see cref="UndoLogTriggers"/>) in each batch's own transaction, replayed backwards by
/// <see cref="MigrationUndo"/>.
/// </summary>
public sealed class LocalUndoLog(string path) : IUndoStrategy
{
    public void Arm(IRowTarget target, long runId, IReadOnlySet<string> tablesWithRows)
    {
        if (target is not SqliteTarget { Connection: { } connection })
            throw new ArgumentException("The local undo log arms a local SQLite target only.", nameof(target));
        UndoLogTriggers.Install(connection, runId, tablesWithRows);
    }

    public long? LastRun() => MigrationUndo.LastRun(path);

    public UndoPlan Plan(long runId) => MigrationUndo.Plan(path, runId);

    public IReadOnlyList<UndoAction> Undo(long runId, bool force = false) => MigrationUndo.Undo(path, runId, force);
}

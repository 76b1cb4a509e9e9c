namespace Migration.Engine.Journal;

/// <summary>What undoing one run would do, and what stands in the way.</summary>
public sealed record UndoPlan(
    MigrationRunInfo Run,
    IReadOnlyList<UndoAction> Actions,
    IReadOnlyList<string> Blockers)
{
    /// <summary>The run was undone already: undoing it again changes nothing.</summary>
    public bool AlreadyUndone => Run.Status == RunStatus.Undone;

    /// <summary>At least one blocker is a newer run on the same tables (the others: tables whose content cannot be proven the run's).</summary>
    internal bool BlockedByNewerRuns { get; init; }
}

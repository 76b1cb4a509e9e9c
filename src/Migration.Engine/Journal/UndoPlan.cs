namespace Migration.Engine.Journal;

/// <summary>What undoing one run would do, and what stands in the way.</summary>
public sealed record UndoPlan(
    MigrationRunInfo Run,
    IReadOnlyList<UndoAction> Actions,
    IReadOnlyList<string> Blockers)
{
    /// <summary>The run was undone already: undoing it again changes nothing.</summary>
    public bool AlreadyUndone => Run.State == RunStatus.Undone;

    /// <summary>At least one blocker is a newer run on the same tables (the others: tables whose content cannot be proven the run's).</summary>
    public bool BlockedByNewerRuns { get; init; }

    /// <summary>Why the undo is refused without force (null when nothing blocks it), with what to do.</summary>
    public string? Refusal(bool backupRestore = false)
    {
        if (Blockers.Count == 0) return null;
        var advice = backupRestore
            ? "Restoring the backup would also throw those runs away. Undo them first, or force it."
            : BlockedByNewerRuns
            ? "Undo the newer run(s) first, or force it (their rows in those tables may then be lost or left half-undone)."
            : "Force it to empty the table anyway (those rows are then lost).";
        var what = BlockedByNewerRuns ? "is not the latest change to its tables" : "cannot be undone exactly";
        return $"Run {Run.RunId} {what}: {string.Join("; ", Blockers)}. {advice}";
    }
}

namespace Migration.Engine.Journal;

/// <summary>Where a run stands, as its journal row says.</summary>
public enum RunStatus
{
    /// <summary>Started and not finished: still going, or stopped by a crash or a kill. Resume it to finish it.</summary>
    Running,
    /// <summary>Every row was written or quarantined.</summary>
    Completed,
    /// <summary>Stopped by an error (e.g. -MaxErrors, -ErrorAction Stop); resumable.</summary>
    Failed,
    /// <summary>Undone: the target was returned to its state before the run.</summary>
    Undone,
    /// <summary>
    /// Completed with refused tables: every table that could be taken was written (or its rows
    /// quarantined); the tables refused up front (named in the run's message, with their row
    /// counts) were not written. Like Completed, there is nothing to resume: fix the parameters
    /// and migrate those tables in a new run.
    /// </summary>
    CompletedWithRefusedTables,
}

/// <summary>What a status means for the run's life.</summary>
public static class RunStatusExtensions
{
    /// <summary>Completed, with or without refused tables: nothing is left to resume.</summary>
    public static bool IsComplete(this RunStatus status) => status is RunStatus.Completed or RunStatus.CompletedWithRefusedTables;
}

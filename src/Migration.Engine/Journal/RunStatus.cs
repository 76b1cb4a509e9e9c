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
}

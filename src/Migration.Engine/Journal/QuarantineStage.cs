namespace Migration.Engine.Journal;

/// <summary>Where a quarantined row was stopped.</summary>
public enum QuarantineStage
{
    /// <summary>Its value could not be converted to D1 without changing it (ConvertTo-D1Row).</summary>
    Convert,
    /// <summary>The target refused it (constraint, over a D1 limit, bad value).</summary>
    Write,
}

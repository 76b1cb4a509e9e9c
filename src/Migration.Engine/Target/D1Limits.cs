namespace Migration.Engine.Target;

/// <summary>
/// D1's documented limits (developers.cloudflare.com/d1/platform/limits). Every write path checks
/// them up front, so nothing is written that D1 would refuse.
/// </summary>
public sealed record D1Limits
{
    /// <summary>Columns per table.</summary>
    public int MaxColumns { get; init; } = 100;
    /// <summary>Bytes per row, string or BLOB (the documented 2,000,000).</summary>
    public long MaxRowBytes { get; init; } = 2_000_000;
    /// <summary>Bytes per SQL statement.</summary>
    public int MaxStatementBytes { get; init; } = 100_000;
    /// <summary>Bound parameters per statement.</summary>
    public int MaxBoundParameters { get; init; } = 100;

    public static D1Limits Default { get; } = new();
}

namespace Migration.Engine.Convert.D1ToPg;

/// <summary>
/// The settings of the D1 -> PostgreSQL cast rules, table-wide: the zone a timestamp written
/// without one is read in (default UTC), and what an INTEGER in a timestamp column counts.
/// </summary>
public sealed record D1ToPgSettings
{
    /// <summary>The zone of zone-less timestamp text (default UTC, as this module writes timestamptz).</summary>
    public TimeZoneInfo AssumeTimeZone { get; init; } = TimeZoneInfo.Utc;

    public EpochUnit EpochUnit { get; init; } = EpochUnit.Auto;

    public static D1ToPgSettings Default { get; } = new();

    /// <summary>A zone by its IANA or Windows id ("UTC" without a lookup); throws <see cref="ArgumentException"/> naming the id when this system does not know it.</summary>
    public static TimeZoneInfo TimeZone(string id)
    {
        try
        {
            return id.Equals("UTC", StringComparison.OrdinalIgnoreCase) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException)
        {
            throw new ArgumentException($"-AssumeTimeZone \"{id}\" is not a time zone this system knows (e.g. UTC, Europe/Oslo).");
        }
    }
}

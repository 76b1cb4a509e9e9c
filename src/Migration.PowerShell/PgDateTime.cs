using Migration.Engine.Source;

namespace Migration.PowerShell;

/// <summary>
/// A Postgres timestamp, timestamptz or date that <see cref="DateTime"/> cannot hold (BC, years
/// after 9999, <c>infinity</c>, <c>-infinity</c>), as a row shows it to PowerShell. Every value that
/// fits is a plain DateTime instead (see <see cref="RowAdapter"/>); this type keeps the rest usable:
/// it prints and exports as its ISO 8601 text (the text D1 receives), compares with DateTime,
/// DateTimeOffset, DateOnly and its own kind (<c>Where-Object valid_until -gt (Get-Date)</c> is true
/// for <c>infinity</c>), and a cast to [datetime] fails with a message saying why. The row itself
/// keeps the exact engine value, so ConvertTo-D1Row never sees this type.
/// </summary>
public sealed class PgDateTime : IComparable, IComparable<PgDateTime>, IEquatable<PgDateTime>
{
    static readonly long EpochTicks = new DateTime(2000, 1, 1).Ticks;

    // Ticks since 2000-01-01 00:00:00 on the value's own clock (UTC for timestamptz); the ends
    // of the range stand for the infinities. 128 bits: Postgres dates reach the year 5874897.
    readonly Int128 _ticks;

    PgDateTime(Int128 ticks, string text, object? exact = null)
    {
        _ticks = ticks;
        Value = text;
        Exact = exact;
    }

    /// <summary>
    /// The engine value it shows (PgTimestamp or PgDate), null when made from a .NET date. Not a
    /// property PowerShell sees: ConvertTo-D1Row reads it so the column's TimestampFormat and the
    /// one Unix-time rule apply (infinity has no Unix time), as for the row itself.
    /// </summary>
    internal object? Exact { get; }

    /// <summary>A timestamp or timestamptz as Postgres held it.</summary>
    public PgDateTime(PgTimestamp value)
        : this(value.IsPositiveInfinity ? Int128.MaxValue : value.IsNegativeInfinity ? Int128.MinValue : (Int128)value.Microseconds * TimeSpan.TicksPerMicrosecond,
            value.ToString(), value)
    {
    }

    /// <summary>A date as Postgres held it (midnight of that day).</summary>
    public PgDateTime(PgDate value)
        : this(value.IsPositiveInfinity ? Int128.MaxValue : value.IsNegativeInfinity ? Int128.MinValue : (Int128)value.Days * TimeSpan.TicksPerDay,
            value.ToString(), value)
    {
    }

    /// <summary>
    /// The ISO 8601 text: <c>infinity</c>, <c>-infinity</c>, <c>-0043-03-15</c> (44 BC, astronomical
    /// numbering), <c>+10000-01-01T00:00:00.000000Z</c>. The only property, so ConvertTo-Json writes
    /// <c>{"Value": "..."}</c> rather than the parts.
    /// </summary>
    public string Value { get; }

    public override string ToString() => Value;

    // Implicit conversions from the .NET date types let PowerShell convert the right-hand side of
    // -gt/-lt/-eq to this type, which is how its comparison operators compare two types.
    public static implicit operator PgDateTime(DateTime value) => new(value.Ticks - EpochTicks, value.ToString("O", System.Globalization.CultureInfo.InvariantCulture));

    public static implicit operator PgDateTime(DateTimeOffset value) => new(value.UtcTicks - EpochTicks, value.ToString("O", System.Globalization.CultureInfo.InvariantCulture));

    public static implicit operator PgDateTime(DateOnly value) => new((Int128)(value.DayNumber - DateOnly.FromDateTime(new DateTime(EpochTicks)).DayNumber) * TimeSpan.TicksPerDay, value.ToString("O", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>[datetime]$value: always fails, with the reason (a value that fits is a DateTime already).</summary>
    public static explicit operator DateTime(PgDateTime value) =>
        throw new InvalidCastException($"{value.Value} is outside the range of [datetime] (0001-01-01 to 9999-12-31); compare it as it is, or use its text.");

    public int CompareTo(PgDateTime? other) => other is null ? 1 : _ticks.CompareTo(other._ticks);

    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        PgDateTime p => CompareTo(p),
        DateTime d => CompareTo((PgDateTime)d),
        DateTimeOffset o => CompareTo((PgDateTime)o),
        DateOnly d => CompareTo((PgDateTime)d),
        PgTimestamp t => CompareTo(new PgDateTime(t)),
        PgDate d => CompareTo(new PgDateTime(d)),
        _ => throw new ArgumentException($"A date or time ({Value}) cannot be compared with a {obj.GetType().Name}.", nameof(obj)),
    };

    public bool Equals(PgDateTime? other) => other is not null && _ticks == other._ticks;

    public override bool Equals(object? obj) => obj switch
    {
        PgDateTime p => Equals(p),
        DateTime or DateTimeOffset or DateOnly or PgTimestamp or PgDate => CompareTo(obj) == 0,
        _ => false,
    };

    public override int GetHashCode() => _ticks.GetHashCode();
}

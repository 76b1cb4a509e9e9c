using System.Text;

namespace Migration.Engine.Source;

/// <summary>
/// A Postgres timestamp exactly as stored: microseconds since 2000-01-01 00:00:00 (UTC for
/// timestamptz), with <see cref="long.MaxValue"/>/<see cref="long.MinValue"/> for
/// infinity/-infinity. Holds what <see cref="DateTime"/> cannot: BC, years past 9999, infinity.
/// </summary>
public readonly struct PgTimestamp : IEquatable<PgTimestamp>, IComparable<PgTimestamp>, IComparable
{
    public PgTimestamp(long microseconds, bool hasTimeZone)
    {
        Microseconds = microseconds;
        HasTimeZone = hasTimeZone;
    }

    /// <summary>Microseconds since 2000-01-01 00:00:00.</summary>
    public long Microseconds { get; }

    /// <summary>True for timestamptz (the instant is UTC), false for timestamp.</summary>
    public bool HasTimeZone { get; }

    public bool IsPositiveInfinity => Microseconds == long.MaxValue;
    public bool IsNegativeInfinity => Microseconds == long.MinValue;
    public bool IsFinite => !IsPositiveInfinity && !IsNegativeInfinity;

    static readonly DateTime PgEpoch = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

    /// <summary>Whether <see cref="ToDateTime"/> can represent this value.</summary>
    public bool FitsDateTime =>
        IsFinite
        && Microseconds >= (DateTime.MinValue.Ticks - PgEpoch.Ticks) / TimeSpan.TicksPerMicrosecond
        && Microseconds <= (DateTime.MaxValue.Ticks - PgEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;

    /// <summary>The value as a DateTime (Kind Utc for timestamptz); throws when it does not fit.</summary>
    public DateTime ToDateTime()
    {
        if (!FitsDateTime) throw new OverflowException($"Timestamp {this} is outside DateTime's range.");
        return new DateTime(PgEpoch.Ticks + Microseconds * TimeSpan.TicksPerMicrosecond,
            HasTimeZone ? DateTimeKind.Utc : DateTimeKind.Unspecified);
    }

    public static PgTimestamp FromDateTime(DateTime value, bool hasTimeZone)
    {
        var v = hasTimeZone && value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
        return new PgTimestamp((v.Ticks - PgEpoch.Ticks) / TimeSpan.TicksPerMicrosecond, hasTimeZone);
    }

    /// <summary>
    /// ISO 8601 with six fraction digits: <c>2024-01-31T23:59:59.123456Z</c> (timestamptz) or
    /// without the Z (timestamp); <c>infinity</c>/<c>-infinity</c>; expanded years outside 0000..9999.
    /// </summary>
    public override string ToString()
    {
        if (IsPositiveInfinity) return "infinity";
        if (IsNegativeInfinity) return "-infinity";
        var sb = new StringBuilder(28);
        var (days, micros) = PgCalendar.SplitTimestamp(Microseconds);
        PgCalendar.AppendDate(sb, days);
        sb.Append('T');
        PgCalendar.AppendTime(sb, micros);
        if (HasTimeZone) sb.Append('Z');
        return sb.ToString();
    }

    public bool Equals(PgTimestamp other) => Microseconds == other.Microseconds && HasTimeZone == other.HasTimeZone;
    public override bool Equals(object? obj) => obj is PgTimestamp t && Equals(t);
    public override int GetHashCode() => HashCode.Combine(Microseconds, HasTimeZone);
    public int CompareTo(PgTimestamp other) => Microseconds.CompareTo(other.Microseconds);
    public int CompareTo(object? obj) => obj is PgTimestamp t ? CompareTo(t) : throw new ArgumentException("Not a PgTimestamp.", nameof(obj));
    public static bool operator ==(PgTimestamp a, PgTimestamp b) => a.Equals(b);
    public static bool operator !=(PgTimestamp a, PgTimestamp b) => !a.Equals(b);
    public static bool operator <(PgTimestamp a, PgTimestamp b) => a.CompareTo(b) < 0;
    public static bool operator >(PgTimestamp a, PgTimestamp b) => a.CompareTo(b) > 0;
    public static bool operator <=(PgTimestamp a, PgTimestamp b) => a.CompareTo(b) <= 0;
    public static bool operator >=(PgTimestamp a, PgTimestamp b) => a.CompareTo(b) >= 0;
}

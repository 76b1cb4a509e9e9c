using System.Text;

namespace Migration.Engine.Source;

/// <summary>
/// A Postgres date exactly as stored: days since 2000-01-01, with <see cref="int.MaxValue"/> /
/// <see cref="int.MinValue"/> for infinity/-infinity. Holds BC dates and years past 9999.
/// </summary>
public readonly struct PgDate : IEquatable<PgDate>, IComparable<PgDate>, IComparable
{
    public PgDate(int days) => Days = days;

    /// <summary>Days since 2000-01-01.</summary>
    public int Days { get; }

    public bool IsPositiveInfinity => Days == int.MaxValue;
    public bool IsNegativeInfinity => Days == int.MinValue;
    public bool IsFinite => !IsPositiveInfinity && !IsNegativeInfinity;

    public static PgDate FromDateOnly(DateOnly d) =>
        new(d.DayNumber - new DateOnly(2000, 1, 1).DayNumber);

    /// <summary>The value as a DateOnly; throws when it does not fit (BC, past 9999, infinity).</summary>
    public DateOnly ToDateOnly()
    {
        var n = (long)Days + new DateOnly(2000, 1, 1).DayNumber;
        if (!IsFinite || n < DateOnly.MinValue.DayNumber || n > DateOnly.MaxValue.DayNumber)
            throw new OverflowException($"Date {this} is outside DateOnly's range.");
        return DateOnly.FromDayNumber((int)n);
    }

    /// <summary><c>YYYY-MM-DD</c>; <c>infinity</c>/<c>-infinity</c>; expanded years outside 0000..9999.</summary>
    public override string ToString()
    {
        if (IsPositiveInfinity) return "infinity";
        if (IsNegativeInfinity) return "-infinity";
        var sb = new StringBuilder(12);
        PgCalendar.AppendDate(sb, Days);
        return sb.ToString();
    }

    public bool Equals(PgDate other) => Days == other.Days;
    public override bool Equals(object? obj) => obj is PgDate d && Equals(d);
    public override int GetHashCode() => Days;
    public int CompareTo(PgDate other) => Days.CompareTo(other.Days);
    public int CompareTo(object? obj) => obj is PgDate d ? CompareTo(d) : throw new ArgumentException("Not a PgDate.", nameof(obj));
    public static bool operator ==(PgDate a, PgDate b) => a.Equals(b);
    public static bool operator !=(PgDate a, PgDate b) => !a.Equals(b);
    public static bool operator <(PgDate a, PgDate b) => a.Days < b.Days;
    public static bool operator >(PgDate a, PgDate b) => a.Days > b.Days;
    public static bool operator <=(PgDate a, PgDate b) => a.Days <= b.Days;
    public static bool operator >=(PgDate a, PgDate b) => a.Days >= b.Days;
}

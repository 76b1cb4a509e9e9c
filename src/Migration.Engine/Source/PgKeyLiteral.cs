using System.Globalization;
using System.Text;
using Migration.Engine.Schema;

namespace Migration.Engine.Source;

/// <summary>
/// Renders a key value (as a source <see cref="Row"/> holds it) as a typed SQL literal,
/// <c>'...'::type</c>. Needed because COPY is a utility statement and cannot take bind
/// parameters, so the keyset condition of a resumed export has to be spelled out in the SQL.
/// The value goes through Postgres' own input function for the column's type, so it compares
/// exactly as the stored key does; quotes are doubled and standard_conforming_strings is on
/// (the exporter sets and checks it), so no value can end the literal early.
/// </summary>
public static class PgKeyLiteral
{
    public static string Render(object? value, PgType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return SqlQuote.Literal(Text(value, type)) + "::" + type.Name;
    }

    /// <summary>The value in the input syntax Postgres accepts for the type.</summary>
    public static string Text(object? value, PgType type) => value switch
    {
        null => throw new ArgumentException($"A key value of type {type.Name} cannot be NULL."),
        string s => s,
        bool b => b ? "true" : "false",
        short or int or long or decimal => ((IFormattable)value).ToString(null, CultureInfo.InvariantCulture),
        float f => float.IsNaN(f) ? "NaN" : float.IsPositiveInfinity(f) ? "Infinity" : float.IsNegativeInfinity(f) ? "-Infinity" : f.ToString("R", CultureInfo.InvariantCulture),
        double d => double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : d.ToString("R", CultureInfo.InvariantCulture),
        Guid g => g.ToString("D"),
        byte[] bytes => "\\x" + System.Convert.ToHexString(bytes),
        PgTimestamp t => Timestamp(t),
        PgDate d => Date(d),
        TimeSpan ts => Time(ts),
        _ => throw new ArgumentException($"A {value.GetType().Name} cannot be used as a key value of type {type.Name}."),
    };

    /// <summary><c>YYYY-MM-DD HH:MM:SS.ffffff[+00][ BC]</c>: Postgres' input syntax, which has no year 0 and no signed years.</summary>
    public static string Timestamp(PgTimestamp t)
    {
        if (t.IsPositiveInfinity) return "infinity";
        if (t.IsNegativeInfinity) return "-infinity";
        var (days, micros) = PgCalendar.SplitTimestamp(t.Microseconds);
        var sb = new StringBuilder(40);
        var bc = AppendInputDate(sb, days);
        sb.Append(' ');
        PgCalendar.AppendTime(sb, micros);
        if (t.HasTimeZone) sb.Append("+00");
        if (bc) sb.Append(" BC");
        return sb.ToString();
    }

    public static string Date(PgDate d)
    {
        if (d.IsPositiveInfinity) return "infinity";
        if (d.IsNegativeInfinity) return "-infinity";
        var sb = new StringBuilder(16);
        if (AppendInputDate(sb, d.Days)) sb.Append(" BC");
        return sb.ToString();
    }

    /// <summary>time: <c>HH:MM:SS.ffffff</c>; one whole day is 24:00:00, which time accepts.</summary>
    public static string Time(TimeSpan ts)
    {
        var micros = ts.Ticks / TimeSpan.TicksPerMicrosecond;
        if (micros < 0 || micros > PgCalendar.MicrosPerDay) throw new ArgumentOutOfRangeException(nameof(ts), "A time of day must lie between 00:00 and 24:00.");
        var sb = new StringBuilder(16);
        PgCalendar.AppendTime(sb, micros);
        return sb.ToString();
    }

    /// <summary>Appends <c>YYYY-MM-DD</c> with the year as Postgres reads it; true when it is a BC year.</summary>
    static bool AppendInputDate(StringBuilder sb, long pgDays)
    {
        var (y, m, d) = PgCalendar.CivilFromUnixDays(pgDays + PgCalendar.PgEpochDaysFrom1970);
        // Astronomical year 0 is 1 BC, -1 is 2 BC...
        var bc = y <= 0;
        var year = bc ? 1 - y : y;
        sb.Append(year.ToString("D4", CultureInfo.InvariantCulture)).Append('-')
          .Append(m.ToString("D2", CultureInfo.InvariantCulture)).Append('-')
          .Append(d.ToString("D2", CultureInfo.InvariantCulture));
        return bc;
    }
}

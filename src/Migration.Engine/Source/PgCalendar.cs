using System.Globalization;
using System.Text;

namespace Migration.Engine.Source;

/// <summary>
/// Calendar arithmetic for Postgres' raw date/time values, over Postgres' whole range
/// (4713 BC to 294276 AD), which <see cref="DateTime"/> cannot hold. Proleptic Gregorian,
/// astronomical year numbering (1 BC is year 0), as Postgres itself computes.
/// </summary>
public static class PgCalendar
{
    /// <summary>Days from 1970-01-01 to 2000-01-01, Postgres' epoch for raw values.</summary>
    public const long PgEpochDaysFrom1970 = 10957;
    public const long MicrosPerSecond = 1_000_000;
    public const long MicrosPerDay = 86_400 * MicrosPerSecond;

    /// <summary>Year, month, day of a day number counted from 1970-01-01 (H. Hinnant's civil_from_days).</summary>
    public static (long Year, int Month, int Day) CivilFromUnixDays(long z)
    {
        z += 719468;
        var era = (z >= 0 ? z : z - 146096) / 146097;
        var doe = z - era * 146097;
        var yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        var y = yoe + era * 400;
        var doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        var mp = (5 * doy + 2) / 153;
        var d = (int)(doy - (153 * mp + 2) / 5 + 1);
        var m = (int)(mp < 10 ? mp + 3 : mp - 9);
        return (m <= 2 ? y + 1 : y, m, d);
    }

    /// <summary>Day number counted from 1970-01-01 of a civil date (H. Hinnant's days_from_civil).</summary>
    public static long UnixDaysFromCivil(long y, int m, int d)
    {
        y -= m <= 2 ? 1 : 0;
        var era = (y >= 0 ? y : y - 399) / 400;
        var yoe = y - era * 400;
        var doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        var doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }

    /// <summary>
    /// Appends an ISO 8601 year: four digits for 0000..9999, a sign and at least four digits
    /// outside (ISO 8601 expanded years: <c>-0043</c> is 44 BC, <c>+10000</c>).
    /// </summary>
    public static void AppendYear(StringBuilder sb, long year)
    {
        if (year is >= 0 and <= 9999)
            sb.Append(year.ToString("D4", CultureInfo.InvariantCulture));
        else if (year < 0)
            sb.Append('-').Append((-year).ToString("D4", CultureInfo.InvariantCulture));
        else
            sb.Append('+').Append(year.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Appends <c>YYYY-MM-DD</c> for a day number counted from 2000-01-01.</summary>
    public static void AppendDate(StringBuilder sb, long pgDays)
    {
        var (y, m, d) = CivilFromUnixDays(pgDays + PgEpochDaysFrom1970);
        AppendYear(sb, y);
        sb.Append('-').Append(Two(m)).Append('-').Append(Two(d));
    }

    /// <summary>Appends <c>HH:MM:SS.ffffff</c> for microseconds since midnight (0..86,400,000,000).</summary>
    public static void AppendTime(StringBuilder sb, long micros)
    {
        var secs = micros / MicrosPerSecond;
        var frac = micros % MicrosPerSecond;
        sb.Append(Two((int)(secs / 3600))).Append(':')
          .Append(Two((int)(secs / 60 % 60))).Append(':')
          .Append(Two((int)(secs % 60))).Append('.')
          .Append(frac.ToString("D6", CultureInfo.InvariantCulture));
    }

    /// <summary>Splits raw timestamp microseconds into (days since 2000-01-01, microseconds in the day).</summary>
    public static (long Days, long MicrosOfDay) SplitTimestamp(long micros)
    {
        var days = Math.DivRem(micros, MicrosPerDay, out var rem);
        if (rem < 0) { days--; rem += MicrosPerDay; }
        return (days, rem);
    }

    static string Two(int v) => v.ToString("D2", CultureInfo.InvariantCulture);
}

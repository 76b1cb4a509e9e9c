using Migration.Engine.Source;

namespace Migration.Engine.Convert.D1ToPg;

/// <summary>
/// Reads the date and time spellings D1 apps (and this module) write, into Postgres' exact raw
/// values (<see cref="PgTimestamp"/>, <see cref="PgDate"/>): ISO 8601 with <c>T</c> or a space,
/// with or without seconds and up to six fraction digits, with <c>Z</c> or an offset
/// (<c>+02:00</c>, <c>+0200</c>, <c>+02</c>) or without a zone; <c>infinity</c> and
/// <c>-infinity</c>; ISO 8601 expanded years with astronomical numbering (<c>-0043-03-15</c>
/// is 44 BC, <c>+10000-01-01</c>), as docs/type-mapping.md documents them. Anything else, a
/// seventh fraction digit (that would be rounded), or a date that does not exist is refused.
/// </summary>
internal static class D1DateTimeText
{
    /// <summary>Postgres' timestamp range: 4714-11-24 BC 00:00 to before 294277-01-01 (raw microseconds).</summary>
    const long MinTimestamp = -211_813_488_000_000_000L;
    const long EndTimestamp = 9_223_371_331_200_000_000L;

    /// <summary>Postgres' date range in days from 2000-01-01: 4714-11-24 BC to 5874897-12-31.</summary>
    const long MinDate = -2_451_545;
    const long MaxDate = 2_145_031_948;

    public static PgTimestamp ParseTimestamp(string text, bool withTimeZone, TimeZoneInfo assumeZone)
    {
        var s = text.AsSpan().Trim();
        if (s.Equals("infinity", StringComparison.OrdinalIgnoreCase) || s.Equals("+infinity", StringComparison.OrdinalIgnoreCase))
            return new PgTimestamp(long.MaxValue, withTimeZone);
        if (s.Equals("-infinity", StringComparison.OrdinalIgnoreCase)) return new PgTimestamp(long.MinValue, withTimeZone);

        var at = 0;
        var days = ReadDate(s, ref at);
        long micros = 0;
        if (at < s.Length && (s[at] == 'T' || s[at] == 't' || s[at] == ' '))
        {
            at++;
            micros = ReadTime(s, ref at, allow24: false);
        }
        TimeSpan? offset = null;
        if (at < s.Length)
        {
            if (s[at] == ' ') at++;
            offset = ReadZone(s, ref at);
        }
        if (at != s.Length) throw Refuse(text, "has text after the timestamp");

        var local = checked(days * PgCalendar.MicrosPerDay + micros);
        long utc;
        if (offset is { } o) utc = local - o.Ticks / TimeSpan.TicksPerMicrosecond;
        else if (!withTimeZone) utc = local; // a zone-less value into a zone-less column: the wall time as written
        else utc = local - ZoneOffset(assumeZone, local, text).Ticks / TimeSpan.TicksPerMicrosecond;
        if (!withTimeZone && offset is { } given)
        {
            // An instant into a column without a zone: the wall time in the assumed zone (documented).
            utc = local - given.Ticks / TimeSpan.TicksPerMicrosecond;
            utc += ZoneOffset(assumeZone, utc, text).Ticks / TimeSpan.TicksPerMicrosecond;
        }
        if (utc < MinTimestamp || utc >= EndTimestamp) throw Refuse(text, "is outside Postgres' timestamp range (4714 BC .. 294276 AD)");
        return new PgTimestamp(utc, withTimeZone);
    }

    /// <summary>Epoch seconds or milliseconds (an INTEGER column) as a timestamp.</summary>
    public static PgTimestamp FromEpoch(long value, EpochUnit unit, bool withTimeZone)
    {
        var ms = unit switch
        {
            EpochUnit.Seconds => false,
            EpochUnit.Milliseconds => true,
            // Auto: 10^11 seconds is the year 5138; 10^11 milliseconds is 1973-03-03. Values this
            // large are milliseconds; a milliseconds value before March 1973 needs -EpochUnit.
            _ => Math.Abs(value) >= 100_000_000_000L,
        };
        var micros = checked(ms ? value * 1000 : value * PgCalendar.MicrosPerSecond);
        return new PgTimestamp(checked(micros - PgCalendar.PgEpochDaysFrom1970 * PgCalendar.MicrosPerDay), withTimeZone);
    }

    public static PgDate ParseDate(string text)
    {
        var s = text.AsSpan().Trim();
        if (s.Equals("infinity", StringComparison.OrdinalIgnoreCase) || s.Equals("+infinity", StringComparison.OrdinalIgnoreCase)) return new PgDate(int.MaxValue);
        if (s.Equals("-infinity", StringComparison.OrdinalIgnoreCase)) return new PgDate(int.MinValue);
        var at = 0;
        var days = ReadDate(s, ref at);
        if (at < s.Length && (s[at] == 'T' || s[at] == ' '))
        {
            // A timestamp at midnight (what some apps write for dates) is that date; any other time would be dropped.
            at++;
            if (ReadTime(s, ref at, allow24: false) != 0) throw Refuse(text, "has a time of day; a date column would drop it");
            if (at < s.Length && s[at..].SequenceEqual("Z")) at++;
        }
        if (at != s.Length) throw Refuse(text, "is not a date (YYYY-MM-DD)");
        if (days < MinDate || days > MaxDate) throw Refuse(text, "is outside Postgres' date range");
        return new PgDate((int)days);
    }

    public static TimeSpan ParseTime(string text)
    {
        var s = text.AsSpan().Trim();
        var at = 0;
        var micros = ReadTime(s, ref at, allow24: true);
        if (at != s.Length) throw Refuse(text, "is not a time of day (HH:MM:SS)");
        return TimeSpan.FromTicks(micros * TimeSpan.TicksPerMicrosecond);
    }

    /// <summary>Days from 2000-01-01 of <c>[+-]YYYY-MM-DD</c>.</summary>
    static long ReadDate(ReadOnlySpan<char> s, ref int at)
    {
        var sign = 1;
        var expanded = false;
        if (at < s.Length && (s[at] == '+' || s[at] == '-'))
        {
            sign = s[at] == '-' ? -1 : 1;
            expanded = true;
            at++;
        }
        var start = at;
        long year = 0;
        while (at < s.Length && char.IsAsciiDigit(s[at]) && at - start < 10) year = year * 10 + (s[at++] - '0');
        var digits = at - start;
        if (digits < 4 || (digits > 4 && !expanded)) throw Refuse(s.ToString(), "does not start with a date (YYYY-MM-DD, or an ISO 8601 expanded year such as -0043 or +10000)");
        year *= sign;
        var month = Two(s, ref at, '-');
        var day = Two(s, ref at, '-');
        if (month is < 1 or > 12 || day < 1 || day > DaysIn(year, month)) throw Refuse(s.ToString(), "is not a real calendar date");
        return PgCalendar.UnixDaysFromCivil(year, month, day) - PgCalendar.PgEpochDaysFrom1970;
    }

    // The text of a refusal is made only when refusing (s.ToString()): a timestamp read allocates nothing else.
    static long ReadTime(ReadOnlySpan<char> s, ref int at, bool allow24)
    {
        var h = TwoDigits(s, ref at);
        var m = Two(s, ref at, ':');
        var sec = 0;
        long fraction = 0;
        if (at < s.Length && s[at] == ':')
        {
            sec = Two(s, ref at, ':');
            if (at < s.Length && (s[at] == '.' || s[at] == ','))
            {
                at++;
                var digits = 0;
                while (at < s.Length && char.IsAsciiDigit(s[at]))
                {
                    if (digits < 6) fraction = fraction * 10 + (s[at] - '0');
                    else if (s[at] != '0') throw Refuse(s.ToString(), "has more than six fraction digits (Postgres keeps microseconds; it would round)");
                    digits++;
                    at++;
                }
                if (digits == 0) throw Refuse(s.ToString(), "has a decimal point without digits");
                for (var i = Math.Min(digits, 6); i < 6; i++) fraction *= 10;
            }
        }
        if (h == 24 && allow24 && m == 0 && sec == 0 && fraction == 0) return PgCalendar.MicrosPerDay;
        if (h > 23 || m > 59 || sec > 59) throw Refuse(s.ToString(), "is not a valid time of day");
        return ((h * 60L + m) * 60 + sec) * PgCalendar.MicrosPerSecond + fraction;
    }

    static TimeSpan ReadZone(ReadOnlySpan<char> s, ref int at)
    {
        if (s[at] is 'Z' or 'z') { at++; return TimeSpan.Zero; }
        if (s[at] is not ('+' or '-')) throw Refuse(s.ToString(), "has text after the timestamp");
        var sign = s[at++] == '-' ? -1 : 1;
        var h = TwoDigits(s, ref at);
        var m = 0;
        if (at < s.Length && s[at] == ':') m = Two(s, ref at, ':');
        else if (at + 1 < s.Length && char.IsAsciiDigit(s[at])) m = TwoDigits(s, ref at);
        if (h > 15 || m > 59) throw Refuse(s.ToString(), "has an impossible zone offset");
        return TimeSpan.FromMinutes(sign * (h * 60 + m));
    }

    /// <summary>The assumed zone's offset at a local wall time; a time that does not exist there, or exists twice, is refused.</summary>
    static TimeSpan ZoneOffset(TimeZoneInfo zone, long localMicros, string text)
    {
        if (zone == TimeZoneInfo.Utc) return TimeSpan.Zero;
        var (days, micros) = PgCalendar.SplitTimestamp(localMicros);
        var unixDays = days + PgCalendar.PgEpochDaysFrom1970;
        var (y, mo, d) = PgCalendar.CivilFromUnixDays(unixDays);
        if (y is < 1 or > 9999) return zone.BaseUtcOffset;
        var local = new DateTime((int)y, mo, d, 0, 0, 0, DateTimeKind.Unspecified).AddTicks(micros * TimeSpan.TicksPerMicrosecond);
        if (zone.IsInvalidTime(local)) throw Refuse(text, $"does not exist in {zone.Id} (a daylight saving gap)");
        if (zone.IsAmbiguousTime(local)) throw Refuse(text, $"is ambiguous in {zone.Id} (it happens twice when daylight saving ends); write it with an offset");
        return zone.GetUtcOffset(local);
    }

    static int Two(ReadOnlySpan<char> s, ref int at, char separator)
    {
        if (at >= s.Length || s[at] != separator) throw Refuse(s.ToString(), $"is not in a date/time form this module reads (expected '{separator}')");
        at++;
        return TwoDigits(s, ref at);
    }

    static int TwoDigits(ReadOnlySpan<char> s, ref int at)
    {
        if (at + 2 > s.Length || !char.IsAsciiDigit(s[at]) || !char.IsAsciiDigit(s[at + 1]))
            throw Refuse(s.ToString(), "is not in a date/time form this module reads");
        var v = (s[at] - '0') * 10 + (s[at + 1] - '0');
        at += 2;
        return v;
    }

    static int DaysIn(long year, int month) => month switch
    {
        2 => (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };

    static ValueRejectedException Refuse(string text, string why) => new($"\"{Migration.Engine.Schema.ValueExcerpt.Of(text, 40)}\" {why}");
}

/// <summary>What an INTEGER in a timestamp column counts since 1970-01-01 UTC.</summary>
public enum EpochUnit
{
    /// <summary>Seconds, or milliseconds when the magnitude is at least 10^11 (documented in docs/type-mapping.md).</summary>
    Auto,
    Seconds,
    Milliseconds,
}

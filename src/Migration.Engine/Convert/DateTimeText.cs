using Migration.Engine.Source;

namespace Migration.Engine.Convert;

/// <summary>
/// Text forms of Postgres dates and times, both ways, over Postgres' whole range. Writing gives
/// exactly what <see cref="PgTimestamp.ToString"/> and <see cref="PgDate.ToString"/> give (ISO
/// 8601, six fraction digits, astronomical years: <c>-0043</c> is 44 BC, <c>+10000</c>), but
/// without their per-call allocations, since this is the hot path. Reading takes Postgres' ISO
/// output (DateStyle ISO), as it appears in array literals: <c>2020-01-01 00:00:00.5+00</c>,
/// <c>0044-03-15 BC</c>, <c>infinity</c>.
/// </summary>
internal static class DateTimeText
{
    /// <summary>Microseconds from 2000-01-01 (Postgres' epoch) back to 1970-01-01 (Unix').</summary>
    public const long UnixEpochFromPgMicros = PgCalendar.PgEpochDaysFrom1970 * PgCalendar.MicrosPerDay;

    /// <summary>
    /// A timestamp's text: date, <paramref name="separator"/> ('T' or ' '), time with six
    /// fraction digits, and 'Z' when <paramref name="zulu"/>; <c>infinity</c>/<c>-infinity</c>.
    /// </summary>
    public static string FormatTimestamp(long micros, char separator, bool zulu)
    {
        if (micros == long.MaxValue) return "infinity";
        if (micros == long.MinValue) return "-infinity";
        var (days, microsOfDay) = PgCalendar.SplitTimestamp(micros);
        Span<char> buf = stackalloc char[64];
        var p = WriteDate(buf, days);
        buf[p++] = separator;
        p += WriteTime(buf[p..], microsOfDay);
        if (zulu) buf[p++] = 'Z';
        return new string(buf[..p]);
    }

    /// <summary><c>YYYY-MM-DD</c> (expanded years outside 0000..9999); <c>infinity</c>/<c>-infinity</c>.</summary>
    public static string FormatDate(int days)
    {
        if (days == int.MaxValue) return "infinity";
        if (days == int.MinValue) return "-infinity";
        Span<char> buf = stackalloc char[32];
        return new string(buf[..WriteDate(buf, days)]);
    }

    /// <summary><c>HH:MM:SS.ffffff</c> for microseconds since midnight (24:00:00.000000 included).</summary>
    public static string FormatTime(long microsOfDay)
    {
        Span<char> buf = stackalloc char[24];
        return new string(buf[..WriteTime(buf, microsOfDay)]);
    }

    static int WriteDate(Span<char> buf, long pgDays)
    {
        var (y, m, d) = PgCalendar.CivilFromUnixDays(pgDays + PgCalendar.PgEpochDaysFrom1970);
        int p;
        if (y is >= 0 and <= 9999)
        {
            var yy = (int)y;
            Write2(buf, yy / 100);
            Write2(buf[2..], yy % 100);
            p = 4;
        }
        else
        {
            // Expanded years (ISO 8601): a sign and at least four digits.
            p = 0;
            if (y < 0) { buf[p++] = '-'; y = -y; }
            else buf[p++] = '+';
            var n = 4;
            for (var v = y / 10000; v > 0; v /= 10) n++;
            for (var i = p + n - 1; i >= p; i--, y /= 10) buf[i] = (char)('0' + (int)(y % 10));
            p += n;
        }
        buf[p] = '-';
        Write2(buf[(p + 1)..], m);
        buf[p + 3] = '-';
        Write2(buf[(p + 4)..], d);
        return p + 6;
    }

    static int WriteTime(Span<char> buf, long microsOfDay)
    {
        var secs = (int)(microsOfDay / PgCalendar.MicrosPerSecond);
        var frac = (int)(microsOfDay % PgCalendar.MicrosPerSecond);
        buf = buf[..15];
        Write2(buf, secs / 3600);
        buf[2] = ':';
        Write2(buf[3..], secs / 60 % 60);
        buf[5] = ':';
        Write2(buf[6..], secs % 60);
        buf[8] = '.';
        Write2(buf[9..], frac / 10000);
        Write2(buf[11..], frac / 100 % 100);
        Write2(buf[13..], frac % 100);
        return 15;
    }

    static void Write2(Span<char> buf, int v)
    {
        buf[1] = (char)('0' + v % 10);
        buf[0] = (char)('0' + v / 10);
    }

    /// <summary>
    /// Reads Postgres' ISO timestamp output: <c>YYYY-MM-DD HH:MM:SS[.f…]</c>, then for
    /// timestamptz a UTC offset <c>±HH[:MM[:SS]]</c>, then an optional <c> BC</c>; or
    /// <c>infinity</c>/<c>-infinity</c>. The result is raw microseconds (UTC for timestamptz).
    /// </summary>
    public static bool TryParseTimestamp(ReadOnlySpan<char> s, bool withTimeZone, out long micros)
    {
        micros = 0;
        if (s is "infinity") { micros = long.MaxValue; return true; }
        if (s is "-infinity") { micros = long.MinValue; return true; }
        var bc = s.EndsWith(" BC", StringComparison.Ordinal);
        if (bc) s = s[..^3];
        var space = s.IndexOf(' ');
        if (space < 0 || !TryParseDays(s[..space], bc, out var days)) return false;
        var rest = s[(space + 1)..];
        var offsetSeconds = 0L;
        if (withTimeZone)
        {
            var sign = rest.IndexOfAny('+', '-');
            if (sign < 0 || !TryParseOffset(rest[sign..], out offsetSeconds)) return false;
            rest = rest[..sign];
        }
        if (!TryParseTime(rest, allow24: false, out var microsOfDay)) return false;
        micros = days * PgCalendar.MicrosPerDay + microsOfDay - offsetSeconds * PgCalendar.MicrosPerSecond;
        return true;
    }

    /// <summary>Reads <c>YYYY-MM-DD[ BC]</c> or <c>infinity</c>/<c>-infinity</c> into days since 2000-01-01.</summary>
    public static bool TryParseDate(ReadOnlySpan<char> s, out int days)
    {
        days = 0;
        if (s is "infinity") { days = int.MaxValue; return true; }
        if (s is "-infinity") { days = int.MinValue; return true; }
        var bc = s.EndsWith(" BC", StringComparison.Ordinal);
        if (!TryParseDays(bc ? s[..^3] : s, bc, out var d) || d <= int.MinValue || d >= int.MaxValue) return false;
        days = (int)d;
        return true;
    }

    /// <summary>Reads <c>HH:MM:SS[.f…]</c> (up to six fraction digits) into microseconds since midnight.</summary>
    public static bool TryParseTime(ReadOnlySpan<char> s, bool allow24, out long micros)
    {
        micros = 0;
        if (s.Length < 8 || s[2] != ':' || s[5] != ':') return false;
        if (!TryInt(s[..2], out var h) || !TryInt(s[3..5], out var mi) || !TryInt(s[6..8], out var sec)) return false;
        long frac = 0;
        if (s.Length > 8)
        {
            if (s[8] != '.' || s.Length == 9 || s.Length > 15 || !TryInt(s[9..], out frac)) return false;
            for (var i = s.Length - 9; i < 6; i++) frac *= 10;
        }
        if (mi > 59 || sec > 59) return false;
        if (h > 24 || (h == 24 && (!allow24 || mi != 0 || sec != 0 || frac != 0))) return false;
        micros = ((h * 60 + mi) * 60 + sec) * PgCalendar.MicrosPerSecond + frac;
        return true;
    }

    static bool TryParseDays(ReadOnlySpan<char> s, bool bc, out long days)
    {
        days = 0;
        // The year has four or more digits; month and day exactly two.
        if (s.Length < 10 || s[^3] != '-' || s[^6] != '-') return false;
        if (!TryInt(s[..^6], out var year) || !TryInt(s[^5..^3], out var month) || !TryInt(s[^2..], out var day)) return false;
        if (year == 0 || month is < 1 or > 12 || day < 1) return false;
        if (bc) year = 1 - year; // 1 BC is astronomical year 0
        var unixDays = PgCalendar.UnixDaysFromCivil(year, (int)month, (int)day);
        if (PgCalendar.CivilFromUnixDays(unixDays) != (year, (int)month, (int)day)) return false; // e.g. 02-30
        days = unixDays - PgCalendar.PgEpochDaysFrom1970;
        return true;
    }

    static bool TryParseOffset(ReadOnlySpan<char> s, out long seconds)
    {
        seconds = 0;
        var sign = s[0] == '-' ? -1 : 1;
        s = s[1..];
        long h, m = 0, sec = 0;
        if (s.Length == 2) { if (!TryInt(s, out h)) return false; }
        else if (s.Length == 5 && s[2] == ':') { if (!TryInt(s[..2], out h) || !TryInt(s[3..], out m)) return false; }
        else if (s.Length == 8 && s[2] == ':' && s[5] == ':') { if (!TryInt(s[..2], out h) || !TryInt(s[3..5], out m) || !TryInt(s[6..], out sec)) return false; }
        else return false;
        seconds = sign * ((h * 60 + m) * 60 + sec);
        return true;
    }

    static bool TryInt(ReadOnlySpan<char> s, out long value)
    {
        value = 0;
        if (s.Length is 0 or > 12) return false;
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c)) return false;
            value = value * 10 + (c - '0');
        }
        return true;
    }
}

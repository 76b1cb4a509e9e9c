using System.Globalization;
using System.Text;

namespace Migration.Engine.Schema;

/// <summary>
/// The one place SQL text is quoted, for the statements that cannot take a parameter (names,
/// DDL defaults, keyset literals). Postgres and SQLite agree on both rules: an identifier is
/// double-quoted with embedded <c>"</c> doubled (case kept, any character safe), a string
/// literal single-quoted with embedded <c>'</c> doubled. Values in DML are always bound instead.
/// </summary>
public static class SqlQuote
{
    /// <summary><c>"name"</c> with embedded double quotes doubled: safe for any name, keeps its case.</summary>
    public static string Identifier(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        // Both servers read the statement as a C string in places: a NUL would end it early.
        if (name.Contains('\0')) throw new ArgumentException("An identifier cannot contain a NUL character.", nameof(name));
        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>The names quoted one by one and joined with <c>", "</c>.</summary>
    public static string Identifiers(IEnumerable<string> names) => string.Join(", ", names.Select(Identifier));

    /// <summary><c>"schema"."table"</c> (or just <c>"table"</c> when <paramref name="schema"/> is null).</summary>
    public static string Qualified(string? schema, string name) =>
        schema is null ? Identifier(name) : Identifier(schema) + "." + Identifier(name);

    /// <summary>
    /// <c>'text'</c> with single quotes doubled. Backslashes stay ordinary characters: SQLite has
    /// no escapes, and Postgres has none with standard_conforming_strings on (the exporter sets
    /// and verifies that before it sends a literal).
    /// </summary>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0')) throw new ArgumentException("A SQL string literal cannot contain a NUL character.", nameof(value));
        var sb = new StringBuilder(value.Length + 2);
        sb.Append('\'').Append(value.Replace("'", "''", StringComparison.Ordinal)).Append('\'');
        return sb.ToString();
    }

    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// A D1 value (null, long, double, string, byte[]) as a SQLite literal, for a <c>.sql</c> file
    /// that cannot bind parameters (<c>wrangler d1 execute --file</c>). The value reads back as
    /// the same storage class and the same value:
    /// <list type="bullet">
    /// <item>integers in full (text, never through a double: exact beyond 2^53; the smallest one as
    /// <c>(-9223372036854775807 - 1)</c>);</item>
    /// <item>reals as the shortest text that round-trips (.NET's "R"), with <c>.0</c> added when
    /// that text has no point or exponent, or SQLite would read it as an INTEGER; a real whose
    /// text not every SQLite converts exactly (more than 15 digits, or a power of ten past 10^22)
    /// as an exact binary expression instead; NaN and infinities are refused (no SQLite literal holds them);</item>
    /// <item>text single-quoted with quotes doubled; text holding a NUL (a literal ends there)
    /// or a CR (wrangler turns CRLF into LF in the SQL it sends) is written as its UTF-8 bytes,
    /// <c>CAST(X'..' AS TEXT)</c>, which D1 (UTF-8) stores as those very bytes; text that
    /// UTF-8 cannot hold (an unpaired surrogate) is refused rather than changed;</item>
    /// <item>BLOBs as <c>X'..'</c> (an empty one too: <c>X''</c> is a zero-length BLOB, not NULL).</item>
    /// </list>
    /// </summary>
    /// <exception cref="ArgumentException">A value no literal can hold exactly.</exception>
    public static string Value(object? value) => value switch
    {
        null => "NULL",
        // 9223372036854775808 alone is out of range (a REAL) and only a parser special case folds
        // the minus sign into it: the smallest integer is written as an expression exact in any SQLite.
        long.MinValue => "(-9223372036854775807 - 1)",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => Real(d),
        string s => Text(s),
        byte[] b => "X'" + System.Convert.ToHexString(b) + "'",
        _ => throw new ArgumentException($"A value of type {value.GetType().FullName} is not a D1 value (long, double, string, byte[] or null).", nameof(value)),
    };

    static string Real(double d)
    {
        if (!double.IsFinite(d)) throw new ArgumentException($"{d.ToString(CultureInfo.InvariantCulture)} has no SQLite literal (SQLite stores NaN as NULL and has no infinity literal).", nameof(d));
        var text = d.ToString("R", CultureInfo.InvariantCulture);
        if (!ReadsExactly(text)) return BinaryExpression(d);
        return text.AsSpan().IndexOfAny('.', 'E') >= 0 ? text : text + ".0";
    }

    /// <summary>
    /// Whether every SQLite reads the decimal text back as the same double. SQLite's text-to-REAL
    /// conversion is not correctly rounded for every input where it has no long double (D1's
    /// workerd: <c>-1.5E-300</c> reads back as <c>-1.4999999999999998E-300</c>). It is exact when
    /// the digits make an integer of at most 15 digits (below 2^53) and the power of ten is at
    /// most 10^22: both are exact doubles, and one multiplication or division rounds once, correctly.
    /// </summary>
    static bool ReadsExactly(string text)
    {
        var e = text.IndexOf('E');
        var exponent = e < 0 ? 0 : int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = (e < 0 ? text : text[..e]).TrimStart('-');
        var point = mantissa.IndexOf('.');
        if (point >= 0)
        {
            exponent -= mantissa.Length - point - 1;
            mantissa = mantissa.Remove(point, 1);
        }
        mantissa = mantissa.TrimStart('0');
        var digits = mantissa.TrimEnd('0');
        exponent += mantissa.Length - digits.Length;
        return digits.Length <= 15 && Math.Abs(exponent) <= 22;
    }

    /// <summary>
    /// The double as <c>(CAST(m AS REAL) * 2^62 ... / 2^r)</c>: its integer significand (exact
    /// below 2^53) scaled by powers of two written as integers (exact). Every step is exact
    /// (scaling by a power of two only moves the exponent, and each intermediate lies between m
    /// and the value itself), so SQLite computes the very double, whatever its text conversion does.
    /// </summary>
    static string BinaryExpression(double d)
    {
        var bits = BitConverter.DoubleToInt64Bits(d);
        var biased = (int)((bits >> 52) & 0x7FF);
        var fraction = bits & ((1L << 52) - 1);
        var m = biased == 0 ? fraction : fraction | (1L << 52);
        var k = biased == 0 ? -1074 : biased - 1075;
        while (m != 0 && (m & 1) == 0) { m >>= 1; k++; }
        var sb = new StringBuilder("(CAST(").Append(d < 0 ? "-" : "").Append(m.ToString(CultureInfo.InvariantCulture)).Append(" AS REAL)");
        var op = k < 0 ? " / " : " * ";
        for (var left = Math.Abs(k); left > 0; left -= 62)
            sb.Append(op).Append((1L << Math.Min(left, 62)).ToString(CultureInfo.InvariantCulture));
        return sb.Append(')').ToString();
    }

    static string Text(string s)
    {
        try { return Utf8Text(s); }
        catch (EncoderFallbackException ex)
        {
            throw new ArgumentException($"The text holds an unpaired UTF-16 surrogate at character {ex.Index + 1}; D1 stores UTF-8, which cannot represent it.", nameof(s), ex);
        }
    }

    static string Utf8Text(string s)
    {
        if (s.AsSpan().IndexOfAny('\0', '\r') < 0)
        {
            StrictUtf8.GetByteCount(s); // throws on an unpaired surrogate: UTF-8 would turn it into U+FFFD
            return "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";
        }
        return "CAST(X'" + System.Convert.ToHexString(StrictUtf8.GetBytes(s)) + "' AS TEXT)";
    }
}

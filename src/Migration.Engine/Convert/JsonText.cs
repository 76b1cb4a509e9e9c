using System.Text;

namespace Migration.Engine.Convert;

/// <summary>
/// The few pieces of JSON writing the converters need, written by hand on purpose:
/// System.Text.Json's encoders escape non-ASCII (emoji even with UnsafeRelaxedJsonEscaping), and
/// the module promises that text reaches D1 as it was. Only what JSON requires is escaped:
/// <c>"</c>, <c>\</c> and control characters below U+0020. Output is compact.
/// </summary>
internal static class JsonText
{
    const string Hex = "0123456789abcdef";

    /// <summary>Appends <paramref name="text"/> as a JSON string literal.</summary>
    public static void AppendString(StringBuilder json, ReadOnlySpan<char> text)
    {
        json.Append('"');
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c >= 0x20 && c != '"' && c != '\\') continue;
            json.Append(text[start..i]);
            start = i + 1;
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                default: json.Append("\\u00").Append(Hex[c >> 4]).Append(Hex[c & 0xF]); break;
            }
        }
        json.Append(text[start..]).Append('"');
    }

    /// <summary>
    /// Whether <paramref name="text"/> is a JSON number (<c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>),
    /// so Postgres' own digits can be embedded verbatim, keeping every digit and the scale.
    /// </summary>
    public static bool IsNumber(ReadOnlySpan<char> text)
    {
        var i = 0;
        if (i < text.Length && text[i] == '-') i++;
        if (i >= text.Length) return false;
        if (text[i] == '0') i++;
        else if (char.IsAsciiDigit(text[i])) { while (i < text.Length && char.IsAsciiDigit(text[i])) i++; }
        else return false;
        if (i < text.Length && text[i] == '.')
        {
            i++;
            var f = i;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            if (i == f) return false;
        }
        if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
        {
            i++;
            if (i < text.Length && (text[i] == '+' || text[i] == '-')) i++;
            var e = i;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            if (i == e) return false;
        }
        return i == text.Length;
    }

    /// <summary>Whether <paramref name="text"/> is an integer as JSON writes one (<c>-?(0|[1-9][0-9]*)</c>).</summary>
    public static bool IsInteger(ReadOnlySpan<char> text)
    {
        var i = text.Length > 0 && text[0] == '-' ? 1 : 0;
        if (i >= text.Length) return false;
        if (text[i] == '0') return i + 1 == text.Length;
        for (; i < text.Length; i++)
            if (!char.IsAsciiDigit(text[i])) return false;
        return true;
    }
}

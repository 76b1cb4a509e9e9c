using System.Globalization;
using System.Text.Json;

namespace Migration.Engine.Cloudflare;

/// <summary>
/// Decodes a value as the API returns it in plain results (no <see cref="D1ExactRead"/> projection)
/// into what D1 stores: null, long, double, string or byte[] (BLOBs come as arrays of byte values).
/// Nothing is rounded silently: a JSON number is read from its text, an integer literal beyond
/// ±2^53 raises <see cref="D1PrecisionException"/> (the server may have rounded it), and a number
/// written with a point or exponent is a double parsed exactly from the server's shortest
/// round-trip text. What plain JSON cannot tell (a REAL 3.0 comes as <c>3</c> and reads as long;
/// ±Infinity comes as null) <see cref="D1ExactRead"/> can.
/// </summary>
public static class D1JsonValue
{
    const long SafeInteger = 9_007_199_254_740_991; // 2^53 - 1: beyond, a double no longer holds every integer

    public static object? Decode(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
            case JsonValueKind.Undefined:
                return null;
            case JsonValueKind.String:
                return value.GetString();
            case JsonValueKind.Number:
                return Number(value.GetRawText());
            case JsonValueKind.Array:
                return Bytes(value);
            default:
                throw new FormatException($"D1 does not return {value.ValueKind} values: {Excerpt(value)}.");
        }
    }

    internal static object Number(string raw)
    {
        if (raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0 && long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            return l is >= -SafeInteger and <= SafeInteger ? l : throw new D1PrecisionException(raw);
        if (raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0)
            throw new D1PrecisionException(raw);
        return double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    internal static byte[] Bytes(JsonElement array)
    {
        var bytes = new byte[array.GetArrayLength()];
        var i = 0;
        foreach (var b in array.EnumerateArray())
        {
            if (b.ValueKind != JsonValueKind.Number || !b.TryGetByte(out bytes[i]))
                throw new FormatException($"A BLOB from D1 holds {Excerpt(b)} at position {i}, not a byte value.");
            i++;
        }
        return bytes;
    }

    static string Excerpt(JsonElement e)
    {
        var text = e.GetRawText();
        return text.Length <= 40 ? text : text[..40] + "…";
    }
}

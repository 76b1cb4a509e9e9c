using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace Migration.Engine.Convert;

/// <summary>
/// Turns a plain record (a Workers KV JSON object, a CSV record, a hashtable, or a host's own
/// object through an <see cref="IPlainObjectAdapter"/>) into the name/value pairs
/// <see cref="RowConverter.ConvertPlain"/> takes. Nested objects become
/// <c>Dictionary&lt;string, object?&gt;</c> and arrays <c>List&lt;object?&gt;</c>, so the
/// converter sees plain .NET values only. The engine reads dictionaries and JSON itself; a host
/// (the cmdlets' PSObject) supplies only how its wrapper objects open up.
/// </summary>
public static class PlainObjectReader
{
    /// <summary>Nesting deeper than this is taken for a cycle (an object that contains itself).</summary>
    public const int MaxDepth = 100;

    /// <summary>
    /// The top-level pairs of one record: a dictionary's entries, a JSON object's members, or
    /// what <paramref name="adapter"/> says the object's members are.
    /// </summary>
    public static List<KeyValuePair<string, object?>> ReadProperties(object input, IPlainObjectAdapter? adapter = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var result = new List<KeyValuePair<string, object?>>();
        switch (adapter?.BaseObject(input) ?? input)
        {
            case IDictionary dictionary:
                foreach (DictionaryEntry e in dictionary) result.Add(new(KeyName(e.Key, adapter), Unwrap(e.Value, adapter, 1)));
                return result;
            case JsonElement { ValueKind: JsonValueKind.Object } json:
                foreach (var p in json.EnumerateObject()) result.Add(new(p.Name, Unwrap(p.Value, adapter, 1)));
                return result;
        }
        var properties = adapter?.Properties(input)
            ?? throw new ArgumentException($"A {input.GetType().Name} is not a record: give a dictionary or a JSON object.", nameof(input));
        foreach (var (k, v) in properties) result.Add(new(k, Unwrap(v, adapter, 1)));
        return result;
    }

    /// <summary>The plain .NET form of one value (see the class summary).</summary>
    public static object? Unwrap(object? value, IPlainObjectAdapter? adapter = null, int depth = 0)
    {
        if (depth > MaxDepth)
            throw new InvalidOperationException($"The object is nested more than {MaxDepth} levels deep (does it contain itself?).");
        if (value is not null && adapter is not null)
        {
            if (adapter.IsPropertyBag(value))
            {
                var nested = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (k, v) in adapter.Properties(value)!) nested[k] = Unwrap(v, adapter, depth + 1);
                return nested;
            }
            value = adapter.BaseObject(value);
        }
        switch (value)
        {
            case null:
                return null;
            case string or byte[]:
                return value;
            case JsonElement json:
                return FromJson(json, adapter, depth);
            case IDictionary d:
            {
                var nested = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (DictionaryEntry e in d) nested[KeyName(e.Key, adapter)] = Unwrap(e.Value, adapter, depth + 1);
                return nested;
            }
            case IEnumerable list:
            {
                var items = new List<object?>();
                foreach (var item in list) items.Add(Unwrap(item, adapter, depth + 1));
                return items;
            }
            default:
                return value;
        }
    }

    /// <summary>
    /// A JSON value as the plain rules expect it: integers as long (BigInteger beyond 64 bits),
    /// other numbers as decimal when that holds them exactly, else their JSON text; strings as they are
    /// (no guessing of dates), objects and arrays nested.
    /// </summary>
    static object? FromJson(JsonElement json, IPlainObjectAdapter? adapter, int depth) => json.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => json.GetString(),
        JsonValueKind.Number => JsonNumber(json),
        JsonValueKind.Array => json.EnumerateArray().Select(e => Unwrap(e, adapter, depth + 1)).ToList(),
        _ => json.EnumerateObject().ToDictionary(p => p.Name, p => Unwrap(p.Value, adapter, depth + 1), StringComparer.Ordinal),
    };

    static object JsonNumber(JsonElement json)
    {
        if (json.TryGetInt64(out var l)) return l;
        var text = json.GetRawText();
        if (text.AsSpan().IndexOfAny('.', 'e', 'E') < 0) return BigInteger.Parse(text, CultureInfo.InvariantCulture);
        // decimal keeps the digits exactly when it can; the plain rules then decide REAL or error.
        // decimal.TryParse rounds past 28 digits without saying so: such a number stays its JSON
        // text, which a TEXT column takes exactly and REAL/INTEGER columns refuse as inexact.
        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var m) && SameValue(text, m) ? m : text;
    }

    /// <summary>Whether the JSON number <paramref name="text"/> is exactly <paramref name="m"/>.</summary>
    static bool SameValue(string text, decimal m)
    {
        var e = text.AsSpan().IndexOfAny('e', 'E');
        var exponent = e < 0 ? 0 : int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissaText = e < 0 ? text : text[..e];
        var dot = mantissaText.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            exponent -= mantissaText.Length - dot - 1;
            mantissaText = mantissaText.Remove(dot, 1);
        }
        var textMantissa = BigInteger.Parse(mantissaText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var bits = decimal.GetBits(m);
        var decimalMantissa = new BigInteger((uint)bits[0]) | (new BigInteger((uint)bits[1]) << 32) | (new BigInteger((uint)bits[2]) << 64);
        if (bits[3] < 0) decimalMantissa = -decimalMantissa;
        var shift = exponent + ((bits[3] >> 16) & 0xFF); // text = tm * 10^exponent, decimal = dm * 10^-scale
        if (shift > 400 || shift < -400) return false;
        return shift >= 0
            ? textMantissa * BigInteger.Pow(10, shift) == decimalMantissa
            : textMantissa == decimalMantissa * BigInteger.Pow(10, -shift);
    }

    static string KeyName(object key, IPlainObjectAdapter? adapter) =>
        (adapter?.BaseObject(key) ?? key) switch
        {
            string s => s,
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            var other => other.ToString() ?? "",
        };
}

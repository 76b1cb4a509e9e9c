using System.Globalization;
using System.Text;
using System.Text.Json;
using Migration.Engine.Convert;

namespace Migration.Engine.Integrity;

/// <summary>
/// One text per jsonb value, whatever its spelling, so a check can compare the JSON text a D1
/// row held with what Postgres prints back for the jsonb it stored: object keys sorted (ordinal)
/// with duplicates resolved as jsonb does (the last one wins), no insignificant whitespace,
/// numbers by value where a decimal holds them (1e2 and 100 are one number; 1.50 keeps its scale,
/// as a numeric does), strings escaped one way. Applied to both sides alike.
/// </summary>
internal static class JsonbCanonical
{
    public static string Of(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 4096 });
            var sb = new StringBuilder(json.Length);
            Append(sb, doc.RootElement);
            return sb.ToString();
        }
        catch (JsonException)
        {
            return json; // not JSON: compared as it is (and found different)
        }
    }

    static void Append(StringBuilder sb, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var members = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var p in e.EnumerateObject()) members[p.Name] = p.Value;
                sb.Append('{');
                var first = true;
                foreach (var (name, value) in members)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    JsonText.AppendString(sb, name);
                    sb.Append(':');
                    Append(sb, value);
                }
                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                var firstItem = true;
                foreach (var item in e.EnumerateArray())
                {
                    if (!firstItem) sb.Append(',');
                    firstItem = false;
                    Append(sb, item);
                }
                sb.Append(']');
                break;
            case JsonValueKind.String:
                JsonText.AppendString(sb, e.GetString());
                break;
            case JsonValueKind.Number:
                var raw = e.GetRawText();
                sb.Append(decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var m) ? m.ToString(CultureInfo.InvariantCulture) : raw);
                break;
            default:
                sb.Append(e.GetRawText());
                break;
        }
    }
}

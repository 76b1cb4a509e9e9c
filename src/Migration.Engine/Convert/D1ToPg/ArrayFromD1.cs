using System.Text;
using System.Text.Json;
using Migration.Engine.Schema;

namespace Migration.Engine.Convert.D1ToPg;

/// <summary>
/// TEXT holding a JSON array (what this module writes for a Postgres array, docs/type-mapping.md)
/// -> the Postgres array literal (<c>["a",null,"b,c"]</c> -> <c>{"a",NULL,"b,c"}</c>), which the
/// target casts with the column's own type, so Postgres parses every element as that type. A
/// JSON <c>null</c> element is NULL; a nested array a dimension; an object or a string is the
/// element's text (json/jsonb elements keep their JSON text); the <c>{"json_text": [...]}</c>
/// form reads back its JSON texts. Anything that is not a JSON array is refused.
/// </summary>
internal sealed class ArrayFromD1(PgType type) : FromD1Converter
{
    public override D1Type Type => D1Type.Text;

    public override object? Convert(object value)
    {
        if (value is not string s) throw Unexpected(value, type.Name);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(s, new JsonDocumentOptions { MaxDepth = 4096 }); }
        catch (JsonException) { throw new ValueRejectedException($"TEXT \"{ValueExcerpt.Of(s, 40)}\" is not a JSON array"); }
        using (doc)
        {
            var root = doc.RootElement;
            var textForm = false;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("json_text", out var inner) && inner.ValueKind == JsonValueKind.Array)
            {
                root = inner;
                textForm = true;
            }
            if (root.ValueKind != JsonValueKind.Array) throw new ValueRejectedException($"TEXT \"{ValueExcerpt.Of(s, 40)}\" is not a JSON array");
            var sb = new StringBuilder(s.Length + 8);
            Append(sb, root, textForm);
            if (sb.ToString().Contains('\0')) throw new ValueRejectedException("an element holds a NUL character: Postgres cannot hold it");
            return sb.ToString();
        }
    }

    static void Append(StringBuilder sb, JsonElement e, bool textForm)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Array:
                sb.Append('{');
                var first = true;
                foreach (var item in e.EnumerateArray())
                {
                    if (!first) sb.Append(',');
                    first = false;
                    Append(sb, item, textForm);
                }
                sb.Append('}');
                break;
            case JsonValueKind.Null:
                sb.Append("NULL");
                break;
            case JsonValueKind.String:
                Quote(sb, e.GetString()!);
                break;
            case JsonValueKind.Number:
            case JsonValueKind.True:
            case JsonValueKind.False:
            case JsonValueKind.Object:
                // Numbers verbatim (exact digits), booleans as true/false, objects as their JSON text.
                if (textForm) throw new ValueRejectedException("the json_text form holds only strings and nulls");
                Quote(sb, e.GetRawText());
                break;
            default:
                throw new ValueRejectedException($"unexpected JSON {e.ValueKind} in an array");
        }
    }

    /// <summary>An element in double quotes with <c>"</c> and <c>\</c> escaped: never mistaken for NULL or a separator.</summary>
    static void Quote(StringBuilder sb, string text)
    {
        sb.Append('"');
        foreach (var c in text)
        {
            if (c is '"' or '\\') sb.Append('\\');
            sb.Append(c);
        }
        sb.Append('"');
    }
}

using System.Text.Json;

namespace Migration.Engine.Cloudflare;

/// <summary>A value from <c>bulk/get</c> (type text): its text, metadata and expiration when reported.</summary>
public sealed record KvBulkValue(string Text, JsonElement? Metadata, long? Expiration)
{
    internal static KvBulkValue? From(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return new KvBulkValue(e.GetString()!, null, null);
            case JsonValueKind.Object when e.TryGetProperty("value", out var v):
                if (v.ValueKind == JsonValueKind.Null) return null;
                var text = v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText();
                JsonElement? metadata = e.TryGetProperty("metadata", out var m) && m.ValueKind != JsonValueKind.Null ? m.Clone() : null;
                long? expiration = e.TryGetProperty("expiration", out var x) && x.ValueKind == JsonValueKind.Number && x.TryGetInt64(out var l) ? l : null;
                return new KvBulkValue(text, metadata, expiration);
            default:
                throw new FormatException($"KV bulk get answered an unexpected value: {e.GetRawText()[..Math.Min(40, e.GetRawText().Length)]}.");
        }
    }
}

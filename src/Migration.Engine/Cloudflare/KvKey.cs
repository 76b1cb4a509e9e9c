using System.Text.Json;

namespace Migration.Engine.Cloudflare;

/// <summary>A key as KV lists it: name, expiration (Unix seconds) and metadata (JSON), when set.</summary>
public sealed record KvKey(string Name, long? Expiration, JsonElement? Metadata)
{
    internal static KvKey From(JsonElement e) => new(
        e.GetProperty("name").GetString()!,
        e.TryGetProperty("expiration", out var x) && x.ValueKind == JsonValueKind.Number && x.TryGetInt64(out var l) ? l : null,
        e.TryGetProperty("metadata", out var m) && m.ValueKind != JsonValueKind.Null ? m.Clone() : null);
}

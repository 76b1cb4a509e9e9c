using System.Text.Json;

namespace Migration.Engine.Cloudflare;

/// <summary>A D1 database as the API describes it (<c>version</c> "production" supports Time Travel).</summary>
public sealed record D1DatabaseInfo(string Uuid, string Name, string? Version, long? NumTables, long? FileSize)
{
    internal static D1DatabaseInfo From(JsonElement e)
    {
        long? Long(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) ? l : null;
        return new D1DatabaseInfo(
            e.GetProperty("uuid").GetString()!,
            e.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "",
            e.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null,
            Long("num_tables"),
            Long("file_size"));
    }
}

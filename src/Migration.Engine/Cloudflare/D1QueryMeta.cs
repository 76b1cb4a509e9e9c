using System.Text.Json;

namespace Migration.Engine.Cloudflare;

/// <summary>A statement's <c>meta</c> as the API reports it (fields the API leaves out are 0/null).</summary>
public sealed record D1QueryMeta(
    long Changes,
    long LastRowId,
    bool ChangedDb,
    long RowsRead,
    long RowsWritten,
    double Duration,
    long SizeAfter,
    string? ServedBy,
    string? ServedByRegion,
    bool? ServedByPrimary)
{
    internal static D1QueryMeta From(JsonElement meta)
    {
        if (meta.ValueKind != JsonValueKind.Object) return new D1QueryMeta(0, 0, false, 0, 0, 0, 0, null, null, null);
        long Long(string name) => meta.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) ? l : 0;
        string? Text(string name) => meta.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return new D1QueryMeta(
            Long("changes"),
            Long("last_row_id"),
            meta.TryGetProperty("changed_db", out var c) && c.ValueKind == JsonValueKind.True,
            Long("rows_read"),
            Long("rows_written"),
            meta.TryGetProperty("duration", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetDouble() : 0,
            Long("size_after"),
            Text("served_by"),
            Text("served_by_region"),
            meta.TryGetProperty("served_by_primary", out var p) && p.ValueKind is JsonValueKind.True or JsonValueKind.False ? p.GetBoolean() : null);
    }
}

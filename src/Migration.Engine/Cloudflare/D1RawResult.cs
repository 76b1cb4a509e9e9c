using System.Text.Json;

namespace Migration.Engine.Cloudflare;

/// <summary>
/// One statement's result from <c>/raw</c>: column names (duplicates kept) and rows as arrays in
/// column order, for keyset-paged reads. Values are the raw JSON; <see cref="DecodeRows"/> turns
/// them into null/long/double/string/byte[].
/// </summary>
public sealed record D1RawResult(IReadOnlyList<string> Columns, IReadOnlyList<JsonElement[]> Rows, D1QueryMeta Meta)
{
    /// <summary>
    /// The rows decoded: with <paramref name="exactProjection"/> every column is taken to be a
    /// <see cref="D1ExactRead.Expression"/> (exact, storage class kept); otherwise
    /// <see cref="D1JsonValue.Decode"/> (refuses integers JSON may have rounded).
    /// </summary>
    public IReadOnlyList<object?[]> DecodeRows(bool exactProjection)
    {
        var decoded = new List<object?[]>(Rows.Count);
        foreach (var row in Rows)
        {
            var values = new object?[row.Length];
            for (var i = 0; i < row.Length; i++)
                values[i] = exactProjection ? D1ExactRead.Decode(row[i]) : D1JsonValue.Decode(row[i]);
            decoded.Add(values);
        }
        return decoded;
    }

    internal static D1RawResult From(JsonElement statement)
    {
        var columns = new List<string>();
        var rows = new List<JsonElement[]>();
        if (statement.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Object)
        {
            if (results.TryGetProperty("columns", out var cs) && cs.ValueKind == JsonValueKind.Array)
                foreach (var c in cs.EnumerateArray()) columns.Add(c.GetString() ?? "");
            if (results.TryGetProperty("rows", out var rs) && rs.ValueKind == JsonValueKind.Array)
                foreach (var r in rs.EnumerateArray()) rows.Add(r.EnumerateArray().ToArray());
        }
        return new D1RawResult(columns, rows, D1QueryMeta.From(statement.TryGetProperty("meta", out var m) ? m : default));
    }
}

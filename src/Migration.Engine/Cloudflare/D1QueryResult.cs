using System.Text.Json;

namespace Migration.Engine.Cloudflare;

/// <summary>
/// One statement's result from <c>/query</c>: rows as objects (a duplicate column name keeps
/// only one value: use <c>/raw</c> to read) and its meta. Values are the raw JSON; decode them
/// with <see cref="D1JsonValue"/> or <see cref="D1ExactRead"/>.
/// </summary>
public sealed record D1QueryResult(IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> Rows, D1QueryMeta Meta)
{
    internal static D1QueryResult From(JsonElement statement)
    {
        var rows = new List<IReadOnlyDictionary<string, JsonElement>>();
        if (statement.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array)
            foreach (var row in results.EnumerateArray())
                rows.Add(row.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal));
        return new D1QueryResult(rows, D1QueryMeta.From(statement.TryGetProperty("meta", out var m) ? m : default));
    }
}

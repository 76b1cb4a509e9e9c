using System.Globalization;
using Migration.Engine.Schema;

namespace Migration.Engine.Integrity;

/// <summary>
/// Every JSON-mapped column (source json, jsonb or array) holds TEXT that passes SQLite's
/// <c>json_valid</c>, D1's own test. A number or blob there is a failure too: the column must
/// hold JSON text, not something json_valid happens to accept.
/// </summary>
static class JsonCheck
{
    public static IntegrityResult Run(TableCheckContext ctx)
    {
        var columns = ctx.Target.Columns
            .Where(c => c.PgType?.Family is PgTypeFamily.Json or PgTypeFamily.Jsonb or PgTypeFamily.Array)
            .Select(c => c.Name).ToList();
        if (columns.Count == 0)
            return new IntegrityResult(ctx.TargetTable, IntegrityCheck.Json, true, "valid JSON", "valid JSON", "no JSON columns");

        long total = 0;
        var differences = new List<IntegrityDifference>();
        var parts = new List<string>();
        foreach (var c in columns)
        {
            var (count, first) = ctx.Violations(c, "{c} IS NOT NULL AND (typeof({c}) <> 'text' OR NOT json_valid({c}))");
            if (count == 0) continue;
            total += count;
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{c}: {count} invalid"));
            foreach (var (key, value) in first)
                if (differences.Count < ctx.Options.MaxDifferences)
                    differences.Add(new IntegrityDifference(key, c, "valid JSON text", D1Value.Excerpt(value)));
        }
        return new IntegrityResult(ctx.TargetTable, IntegrityCheck.Json, total == 0, "0 invalid",
            total.ToString(CultureInfo.InvariantCulture) + " invalid",
            total == 0 ? string.Create(CultureInfo.InvariantCulture, $"{columns.Count} JSON columns valid") : string.Join("; ", parts),
            differences);
    }
}

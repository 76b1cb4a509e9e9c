using System.Globalization;
using System.Text;
using Migration.Engine.Schema;

namespace Migration.Engine.Integrity;

/// <summary>
/// No duplicates on the primary key and on the source's unique keys, mapped to target columns.
/// Checked on the data, not on the target's constraints: a hand-written target may lack them.
/// Rows with a NULL in a unique key are not duplicates (SQL's rule); a partial unique index only
/// binds some rows and is left out.
/// </summary>
static class UniqueCheck
{
    public static IntegrityResult Run(TableCheckContext ctx)
    {
        var keys = new List<(string Name, IReadOnlyList<string> Columns, bool Primary)>();
        if (ctx.KeyColumns.Count > 0) keys.Add(("primary key", ctx.KeyColumns, true));
        foreach (var ix in ctx.SourceIndexes)
        {
            if (!ix.IsUnique || ix.IsPrimary || ix.IsPartial) continue;
            var mapped = ix.Columns.Select(ctx.TargetColumnOf).ToList();
            if (mapped.Count == 0 || mapped.Any(m => m is null)) continue;
            if (keys.Any(k => k.Columns.SequenceEqual(mapped!, StringComparer.OrdinalIgnoreCase))) continue;
            keys.Add((ix.Name, mapped!, false));
        }
        if (keys.Count == 0)
            return new IntegrityResult(ctx.TargetTable, IntegrityCheck.Unique, true, "0 duplicates", "0 duplicates", "no keys to check");

        long total = 0;
        var differences = new List<IntegrityDifference>();
        var parts = new List<string>();
        foreach (var (name, columns, primary) in keys)
        {
            var list = SqlQuote.Identifiers(columns);
            var notNull = primary ? "" : "WHERE " + string.Join(" AND ", columns.Select(c => SqlQuote.Identifier(c) + " IS NOT NULL"));
            var groups = $"SELECT {list}, count(*) AS n FROM {SqlQuote.Identifier(ctx.TargetTable)} {notNull} GROUP BY {list} HAVING count(*) > 1";
            using var cmd = ctx.Db.CreateCommand();
            cmd.CommandText = $"SELECT (SELECT count(*) FROM ({groups})), * FROM ({groups}) LIMIT $max";
            cmd.Parameters.AddWithValue("$max", Math.Max(1, ctx.Options.MaxDifferences));
            using var r = cmd.ExecuteReader();
            long count = 0;
            while (r.Read())
            {
                count = r.GetInt64(0);
                if (differences.Count >= ctx.Options.MaxDifferences) continue;
                var key = new StringBuilder();
                for (var i = 0; i < columns.Count; i++)
                {
                    if (i > 0) key.Append(", ");
                    key.Append(columns[i]).Append('=').Append(ValueExcerpt.Of(r.IsDBNull(i + 1) ? null : r.GetValue(i + 1), 30));
                }
                var n = r.GetInt64(columns.Count + 1);
                differences.Add(new IntegrityDifference(key.ToString(), string.Join(", ", columns), "1 row",
                    n.ToString(CultureInfo.InvariantCulture) + " rows"));
            }
            if (count == 0) continue;
            total += count;
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{name} ({string.Join(", ", columns)}): {count} duplicated values"));
        }
        return new IntegrityResult(ctx.TargetTable, IntegrityCheck.Unique, total == 0, "0 duplicates",
            total.ToString(CultureInfo.InvariantCulture) + " duplicates",
            total == 0 ? string.Create(CultureInfo.InvariantCulture, $"{keys.Count} keys unique") : string.Join("; ", parts),
            differences);
    }
}

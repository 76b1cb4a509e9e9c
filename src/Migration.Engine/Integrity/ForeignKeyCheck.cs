using Migration.Engine.Schema;
using System.Globalization;
using Migration.Engine.Target;
using Migration.Engine.Target.Sqlite;

namespace Migration.Engine.Integrity;

/// <summary>
/// <c>PRAGMA foreign_key_check</c> on the target table: counts orphans per foreign key and names
/// the first ones by key and column. It works whether or not foreign keys were enforced while
/// loading (D1 always enforces them; a local file may not have).
/// </summary>
static class ForeignKeyCheck
{
    public static IntegrityResult Run(TableCheckContext ctx, TargetCatalog catalog)
    {
        var fks = catalog.ForeignKeys(ctx.TargetTable);
        if (fks.Count == 0)
            return new IntegrityResult(ctx.TargetTable, IntegrityCheck.ForeignKeys, true, "0 orphans", "0 orphans", "no foreign keys");

        var orphans = new Dictionary<int, List<long?>>();
        using (var cmd = ctx.Db.CreateCommand())
        {
            cmd.CommandText = $"PRAGMA foreign_key_check({SqlQuote.Identifier(ctx.TargetTable)})";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var fkid = r.GetInt32(3);
                if (!orphans.TryGetValue(fkid, out var rows)) orphans[fkid] = rows = [];
                rows.Add(r.IsDBNull(1) ? null : r.GetInt64(1));
            }
        }

        var total = orphans.Values.Sum(l => (long)l.Count);
        var differences = new List<IntegrityDifference>();
        var parts = new List<string>();
        foreach (var fk in fks)
        {
            var name = $"{string.Join(", ", fk.Columns)} -> {fk.ParentTable}({string.Join(", ", fk.ParentColumns.Select(p => p ?? "primary key"))})";
            if (!orphans.TryGetValue(fk.Id, out var rows)) continue;
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{name}: {rows.Count} orphans"));
            foreach (var rowid in rows)
            {
                if (differences.Count >= ctx.Options.MaxDifferences) break;
                differences.Add(Describe(ctx, fk, rowid));
            }
        }
        var actual = total.ToString(CultureInfo.InvariantCulture) + " orphans";
        return new IntegrityResult(ctx.TargetTable, IntegrityCheck.ForeignKeys, total == 0, "0 orphans", actual,
            total == 0 ? string.Create(CultureInfo.InvariantCulture, $"{fks.Count} foreign keys hold") : string.Join("; ", parts),
            differences);
    }

    static IntegrityDifference Describe(TableCheckContext ctx, TargetForeignKey fk, long? rowid)
    {
        var column = string.Join(", ", fk.Columns);
        if (rowid is null) return new IntegrityDifference("(a row of a WITHOUT ROWID table)", column, "a parent row", "none");
        using var cmd = ctx.Db.CreateCommand();
        cmd.CommandText = $"SELECT {ctx.KeySelect}, {SqlQuote.Identifiers(fk.Columns)} FROM {SqlQuote.Identifier(ctx.TargetTable)} WHERE rowid = $r";
        cmd.Parameters.AddWithValue("$r", rowid.Value);
        using var r = cmd.ExecuteReader();
        if (!r.Read()) return new IntegrityDifference("rowid=" + rowid.Value.ToString(CultureInfo.InvariantCulture), column, "a parent row", "none");
        var values = string.Join(", ", Enumerable.Range(ctx.KeyWidth, fk.Columns.Count)
            .Select(i => D1Value.Excerpt(r.IsDBNull(i) ? null : r.GetValue(i))));
        return new IntegrityDifference(ctx.DescribeKey(r), column, $"a row in {fk.ParentTable}", values + " (no parent)");
    }
}

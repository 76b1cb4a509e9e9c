using System.Globalization;

namespace Migration.Engine.Integrity;

/// <summary>
/// Each expected table, column and index exists in the target. Expected columns are the D1
/// schema's; expected indexes are the source's non-primary-key column indexes whose columns all
/// survive the mapping, matched in the target by (mapped column list, uniqueness) and not by name,
/// because a target may come from hand-written DDL.
/// </summary>
static class SchemaCheck
{
    /// <param name="target">The target as messages name it (a file's name, or a remote's location).</param>
    public static IntegrityResult MissingTable(string table, string target) =>
        new(table, IntegrityCheck.Schema, false, "table " + table, "missing", $"table {table} does not exist in {target}",
            [new IntegrityDifference("table " + table, null, "present", "missing")]);

    public static IntegrityResult Run(TableCheckContext ctx, TargetCatalog catalog)
    {
        var differences = new List<IntegrityDifference>();
        var present = new HashSet<string>(catalog.Columns(ctx.TargetTable), StringComparer.OrdinalIgnoreCase);
        var expectedColumns = ctx.Target.Columns.Select(c => c.Name).ToList();
        var missingColumns = expectedColumns.Where(c => !present.Contains(c)).ToList();
        foreach (var c in missingColumns)
            differences.Add(new IntegrityDifference("column " + c, c, "present", "missing"));

        var expectedIndexes = ExpectedIndexes(ctx);
        var targetIndexes = catalog.Indexes(ctx.TargetTable);
        var missingIndexes = 0;
        foreach (var (name, columns, unique) in expectedIndexes)
        {
            if (targetIndexes.Any(t => t.IsUnique == unique && t.Columns.SequenceEqual(columns, StringComparer.OrdinalIgnoreCase)))
                continue;
            missingIndexes++;
            differences.Add(new IntegrityDifference("index " + name, string.Join(", ", columns),
                $"{(unique ? "unique " : "")}index ({string.Join(", ", columns)})", "missing"));
        }

        var passed = differences.Count == 0;
        var expected = Invariant($"{expectedColumns.Count} columns, {expectedIndexes.Count} indexes");
        var actual = Invariant($"{expectedColumns.Count - missingColumns.Count} columns, {expectedIndexes.Count - missingIndexes} indexes");
        var details = passed
            ? "every expected column and index exists"
            : string.Join("; ", new[]
            {
                missingColumns.Count > 0 ? "missing columns: " + string.Join(", ", missingColumns) : null,
                missingIndexes > 0 ? Invariant($"{missingIndexes} indexes missing") : null,
            }.Where(s => s is not null));
        return new IntegrityResult(ctx.TargetTable, IntegrityCheck.Schema, passed, expected, actual, details,
            [.. differences.Take(Math.Max(0, ctx.Options.MaxDifferences))]);
    }

    /// <summary>The source's indexes as they must appear in the target (name for reports, mapped columns, uniqueness).</summary>
    public static List<(string Name, IReadOnlyList<string> Columns, bool Unique)> ExpectedIndexes(TableCheckContext ctx)
    {
        var list = new List<(string, IReadOnlyList<string>, bool)>();
        foreach (var ix in ctx.SourceIndexes)
        {
            if (ix.IsPrimary) continue;
            var mapped = ix.Columns.Select(ctx.TargetColumnOf).ToList();
            if (mapped.Count == 0 || mapped.Any(m => m is null)) continue;
            list.Add((ix.Name, mapped!, ix.IsUnique));
        }
        return list;
    }

    static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

using System.Globalization;
using System.Text.Json;
using Migration.Engine.Schema;

namespace Migration.Engine.Integrity;

/// <summary>
/// Values stay inside their source domain: booleans are INTEGER 0/1, enum columns hold TEXT that
/// is one of the enum's labels (from pg_enum), and columns NOT NULL in the source hold no NULL.
/// </summary>
static class DomainCheck
{
    public static IntegrityResult Run(TableCheckContext ctx)
    {
        var rules = new List<(string Column, string Rule, string Condition, (string, object)[] Parameters)>();
        foreach (var c in ctx.Target.Columns)
        {
            var source = ctx.SourceColumnOf(c);
            if (source is null) continue;
            if (source.PgType?.Family == PgTypeFamily.Boolean)
                rules.Add((c.Name, "0 or 1", "{c} IS NOT NULL AND (typeof({c}) <> 'integer' OR {c} NOT IN (0, 1))", []));
            if (ctx.EnumLabels.TryGetValue(source.Name, out var labels))
                rules.Add((c.Name, "one of " + string.Join("|", labels),
                    "{c} IS NOT NULL AND (typeof({c}) <> 'text' OR {c} NOT IN (SELECT value FROM json_each($labels)))",
                    [("$labels", JsonSerializer.Serialize(labels))]));
            if (!source.IsNullable)
                rules.Add((c.Name, "NOT NULL", "{c} IS NULL", []));
        }
        if (rules.Count == 0)
            return new IntegrityResult(ctx.TargetTable, IntegrityCheck.Domain, true, "0 violations", "0 violations", "no domain rules apply");

        long total = 0;
        var differences = new List<IntegrityDifference>();
        var parts = new List<string>();
        foreach (var (column, rule, condition, parameters) in rules)
        {
            var (count, first) = ctx.Violations(column, condition, parameters);
            if (count == 0) continue;
            total += count;
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{column} not {rule}: {count}"));
            foreach (var (key, value) in first)
                if (differences.Count < ctx.Options.MaxDifferences)
                    differences.Add(new IntegrityDifference(key, column, rule, D1Value.Excerpt(value)));
        }
        return new IntegrityResult(ctx.TargetTable, IntegrityCheck.Domain, total == 0, "0 violations",
            total.ToString(CultureInfo.InvariantCulture) + " violations",
            total == 0 ? string.Create(CultureInfo.InvariantCulture, $"{rules.Count} rules hold") : string.Join("; ", parts),
            differences);
    }
}

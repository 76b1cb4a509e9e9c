using System.Globalization;
using System.Text.RegularExpressions;
using Migration.Engine.Convert;
using Migration.Engine.Schema;
using Migration.Engine.Target;

namespace Migration.Engine.Preflight;

/// <summary>
/// Everything about a whole set of tables that is knowable before the first write, checked at
/// once: the mapping applies (names, exclusions, computed columns), every type has a D1 mapping,
/// D1's column limit, reserved names, two source tables becoming one D1 table, a declared row
/// size that cannot fit, foreign keys that cannot be loaded. Pure: it reads schemas only, so
/// the cmdlets and the CLI decide what a refusal means (stop, or refuse that table and go on).
/// </summary>
public static partial class MigrationPreflight
{
    /// <summary>
    /// Checks source (Postgres) tables as <paramref name="converter"/> maps them, then their D1
    /// schemas. The report's <see cref="PreflightReport.Accepted"/> are the D1 schemas that may load.
    /// </summary>
    /// <param name="loadOrder">Whether the tables come in load order (a whole-database export), so a foreign key to a later table is checked for loadability.</param>
    public static PreflightReport Check(IReadOnlyList<TableSchema> sources, RowConverter converter, D1Limits? limits = null, bool? loadOrder = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(converter);
        var options = converter.Options;
        var refused = new List<PreflightProblem>();
        var mapped = new List<TableSchema>(sources.Count);
        foreach (var source in sources)
        {
            var table = source.SourceDisplayName;
            var d1Name = TargetName(source, options);
            var unmapped = source.Columns.Where(c => (c.PgType is null || !PgToD1CastRules.Covers(c.PgType.Family))
                && !Excluded(source, c.Name, options)).ToList();
            if (unmapped.Count > 0)
            {
                foreach (var c in unmapped)
                    refused.Add(new PreflightProblem(table, d1Name, PreflightProblemKind.UnmappedType,
                        $"column {c.Name} has type {c.PgType?.Name ?? "(none)"}, which has no D1 mapping", "Exclude"));
                continue;
            }
            try
            {
                mapped.Add(converter.TargetSchemaFor(source));
            }
            catch (MappingException ex)
            {
                refused.Add(new PreflightProblem(table, d1Name, PreflightProblemKind.Mapping, ex.Reason, FixForMapping(ex.Reason)));
            }
        }
        return CheckTargets(mapped, limits, refused, sources.Select(s => s.SourceDisplayName).ToList(),
            loadOrder ?? sources.FirstOrDefault()?.Definition?.Set?.IsLoadOrder ?? true);
    }

    /// <summary>
    /// Checks D1 tables (already mapped, in load order) against D1: limits, reserved names,
    /// collisions, declared row size, foreign keys. <paramref name="earlier"/> are refusals found
    /// before mapping (their children's rows follow the orphan policy).
    /// </summary>
    /// <param name="loadOrder">
    /// Whether the tables come in load order: then a foreign key to a later table must be
    /// loadable NULL first. Tables merely named together load one by one, and a key to a table
    /// not loaded yet is left out by the target (with a warning) instead.
    /// </param>
    public static PreflightReport CheckTargets(IReadOnlyList<TableSchema> tables, D1Limits? limits = null,
        IReadOnlyList<PreflightProblem>? earlier = null, IReadOnlyList<string>? order = null, bool loadOrder = true)
    {
        ArgumentNullException.ThrowIfNull(tables);
        limits ??= D1Limits.Default;
        var problems = new List<PreflightProblem>(earlier ?? []);
        var refused = new HashSet<TableSchema>(ReferenceEqualityComparer.Instance);
        var refusedNames = new HashSet<string>(problems.Where(p => p.D1Table is not null).Select(p => p.D1Table!), StringComparer.OrdinalIgnoreCase);

        void Refuse(TableSchema t, PreflightProblemKind kind, string reason, string fix)
        {
            problems.Add(new PreflightProblem(t.SourceDisplayName, t.Name, kind, reason, fix));
            refused.Add(t);
            refusedNames.Add(t.Name);
        }

        foreach (var t in tables)
        {
            if (t.Name.StartsWith("_cf_", StringComparison.OrdinalIgnoreCase))
                Refuse(t, PreflightProblemKind.ReservedName, "names beginning with _cf_ are reserved by D1", "TableMap");
            else if (t.Name.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase))
                Refuse(t, PreflightProblemKind.ReservedName, "names beginning with sqlite_ are reserved by SQLite", "TableMap");
            if (t.Columns.Count > limits.MaxColumns)
                Refuse(t, PreflightProblemKind.TooManyColumns, $"{t.Columns.Count} columns, over D1's limit of {limits.MaxColumns} columns per table", "Exclude");
            var minimum = MinimumRowBytes(t);
            if (minimum > limits.MaxRowBytes)
                Refuse(t, PreflightProblemKind.RowSize,
                    string.Create(CultureInfo.InvariantCulture, $"its fixed-width NOT NULL columns alone take at least {minimum} bytes a row, over D1's limit of {limits.MaxRowBytes} bytes"), "Exclude");
        }

        foreach (var group in tables.GroupBy(t => t.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            var sources = string.Join(" and ", group.Select(t => t.SourceDisplayName));
            var all = group.Count() == 2 ? "both" : "all";
            foreach (var t in group)
                Refuse(t, PreflightProblemKind.NameCollision, $"{sources} would {all} be the D1 table {t.Name}; give each its own name", "TableMap");
        }

        // Foreign keys, until nothing changes: a table refused here makes its children's keys point at a refused table.
        var notes = new List<PreflightProblem>();
        bool changed;
        do
        {
            changed = false;
            notes.Clear();
            var position = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < tables.Count; i++)
                if (!refused.Contains(tables[i])) position.TryAdd(tables[i].Name, i);
            for (var i = 0; i < tables.Count; i++)
            {
                var t = tables[i];
                if (refused.Contains(t) || t.Definition is null) continue;
                foreach (var fk in t.Definition.ForeignKeys)
                {
                    var ordinals = fk.Columns.Select(t.IndexOf).ToArray();
                    if (ordinals.Any(o => o < 0)) continue;
                    if (string.Equals(fk.ParentTable, t.Name, StringComparison.OrdinalIgnoreCase)) continue;
                    if (refusedNames.Contains(fk.ParentTable))
                    {
                        notes.Add(new PreflightProblem(t.SourceDisplayName, t.Name, PreflightProblemKind.ParentRefused,
                            $"foreign key {fk.Name} refers to {fk.ParentTable}, which is refused: the key is not created and each row with a value there is an orphan (-OrphanPolicy decides)", "OrphanPolicy"));
                        continue;
                    }
                    if (!loadOrder || !position.TryGetValue(fk.ParentTable, out var p) || p <= i) continue;
                    var nullable = ordinals.All(o => t.Columns[o].IsNullable);
                    if (nullable && t.HasPrimaryKey) continue; // insert-then-update
                    Refuse(t, PreflightProblemKind.ForeignKeyUnloadable,
                        $"foreign key {fk.Name} refers to {fk.ParentTable}, which loads later, and {(nullable ? "the table has no primary key to fill the key in later" : "its columns are NOT NULL, so it cannot be loaded NULL first")}", "ExcludeTable");
                    changed = true;
                    break;
                }
            }
        }
        while (changed);
        problems.AddRange(notes);

        var rank = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in order ?? tables.Select(t => t.SourceDisplayName).ToList()) rank.TryAdd(name, rank.Count);
        var sorted = problems
            .Select((p, i) => (p, i))
            .OrderBy(x => rank.TryGetValue(x.p.Table, out var r) ? r : int.MaxValue)
            .ThenBy(x => x.p.RefusesTable ? 0 : 1)
            .ThenBy(x => x.i)
            .Select(x => x.p)
            .ToList();
        return new PreflightReport(sorted, [.. tables.Where(t => !refused.Contains(t)).Select(t => WithoutRefusedParents(t, refusedNames))]);
    }

    /// <summary>
    /// A table whose foreign key names a refused table: that key is not created (SQLite could not
    /// even prepare an INSERT with it), and a warning on the definition says why.
    /// </summary>
    static TableSchema WithoutRefusedParents(TableSchema t, HashSet<string> refusedNames)
    {
        var d = t.Definition;
        if (d is null) return t;
        var gone = d.ForeignKeys.Where(fk => !string.Equals(fk.ParentTable, t.Name, StringComparison.OrdinalIgnoreCase) && refusedNames.Contains(fk.ParentTable)).ToList();
        if (gone.Count == 0) return t;
        var warnings = gone.Select(fk => new SchemaWarning(t.Name, "ForeignKey", fk.Name,
            $"not created: the parent table {fk.ParentTable} is refused (see its error); a row with a value there has no parent row and follows -OrphanPolicy."));
        return t.WithDefinition(d.With([.. d.ForeignKeys.Except(gone)], warnings));
    }

    /// <summary>
    /// The names in the mapping parameters that match no table or column of <paramref name="sources"/>
    /// (Postgres tables), each with the closest real name.
    /// </summary>
    public static IReadOnlyList<UnmatchedName> UnmatchedNames(IReadOnlyList<TableSchema> sources, ConversionOptions options)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(options);
        var tableKeys = new List<string>();
        var columnKeys = new List<string>();
        var computedKeys = new List<string>();
        foreach (var s in sources)
        {
            var keys = MapKeys.ForTable(s.SourceSchema, s.SourceTable);
            tableKeys.AddRange(keys);
            foreach (var c in s.Columns) columnKeys.AddRange(MapKeys.ForColumn(s.SourceSchema, s.SourceTable, c.Name));
            foreach (var c in options.Computed.Where(c => keys.Contains(c.Table, StringComparer.OrdinalIgnoreCase)))
                computedKeys.AddRange(MapKeys.ForColumn(s.SourceSchema, s.SourceTable, c.Name));
        }
        var tables = new HashSet<string>(tableKeys, StringComparer.OrdinalIgnoreCase);
        var columns = new HashSet<string>(columnKeys, StringComparer.OrdinalIgnoreCase);
        var overridable = new HashSet<string>(columnKeys.Concat(computedKeys), StringComparer.OrdinalIgnoreCase);

        var result = new List<UnmatchedName>();
        void Check(string parameter, IEnumerable<string> names, HashSet<string> known, List<string> candidates, string what)
        {
            foreach (var name in names.Order(StringComparer.Ordinal))
                if (!known.Contains(name))
                    result.Add(new UnmatchedName(parameter, name, Suggest(name, candidates), what));
        }
        Check("Exclude", options.Exclude, columns, columnKeys, "column");
        Check("ColumnMap", options.ColumnMap.Keys, columns, columnKeys, "column");
        Check("TableMap", options.TableMap.Keys, tables, tableKeys, "table");
        Check("ColumnOverride", options.ColumnOverrides.Keys, overridable, [.. columnKeys, .. computedKeys], "column");
        Check("ComputedColumn", options.Computed.Select(c => c.Table).Distinct(StringComparer.Ordinal), tables, tableKeys, "table");
        return result;
    }

    /// <summary>The closest candidate written the same way (as many dots), else the closest of all.</summary>
    static string? Suggest(string name, List<string> candidates)
    {
        var dots = name.Count(ch => ch == '.');
        var same = candidates.Where(c => c.Count(ch => ch == '.') == dots).Distinct(StringComparer.Ordinal).ToList();
        return NameSuggestion.Closest(name, same.Count > 0 ? same : candidates.Distinct(StringComparer.Ordinal));
    }

    /// <summary>The D1 name -TableMap gives the table, or null when the map itself is unusable for it.</summary>
    static string? TargetName(TableSchema source, ConversionOptions options)
    {
        try
        {
            return MapKeys.TryFind(options.TableMap, MapKeys.ForTable(source.SourceSchema, source.SourceTable), source.SourceDisplayName, "TableMap", out var mapped)
                ? mapped : source.SourceTable;
        }
        catch (MappingException)
        {
            return null;
        }
    }

    static bool Excluded(TableSchema source, string column, ConversionOptions options)
    {
        try { return MapKeys.Contains(options.Exclude, MapKeys.ForColumn(source.SourceSchema, source.SourceTable, column), source.SourceDisplayName, "Exclude"); }
        catch (MappingException) { return false; }
    }

    /// <summary>The parameter a mapping refusal names (each reason of <see cref="TablePlan"/> says which map it comes from).</summary>
    static string FixForMapping(string reason)
    {
        foreach (var p in new[] { "TableMap", "ColumnMap", "ColumnOverrides", "Exclude" })
            if (reason.Contains(p, StringComparison.Ordinal)) return p == "ColumnOverrides" ? "ColumnOverride" : p;
        if (reason.Contains("computed", StringComparison.OrdinalIgnoreCase)) return "ComputedColumn";
        if (reason.Contains("excluded", StringComparison.OrdinalIgnoreCase)) return "Exclude";
        return "ColumnMap";
    }

    /// <summary>
    /// The least a row can take: every non-NULL value of a char(n) or bit(n) column is n
    /// characters (at least n bytes in UTF-8), so NOT NULL columns of those types set a floor.
    /// </summary>
    static long MinimumRowBytes(TableSchema table)
    {
        long total = 0;
        foreach (var c in table.Columns)
        {
            if (c.IsNullable || c.PgType is null) continue;
            var m = FixedWidth().Match(c.PgType.Name);
            if (m.Success && long.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) total += n;
        }
        return total;
    }

    [GeneratedRegex(@"^(?:character|bit)\((\d+)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex FixedWidth();
}

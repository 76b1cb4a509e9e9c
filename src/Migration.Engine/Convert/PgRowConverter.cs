using Migration.Engine.Convert.D1ToPg;
using Migration.Engine.Schema;
using Migration.Engine.Source;

namespace Migration.Engine.Convert;

/// <summary>
/// Converts D1 rows (from a <see cref="Source.D1Source"/>: a file or a remote D1) to rows of an EXISTING
/// Postgres table, each value to that column's type as the catalog gives it (the D1 -> Postgres
/// cast rules, <see cref="D1ToPgCastRules"/>). Plans each D1 table once: the Postgres table
/// (TableMap, else the same name), per D1 column the Postgres column (ColumnMap, else
/// ColumnNaming, else the same name) and its converter, and the computed columns. The converted
/// rows look like Export-PgTable's rows of the Postgres table (same schema kind, same CLR values),
/// carry the D1 row's key (<see cref="Row.SourceKey"/>) for resume, and their schema's
/// <see cref="TableSchema.Source"/> is the D1 table.
/// </summary>
/// <remarks>
/// Lossless or loud: a D1 column with no Postgres column to go to is a mapping error for its
/// table (exclude it with -Exclude), never dropped silently; a value that cannot become the
/// column's type is a <see cref="ConversionException"/> for its row. Postgres columns the D1
/// table does not fill take their defaults.
/// </remarks>
public sealed class PgRowConverter
{
    readonly PgConversionOptions _options;
    readonly IReadOnlyList<TableSchema> _catalog;
    readonly D1ToPgCastRules _rules;
    readonly Dictionary<TableSchema, Plan> _plans = new(ReferenceEqualityComparer.Instance);
    readonly object _lock = new();
    Plan? _last;

    /// <param name="targetTables">The Postgres tables (from the target's catalog, e.g. PgExporter.DescribeAll).</param>
    public PgRowConverter(PgConversionOptions options, IReadOnlyList<TableSchema> targetTables)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(targetTables);
        _options = options;
        _catalog = targetTables;
        _rules = D1ToPgCastRules.With(options.Settings);
    }

    public PgConversionOptions Options => _options;

    sealed record Plan(TableSchema Source, TableSchema Target, TableSchema Table, int[] Ordinals, ValueConverter[] Converters,
        ComputedColumn[] Computed, ValueConverter[] ComputedConverters, int[] ComputedTargets);

    /// <summary>The Postgres schema rows of a D1 table convert to; throws <see cref="MappingException"/> when the mapping cannot apply.</summary>
    public TableSchema TargetSchemaFor(TableSchema source) => PlanFor(source).Target;

    /// <summary>The whole Postgres table (all columns, keys, foreign keys) a D1 table goes into.</summary>
    public TableSchema TargetTableFor(TableSchema source) => PlanFor(source).Table;

    public Row Convert(Row source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var plan = PlanFor(source.GetSchema());
        var src = source.GetValues();
        var values = new object?[plan.Target.Columns.Count];
        var i = 0;
        try
        {
            for (; i < plan.Ordinals.Length; i++)
            {
                var v = src[plan.Ordinals[i]];
                if (v is not null) values[i] = plan.Converters[i].Convert(v);
            }
        }
        catch (ValueRejectedException e)
        {
            throw new ConversionException(plan.Source.Name, source.DescribeKey(), plan.Source.Columns[plan.Ordinals[i]].Name,
                ValueExcerpt.Of(src[plan.Ordinals[i]]), e.Reason);
        }
        for (var j = 0; j < plan.Computed.Length; j++)
        {
            var c = plan.Computed[j];
            object? v = null;
            try
            {
                v = c.Compute(source);
                values[plan.ComputedTargets[j]] = v is null ? null : PlainValue(v, plan.Target.Columns[plan.ComputedTargets[j]], plan.ComputedConverters[j]);
            }
            catch (ValueRejectedException e)
            {
                throw new ConversionException(plan.Source.Name, source.DescribeKey(), c.Name, ValueExcerpt.Of(v), e.Reason);
            }
            catch (Exception e) when (e is not ConversionException)
            {
                throw new ConversionException(plan.Source.Name, source.DescribeKey(), c.Name, ValueExcerpt.Of(null),
                    $"the computed column's function failed: {e.GetType().Name}: {e.Message}");
            }
        }
        for (var k = 0; k < values.Length; k++)
            if (values[k] is null && !plan.Target.Columns[k].IsNullable)
                throw new ConversionException(plan.Source.Name, source.DescribeKey(), plan.Target.Columns[k].Name, "NULL", "NULL for a NOT NULL column");
        return new Row(plan.Target, values) { SourceKey = source.SourceKey };
    }

    /// <summary>A value a computed column's function gave (a PowerShell value) into the column's type.</summary>
    object? PlainValue(object v, Column column, ValueConverter converter)
    {
        var family = column.PgType!.Family;
        if (v is DateTimeOffset o) v = o.UtcDateTime;
        switch (v)
        {
            case bool b when family == PgTypeFamily.Boolean: return b;
            case bool b: return converter.Convert(b ? 1L : 0L);
            case Guid g when family == PgTypeFamily.Uuid: return g;
            case PgTimestamp or PgDate: return v;
            case DateTime dt when family is PgTypeFamily.TimestampTz or PgTypeFamily.Timestamp:
                if (dt.Kind == DateTimeKind.Unspecified && family == PgTypeFamily.TimestampTz)
                    dt = TimeZoneInfo.ConvertTimeToUtc(dt, _options.Settings.AssumeTimeZone);
                return PgTimestamp.FromDateTime(dt.Kind == DateTimeKind.Local ? dt.ToUniversalTime() : dt, family == PgTypeFamily.TimestampTz);
            case DateTime dt when family == PgTypeFamily.Date && dt.TimeOfDay == TimeSpan.Zero: return PgDate.FromDateOnly(DateOnly.FromDateTime(dt));
            case DateTime dt: return converter.Convert(dt.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
            case long or string or byte[] or double: return converter.Convert(v);
            case int or short or byte or sbyte or uint or ushort: return converter.Convert(System.Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture));
            case float f: return converter.Convert((double)f);
            case decimal m: return converter.Convert(m.ToString(System.Globalization.CultureInfo.InvariantCulture));
            default: return converter.Convert(System.Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "");
        }
    }

    Plan PlanFor(TableSchema source)
    {
        var last = _last;
        if (last is not null && ReferenceEquals(last.Source, source)) return last;
        lock (_lock)
        {
            if (!_plans.TryGetValue(source, out var plan)) _plans.Add(source, plan = Build(source));
            _last = plan;
            return plan;
        }
    }

    /// <summary>The Postgres table a D1 table goes into (TableMap, else the same name).</summary>
    public TableSchema FindTargetTable(TableSchema source)
    {
        var name = TargetTableName(_options, source);
        return FindTable(name) ?? throw new MappingException(source.Name,
            $"the Postgres database has no table \"{name}\"" + (Preflight.NameSuggestion.Closest(name, _catalog.Select(t => t.Name)) is { } near ? $" (did you mean {near}?)" : "")
            + ". Create it first (the target schema comes first), or map the table with -TableMap.");
    }

    /// <summary>The Postgres table name a D1 table goes into: -TableMap, else the same name (the one rule, shared with Export-PgSchema).</summary>
    public static string TargetTableName(PgConversionOptions options, TableSchema source)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(source);
        return MapKeys.TryFind(options.TableMap, [source.SourceTable], source.Name, "TableMap", out var mapped) ? mapped : source.SourceTable;
    }

    /// <summary>
    /// The Postgres column name a D1 column goes to (-ColumnMap, else -ColumnNaming, else the same
    /// name), or null when -Exclude leaves it out: the one rule, shared with Export-PgSchema.
    /// </summary>
    public static string? TargetColumnName(PgConversionOptions options, TableSchema source, string column)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(source);
        var keys = MapKeys.ForColumn(null, source.SourceTable, column);
        if (MapKeys.Contains(options.Exclude, keys, source.Name, "Exclude")) return null;
        return MapKeys.TryFind(options.ColumnMap, keys, source.Name, "ColumnMap", out var renamed) ? renamed
            : options.ColumnNaming == ColumnNaming.SnakeCase ? SnakeCase.Of(column) : column;
    }

    TableSchema? FindTable(string name)
    {
        var exact = _catalog.FirstOrDefault(t => t.Name == name || t.SourceDisplayName == name);
        if (exact is not null) return exact;
        var folded = _catalog.Where(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase) || string.Equals(t.SourceDisplayName, name, StringComparison.OrdinalIgnoreCase)).ToList();
        return folded.Count == 1 ? folded[0] : null;
    }

    static int FindColumn(TableSchema table, string name) => table.IndexOf(name);

    Plan Build(TableSchema source)
    {
        if (source.Kind != SchemaKind.D1)
            throw new MappingException(source.Name, "ConvertTo-PgRow takes D1 rows (from Export-D1Table); these rows are already Postgres rows");
        var table = FindTargetTable(source);
        var targetKeys = TargetKeysOf(table);
        var computedHere = _options.Computed.Where(c => string.Equals(c.Table, source.SourceTable, StringComparison.OrdinalIgnoreCase)).ToList();

        var chosen = new List<int>();          // target ordinals, in the order written
        var ordinals = new List<int>();
        var converters = new List<ValueConverter>();
        var claimed = new Dictionary<int, string>();
        for (var i = 0; i < source.Columns.Count; i++)
        {
            var col = source.Columns[i];
            if (TargetColumnName(_options, source, col.Name) is not { } name) continue;
            // A computed column of the same name replaces this one (e.g. emailVerified 0/1 -> email_verified timestamptz).
            if (computedHere.Any(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))) continue;
            var t = FindColumn(table, name);
            if (t < 0)
                throw new MappingException(source.Name, $"column {col.Name} would go to \"{name}\", which {table.Name} does not have"
                    + (Preflight.NameSuggestion.Closest(name, table.Columns.Select(c => c.Name)) is { } near ? $" (did you mean {near}?)" : "")
                    + ". Map it with -ColumnMap, or leave it out with -Exclude; nothing is dropped silently.");
            if (!claimed.TryAdd(t, $"column {col.Name}"))
                throw new MappingException(source.Name, $"column {col.Name} and {claimed[t]} would both go to {table.Name}.{table.Columns[t].Name}");
            chosen.Add(t);
            ordinals.Add(i);
            converters.Add(_rules.For(table.Columns[t].PgType!, targetKeys.Contains(t)));
        }
        var computed = new List<ComputedColumn>();
        var computedConverters = new List<ValueConverter>();
        var computedTargets = new List<int>();
        foreach (var c in computedHere)
        {
            var t = FindColumn(table, c.Name);
            if (t < 0)
                throw new MappingException(source.Name, $"computed column {c.Name}: {table.Name} has no such column"
                    + (Preflight.NameSuggestion.Closest(c.Name, table.Columns.Select(x => x.Name)) is { } near ? $" (did you mean {near}?)" : ""));
            if (!claimed.TryAdd(t, $"computed column {c.Name}"))
                throw new MappingException(source.Name, $"computed column {c.Name} and {claimed[t]} would both go to {table.Name}.{table.Columns[t].Name}");
            computedTargets.Add(chosen.Count);
            chosen.Add(t);
            computed.Add(c);
            computedConverters.Add(_rules.For(table.Columns[t].PgType!, targetKeys.Contains(t)));
        }
        if (chosen.Count == 0) throw new MappingException(source.Name, "every column is excluded");

        // The Postgres columns, each naming the D1 column it comes from (the journal records the mapping, and the integrity check reuses it).
        var columns = chosen.Select((t, i) => new Column(table.Columns[t].Name, table.Columns[t].PgType, table.Columns[t].D1Type, table.Columns[t].IsNullable,
            i < ordinals.Count ? source.Columns[ordinals[i]].Name : null) { IsComputed = i >= ordinals.Count }).ToList();
        var key = new List<int>();
        foreach (var k in table.PrimaryKey)
        {
            var at = chosen.IndexOf(k);
            if (at < 0) { key.Clear(); break; }
            key.Add(at);
        }
        var target = new TableSchema(SchemaKind.Postgres, table.SourceSchema, table.SourceTable, table.Name, columns, key, source);
        return new Plan(source, target, table, [.. ordinals], [.. converters], [.. computed], [.. computedConverters], [.. computedTargets]);
    }

    /// <summary>The uuid columns that may hold ids to map: a one-column primary key, and one-column foreign keys.</summary>
    static HashSet<int> TargetKeysOf(TableSchema table)
    {
        var set = new HashSet<int>();
        if (table.PrimaryKey.Count == 1) set.Add(table.PrimaryKey[0]);
        foreach (var fk in table.Definition?.ForeignKeys ?? [])
            if (fk.Columns.Count == 1 && table.IndexOf(fk.Columns[0]) is var o and >= 0) set.Add(o);
        return set;
    }

    /// <summary>
    /// Before anything is written: every name in the mapping options matches (unless
    /// <paramref name="allowUnmatchedNames"/>) and every table of <paramref name="sources"/> maps
    /// onto a Postgres table; otherwise one ArgumentException lists every problem at once.
    /// Returns the target schema of each source table, by its name.
    /// </summary>
    public IReadOnlyDictionary<string, TableSchema> CheckMapping(IReadOnlyList<TableSchema> sources, bool allowUnmatchedNames = false, string verb = "written")
    {
        ArgumentNullException.ThrowIfNull(sources);
        var problems = new List<string>();
        if (!allowUnmatchedNames) problems.AddRange(UnmatchedNames(sources));
        var targets = new Dictionary<string, TableSchema>(StringComparer.Ordinal);
        foreach (var t in sources)
        {
            try { targets[t.Name] = TargetSchemaFor(t); }
            catch (MappingException ex) { problems.Add(ex.Message); }
        }
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems).TrimEnd('.') + $". Nothing was {verb}.");
        return targets;
    }

    /// <summary>
    /// The names in the mapping options that match nothing among <paramref name="sources"/> (a typo
    /// is an error, never a silently ignored option), each with the closest real name when there is one.
    /// </summary>
    public IReadOnlyList<string> UnmatchedNames(IReadOnlyList<TableSchema> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var problems = new List<string>();
        var tables = sources.Select(s => s.SourceTable).ToList();
        bool TableKnown(string t) => tables.Any(x => string.Equals(x, t, StringComparison.OrdinalIgnoreCase));
        string Near(string n, IEnumerable<string> all) => Preflight.NameSuggestion.Closest(n, all) is { } near ? $" (did you mean {near}?)" : "";
        foreach (var t in _options.TableMap.Keys.Order(StringComparer.Ordinal))
            if (!TableKnown(t)) problems.Add($"-TableMap: no D1 table \"{t}\"{Near(t, tables)}");
        void Columns(IEnumerable<string> keys, string parameter)
        {
            foreach (var k in keys.Order(StringComparer.Ordinal))
            {
                var dot = k.LastIndexOf('.');
                var (t, c) = dot > 0 ? (k[..dot], k[(dot + 1)..]) : ((string?)null, k);
                var candidates = sources.Where(s => t is null || string.Equals(s.SourceTable, t, StringComparison.OrdinalIgnoreCase)).ToList();
                if (t is not null && candidates.Count == 0) { problems.Add($"-{parameter}: no D1 table \"{t}\" (in \"{k}\"){Near(t, tables)}"); continue; }
                if (!candidates.Any(s => s.IndexOf(c) >= 0))
                    problems.Add($"-{parameter}: no D1 column \"{k}\"{Near(c, candidates.SelectMany(s => s.Columns.Select(x => x.Name)))}");
            }
        }
        Columns(_options.ColumnMap.Keys, "ColumnMap");
        Columns(_options.Exclude, "Exclude");
        foreach (var c in _options.Computed)
            if (!TableKnown(c.Table)) problems.Add($"-ComputedColumn: no D1 table \"{c.Table}\" (in \"{c.Table}.{c.Name}\"){Near(c.Table, tables)}");
        return problems;
    }
}

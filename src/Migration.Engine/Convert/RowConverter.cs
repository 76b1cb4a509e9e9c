using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>
/// Converts rows to their D1 form under one <see cref="ConversionOptions"/>. Plans each source
/// table once (target schema, one converter per column) and reuses the plan for every row.
/// Safe to use from several threads; a bad value fails only its own row.
/// </summary>
public sealed class RowConverter
{
    readonly ConversionOptions _options;
    readonly Dictionary<TableSchema, TablePlan> _plans = new(ReferenceEqualityComparer.Instance);
    readonly Dictionary<string, PlainTablePlan> _plainPlans = new(StringComparer.Ordinal);
    readonly Dictionary<TableSchema, Dictionary<string, TableSchema>> _partials = new(ReferenceEqualityComparer.Instance);
    readonly object _lock = new();
    TablePlan? _last;

    public RowConverter(ConversionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public ConversionOptions Options => _options;

    /// <summary>
    /// The D1 schema rows of <paramref name="source"/> convert to (renames, exclusions, computed columns applied).
    /// Throws <see cref="MappingException"/> when the options cannot apply to the table.
    /// </summary>
    public TableSchema TargetSchemaFor(TableSchema source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return PlanFor(source).Target;
    }

    /// <summary>Converts one Postgres row; throws <see cref="ConversionException"/> naming table, key, column and value.</summary>
    public Row Convert(Row source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var plan = PlanFor(source.GetSchema());
        var src = source.GetValues();
        var ordinals = plan.SourceOrdinals;
        var converters = plan.Converters;
        var values = new object?[plan.Target.Columns.Count];
        var i = 0;
        try
        {
            for (; i < ordinals.Length; i++)
            {
                var v = src[ordinals[i]];
                if (v is not null) values[i] = converters[i].Convert(v);
            }
        }
        catch (ValueRejectedException e)
        {
            throw Error(plan.Source.SourceDisplayName, source.DescribeKey(), plan.Source.Columns[ordinals[i]].Name, src[ordinals[i]], e.Reason);
        }
        if (plan.Computed.Length > 0) Compute(plan, source, values, ordinals.Length);
        return new Row(plan.Target, values);
    }

    static void Compute(TablePlan plan, Row source, object?[] values, int first)
    {
        for (var j = 0; j < plan.Computed.Length; j++)
        {
            var c = plan.Computed[j];
            object? v = null;
            try
            {
                v = c.Compute(source);
                v = PlainValues.Coerce(v, c.Type, plan.ComputedSettings[j]);
                if (v is null && !c.IsNullable) throw new ValueRejectedException("computed NULL for a NOT NULL column");
                values[first + j] = v;
            }
            catch (ValueRejectedException e)
            {
                throw Error(plan.Source.SourceDisplayName, source.DescribeKey(), c.Name, v, e.Reason);
            }
            catch (Exception e) when (e is not ConversionException)
            {
                // A failing user function fails its row, not the run (the other rows go on).
                throw Error(plan.Source.SourceDisplayName, source.DescribeKey(), c.Name, null,
                    $"the computed column's function failed: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    /// <summary>
    /// Converts one plain object (a hashtable, or a JSON/CSV record) for table <paramref name="tableName"/>.
    /// With <paramref name="target"/> (the existing D1 table) values are coerced to its columns' types;
    /// without it the first object of a table fixes the columns and their types are inferred.
    /// TableMap, ColumnMap, Exclude and ColumnOverrides apply (keys by <paramref name="tableName"/>).
    /// A column of the target the object leaves out that the database fills itself (a DEFAULT, the
    /// rowid alias <c>INTEGER PRIMARY KEY</c>) or that may be NULL is left out of the row too, so the
    /// INSERT omits it as a hand-written one would, and an Upsert or Replace of the row never
    /// writes NULL over a value the object did not mention (an Upsert keeps it; a Replace, which
    /// deletes the old row, leaves the column to its default as SQLite's REPLACE does). <paramref name="origin"/> (e.g. the KV key the object came
    /// from) is kept with the row and named in every error about it.
    /// </summary>
    public Row ConvertPlain(string tableName, IEnumerable<KeyValuePair<string, object?>> properties, TableSchema? target = null, string? origin = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(tableName);
        ArgumentNullException.ThrowIfNull(properties);
        var props = properties as IReadOnlyCollection<KeyValuePair<string, object?>> ?? [.. properties];
        PlainTablePlan plan;
        lock (_lock)
        {
            if (!_plainPlans.TryGetValue(tableName, out plan!))
                _plainPlans.Add(tableName, plan = PlainTablePlan.Build(tableName, _options));
        }
        var schema = target ?? plan.Inferred ?? Infer(plan, props);
        var n = schema.Columns.Count;
        var values = new object?[n];
        var given = new bool[n];
        foreach (var (property, value) in props)
        {
            var (name, settings) = plan.Resolve(property);
            if (name is null) continue;
            var ordinal = schema.IndexOf(name);
            if (ordinal < 0)
                throw PlainError(plan, schema, props, property, value, $"the D1 table {schema.Name} has no column \"{name}\"", origin);
            if (given[ordinal])
                throw PlainError(plan, schema, props, property, value, $"a second property maps to column \"{schema.Columns[ordinal].Name}\"", origin);
            given[ordinal] = true;
            try
            {
                values[ordinal] = PlainValues.Coerce(value, schema.Columns[ordinal].D1Type, settings);
            }
            catch (ValueRejectedException e)
            {
                throw PlainError(plan, schema, props, property, value, e.Reason, origin);
            }
        }
        var omitted = false;
        for (var i = 0; i < n; i++)
        {
            // A nullable column is left out only of an existing table (target): a table the run creates
            // from the first object keeps one column set, and NULL is what the INSERT would give it anyway.
            if (!given[i] && (schema.Columns[i].HasDefault || (target is not null && schema.Columns[i].IsNullable))) { omitted = true; continue; }
            if (values[i] is null && !schema.Columns[i].IsNullable)
                throw PlainError(plan, schema, props, schema.Columns[i].Name, null,
                    given[i] ? "NULL for a NOT NULL column" : "no value for a NOT NULL column (the property is missing)", origin);
        }
        if (omitted) return Omitting(schema, given, values, origin);
        return new Row(schema, values, origin);
    }

    /// <summary>The row without the columns the database fills itself, under a schema shared by every row of that shape.</summary>
    Row Omitting(TableSchema schema, bool[] given, object?[] values, string? origin)
    {
        // Every column the object does not give is left out (one that must be given failed above).
        var shape = string.Create(given.Length, given, (span, g) => { for (var i = 0; i < g.Length; i++) span[i] = g[i] ? '1' : '0'; });
        TableSchema partial;
        lock (_lock)
        {
            if (!_partials.TryGetValue(schema, out var shapes)) _partials.Add(schema, shapes = new Dictionary<string, TableSchema>(StringComparer.Ordinal));
            if (!shapes.TryGetValue(shape, out partial!)) shapes.Add(shape, partial = PartialSchema(schema, shape));
        }
        var kept = new object?[partial.Columns.Count];
        for (int i = 0, j = 0; i < values.Length; i++)
            if (shape[i] == '1') kept[j++] = values[i];
        return new Row(partial, kept, origin);
    }

    /// <summary>
    /// The columns of <paramref name="schema"/> marked in <paramref name="shape"/>. Its key is the
    /// table's primary key when the row carries it, else the first UNIQUE key it carries (what a
    /// conflict and a resume match rows on), else none.
    /// </summary>
    static TableSchema PartialSchema(TableSchema schema, string shape)
    {
        var map = new int[shape.Length];
        var columns = new List<Column>();
        for (var i = 0; i < shape.Length; i++)
        {
            map[i] = shape[i] == '1' ? columns.Count : -1;
            if (shape[i] == '1') columns.Add(schema.Columns[i]);
        }
        IReadOnlyList<int>? key = null;
        foreach (var candidate in (IEnumerable<IReadOnlyList<int>>)[schema.PrimaryKey, .. schema.UniqueKeys])
        {
            if (candidate.Count == 0 || candidate.Any(k => map[k] < 0)) continue;
            key = [.. candidate.Select(k => map[k])];
            break;
        }
        return new TableSchema(schema.Kind, schema.SourceSchema, schema.SourceTable, schema.Name, columns, key, schema.Source)
        {
            UniqueKeys = [.. schema.UniqueKeys.Where(u => u.All(k => map[k] >= 0)).Select(u => (IReadOnlyList<int>)[.. u.Select(k => map[k])])],
        };
    }

    /// <summary>Fixes a table's columns from its first object: property order, types from the values.</summary>
    TableSchema Infer(PlainTablePlan plan, IReadOnlyCollection<KeyValuePair<string, object?>> props)
    {
        var columns = new List<Column>(props.Count);
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (property, value) in props)
        {
            var (name, settings) = plan.Resolve(property);
            if (name is null) continue;
            TablePlan.Claim(names, name, $"property {property}", plan.Table);
            D1Type type;
            try { type = PlainValues.Infer(value, settings); }
            catch (ValueRejectedException e) { throw PlainError(plan, null, props, property, value, e.Reason, null); }
            columns.Add(new Column(name, null, type, isNullable: true, property));
        }
        if (columns.Count == 0) throw new MappingException(plan.Table, "the first object has no (non-excluded) properties to make columns from");
        var schema = new TableSchema(SchemaKind.D1, null, plan.Table, plan.TargetName, columns);
        lock (_lock) plan.Inferred ??= schema;
        return plan.Inferred;
    }

    TablePlan PlanFor(TableSchema source)
    {
        var last = _last;
        if (last is not null && ReferenceEquals(last.Source, source)) return last;
        lock (_lock)
        {
            if (!_plans.TryGetValue(source, out var plan))
            {
                plan = TablePlan.Build(source, _options, SiblingSchema);
                _plans.Add(source, plan);
            }
            _last = plan;
            return plan;
        }
    }

    /// <summary>A sibling's D1 schema for the mapped set, or null when the mapping cannot apply to it (that table is refused on its own).</summary>
    TableSchema? SiblingSchema(TableSchema sibling)
    {
        try { return TargetSchemaFor(sibling); }
        catch (MappingException) { return null; }
        catch (ArgumentOutOfRangeException) { return null; } // a type with no converter
    }

    static ConversionException Error(string table, string key, string column, object? value, string reason) =>
        new(table, key, column, ValueExcerpt.Of(value), reason);

    /// <summary>
    /// An error for a plain object. Its key is the target's primary key when the object has those
    /// properties, else the object's first property (as <see cref="Row.DescribeKey"/> does).
    /// </summary>
    ConversionException PlainError(PlainTablePlan plan, TableSchema? schema, IReadOnlyCollection<KeyValuePair<string, object?>> props,
        string column, object? value, string reason, string? origin)
    {
        var key = new System.Text.StringBuilder(origin);
        if (origin is not null) key.Append(", ");
        var start = key.Length;
        if (schema is { HasPrimaryKey: true })
        {
            foreach (var k in schema.PrimaryKey)
            {
                var keyColumn = schema.Columns[k].Name;
                foreach (var (property, v) in props)
                {
                    if (!string.Equals(plan.Resolve(property).Name, keyColumn, StringComparison.OrdinalIgnoreCase)) continue;
                    if (key.Length > start) key.Append(", "); // after the origin's own ", "
                    key.Append(keyColumn).Append('=').Append(ValueExcerpt.Of(v));
                    break;
                }
            }
        }
        if (key.Length == start)
        {
            foreach (var (property, v) in props)
            {
                key.Append(property).Append('=').Append(ValueExcerpt.Of(v));
                break;
            }
        }
        if (key.Length == start) key.Append("(no properties)");
        return Error(plan.Table, key.ToString(), column, value, reason);
    }
}

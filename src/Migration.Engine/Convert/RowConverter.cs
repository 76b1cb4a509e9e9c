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
    /// </summary>
    public Row ConvertPlain(string tableName, IEnumerable<KeyValuePair<string, object?>> properties, TableSchema? target = null)
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
                throw PlainError(plan, schema, props, property, value, $"the D1 table {schema.Name} has no column \"{name}\"");
            if (given[ordinal])
                throw PlainError(plan, schema, props, property, value, $"a second property maps to column \"{schema.Columns[ordinal].Name}\"");
            given[ordinal] = true;
            try
            {
                values[ordinal] = PlainValues.Coerce(value, schema.Columns[ordinal].D1Type, settings);
            }
            catch (ValueRejectedException e)
            {
                throw PlainError(plan, schema, props, property, value, e.Reason);
            }
        }
        for (var i = 0; i < n; i++)
            if (values[i] is null && !schema.Columns[i].IsNullable)
                throw PlainError(plan, schema, props, schema.Columns[i].Name, null,
                    given[i] ? "NULL for a NOT NULL column" : "no value for a NOT NULL column (the property is missing)");
        return new Row(schema, values);
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
            catch (ValueRejectedException e) { throw PlainError(plan, null, props, property, value, e.Reason); }
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
        string column, object? value, string reason)
    {
        var key = new System.Text.StringBuilder();
        if (schema is { HasPrimaryKey: true })
        {
            foreach (var k in schema.PrimaryKey)
            {
                var keyColumn = schema.Columns[k].Name;
                foreach (var (property, v) in props)
                {
                    if (!string.Equals(plan.Resolve(property).Name, keyColumn, StringComparison.OrdinalIgnoreCase)) continue;
                    if (key.Length > 0) key.Append(", ");
                    key.Append(keyColumn).Append('=').Append(ValueExcerpt.Of(v));
                    break;
                }
            }
        }
        if (key.Length == 0)
        {
            foreach (var (property, v) in props)
            {
                key.Append(property).Append('=').Append(ValueExcerpt.Of(v));
                break;
            }
        }
        return Error(plan.Table, key.Length == 0 ? "(no properties)" : key.ToString(), column, value, reason);
    }
}

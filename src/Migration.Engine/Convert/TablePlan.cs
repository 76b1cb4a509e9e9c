using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>
/// How the rows of one source table convert, worked out once per table: the D1 schema and, per
/// D1 column, the source ordinal and the converter already holding that column's settings. The
/// hot path only indexes these arrays.
/// </summary>
internal sealed class TablePlan
{
    TablePlan(TableSchema source, TableSchema target, int[] ordinals, ValueConverter[] converters,
        ComputedColumn[] computed, ColumnSettings[] computedSettings)
    {
        Source = source;
        Target = target;
        SourceOrdinals = ordinals;
        Converters = converters;
        Computed = computed;
        ComputedSettings = computedSettings;
    }

    public TableSchema Source { get; }
    public TableSchema Target { get; }

    /// <summary>For each converted (not computed) D1 column, the source column's ordinal.</summary>
    public int[] SourceOrdinals { get; }

    /// <summary>For each converted D1 column, its converter.</summary>
    public ValueConverter[] Converters { get; }

    /// <summary>Computed columns, appended after the converted ones.</summary>
    public ComputedColumn[] Computed { get; }
    public ColumnSettings[] ComputedSettings { get; }

    /// <param name="mapSibling">
    /// Maps another table of the source's <see cref="TableSet"/> (the converter's own TargetSchemaFor, so each is mapped once);
    /// null for a sibling the mapping cannot apply to (it is refused on its own, and left out of the D1 set).
    /// </param>
    public static TablePlan Build(TableSchema source, ConversionOptions options, Func<TableSchema, TableSchema?>? mapSibling = null)
    {
        var table = source.SourceDisplayName;
        if (source.Kind != SchemaKind.Postgres)
            throw new MappingException(table, "rows are already converted to D1 values (schema kind D1); they cannot be converted again");

        var targetName = MapKeys.TryFind(options.TableMap, MapKeys.ForTable(source.SourceSchema, source.SourceTable), table, "TableMap", out var mapped)
            ? mapped : source.SourceTable;
        if (string.IsNullOrEmpty(targetName)) throw new MappingException(table, "TableMap gives an empty target name");

        var rules = CastRuleTable.For(source.Kind, SchemaKind.D1);
        var columns = new List<Column>(source.Columns.Count);
        var ordinals = new List<int>(source.Columns.Count);
        var converters = new List<ValueConverter>(source.Columns.Count);
        var settings = new List<ColumnSettings>(source.Columns.Count);
        var targetOrdinal = new int[source.Columns.Count];
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        for (var i = 0; i < source.Columns.Count; i++)
        {
            targetOrdinal[i] = -1;
            var col = source.Columns[i];
            var keys = MapKeys.ForColumn(source.SourceSchema, source.SourceTable, col.Name);
            if (MapKeys.Contains(options.Exclude, keys, table, "Exclude")) continue;
            if (col.PgType is null) throw new MappingException(table, $"source column {col.Name} has no Postgres type");

            var name = MapKeys.TryFind(options.ColumnMap, keys, table, "ColumnMap", out var renamed) ? renamed : col.Name;
            if (string.IsNullOrEmpty(name)) throw new MappingException(table, $"ColumnMap gives column {col.Name} an empty name");
            Claim(names, name, $"column {col.Name}", table);

            MapKeys.TryFind(options.ColumnOverrides, keys, table, "ColumnOverrides", out var ov);
            var columnSettings = ColumnSettings.From(options, ov);
            var converter = rules.For(col, columnSettings);
            settings.Add(columnSettings);
            targetOrdinal[i] = columns.Count;
            columns.Add(rules.TargetColumn(col, name, converter));
            ordinals.Add(i);
            converters.Add(converter);
        }

        var computed = new List<ComputedColumn>();
        var computedSettings = new List<ColumnSettings>();
        var tableKeys = MapKeys.ForTable(source.SourceSchema, source.SourceTable);
        foreach (var c in options.Computed)
        {
            if (!AppliesTo(c, tableKeys, table)) continue;
            Claim(names, c.Name, $"computed column {c.Name}", table);
            MapKeys.TryFind(options.ColumnOverrides, MapKeys.ForColumn(source.SourceSchema, source.SourceTable, c.Name), table, "ColumnOverrides", out var ov);
            columns.Add(new Column(c.Name, null, c.Type, c.IsNullable));
            computed.Add(c);
            computedSettings.Add(ColumnSettings.From(options, ov));
        }
        if (columns.Count == 0) throw new MappingException(table, "every column is excluded");

        // The key survives only whole: with a key column excluded, what is left may not be unique.
        var key = new List<int>(source.PrimaryKey.Count);
        foreach (var k in source.PrimaryKey)
        {
            if (targetOrdinal[k] < 0) { key.Clear(); break; }
            key.Add(targetOrdinal[k]);
        }

        var target = new TableSchema(SchemaKind.D1, source.SourceSchema, source.SourceTable, targetName, columns, key, source);
        if (source.Definition is not null)
        {
            // The D1 definition follows the same names, types and converters as the rows.
            var definition = D1DefinitionMapper.Map(source, target, options, [.. ordinals], [.. converters], [.. settings]);
            if (source.Definition.Set is { } sourceSet && mapSibling is not null)
                definition = definition.InSet(new TableSet(() => [.. sourceSet.Tables.Select(mapSibling).OfType<TableSchema>()]) { IsLoadOrder = sourceSet.IsLoadOrder });
            target = new TableSchema(SchemaKind.D1, source.SourceSchema, source.SourceTable, targetName, columns, key, source) { Definition = definition };
        }
        return new TablePlan(source, target, [.. ordinals], [.. converters], [.. computed], [.. computedSettings]);
    }

    static bool AppliesTo(ComputedColumn c, string[] tableKeys, string table)
    {
        foreach (var k in tableKeys)
            if (string.Equals(c.Table, k, StringComparison.Ordinal)) return true;
        foreach (var k in tableKeys)
            if (string.Equals(c.Table, k, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>
    /// Records a D1 column name; two columns with one name (SQLite compares names without
    /// regard to ASCII case) are a mapping error.
    /// </summary>
    internal static void Claim(Dictionary<string, string> names, string name, string what, string table)
    {
        if (!names.TryAdd(name, what))
            throw new MappingException(table, $"{what} and {names[name]} would both be the D1 column \"{name}\"");
    }
}

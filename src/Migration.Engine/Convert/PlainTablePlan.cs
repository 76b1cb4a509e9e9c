using System.Collections.Concurrent;
using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>
/// What is known about one table of plain objects: its target name, how each property name maps
/// (renamed, excluded, which settings), and — without a given target — the schema the first
/// object fixed.
/// </summary>
internal sealed class PlainTablePlan(string table, string targetName, ConversionOptions options)
{
    readonly ConcurrentDictionary<string, (string? Name, ColumnSettings Settings)> _properties = new(StringComparer.Ordinal);

    public string Table { get; } = table;
    public string TargetName { get; } = targetName;

    /// <summary>The schema fixed by the first object (when no target was given).</summary>
    public TableSchema? Inferred { get; set; }

    public static PlainTablePlan Build(string table, ConversionOptions options)
    {
        var target = MapKeys.TryFind(options.TableMap, MapKeys.ForTable(null, table), table, "TableMap", out var mapped) ? mapped : table;
        if (string.IsNullOrEmpty(target)) throw new MappingException(table, "TableMap gives an empty target name");
        return new PlainTablePlan(table, target, options);
    }

    /// <summary>The D1 column name of a property (null when excluded) and its settings.</summary>
    public (string? Name, ColumnSettings Settings) Resolve(string property)
    {
        if (_properties.TryGetValue(property, out var r)) return r;
        var keys = MapKeys.ForColumn(null, Table, property);
        string? name = null;
        if (!MapKeys.Contains(options.Exclude, keys, Table, "Exclude"))
            name = MapKeys.TryFind(options.ColumnMap, keys, Table, "ColumnMap", out var renamed) ? renamed : property;
        MapKeys.TryFind(options.ColumnOverrides, keys, Table, "ColumnOverrides", out var ov);
        r = (name, ColumnSettings.From(options, ov));
        _properties[property] = r;
        return r;
    }
}

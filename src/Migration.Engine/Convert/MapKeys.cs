namespace Migration.Engine.Convert;

/// <summary>
/// Finds the entry of a TableMap/ColumnMap/Exclude/ColumnOverrides that applies to a table or
/// column. Keys name a table as <c>schema.table</c> or <c>table</c>, a column as
/// <c>schema.table.column</c>, <c>table.column</c> or a bare <c>column</c> (every table); the
/// most specific key wins. Exact (case-sensitive, as Postgres names are) matches come first; a
/// case-insensitive match (as PowerShell users type) is taken only when it is unambiguous.
/// </summary>
internal static class MapKeys
{
    public static string[] ForTable(string? schema, string table) =>
        schema is null ? [table] : [$"{schema}.{table}", table];

    public static string[] ForColumn(string? schema, string table, string column) =>
        schema is null ? [$"{table}.{column}", column] : [$"{schema}.{table}.{column}", $"{table}.{column}", column];

    public static bool TryFind<T>(IReadOnlyDictionary<string, T> map, string[] candidates, string tableForErrors, string mapName, out T value)
    {
        value = default!;
        if (map.Count == 0) return false;
        foreach (var c in candidates)
            if (map.TryGetValue(c, out value!)) return true;
        var key = FindIgnoreCase(map.Keys, candidates, tableForErrors, mapName);
        if (key is null) return false;
        value = map[key];
        return true;
    }

    public static bool Contains(IReadOnlyCollection<string> set, string[] candidates, string tableForErrors, string mapName)
    {
        if (set.Count == 0) return false;
        foreach (var c in candidates)
            foreach (var k in set)
                if (string.Equals(k, c, StringComparison.Ordinal)) return true;
        return FindIgnoreCase(set, candidates, tableForErrors, mapName) is not null;
    }

    static string? FindIgnoreCase(IEnumerable<string> keys, string[] candidates, string table, string mapName)
    {
        foreach (var c in candidates)
        {
            string? found = null;
            foreach (var k in keys)
            {
                if (!string.Equals(k, c, StringComparison.OrdinalIgnoreCase)) continue;
                if (found is not null)
                    throw new MappingException(table, $"{mapName} keys \"{found}\" and \"{k}\" differ only in case and both match \"{c}\"; write the key exactly as the name is spelled");
                found = k;
            }
            if (found is not null) return found;
        }
        return null;
    }
}

namespace Migration.Engine.Schema;

/// <summary>
/// The order tables load in: every table after the tables its foreign keys point to (parents
/// first), computed from the definitions. A cycle is broken at a table whose foreign keys into
/// the rest of the cycle are all on nullable columns, so those columns can be loaded NULL first
/// and filled in once their parents are there (the target does that for any foreign key whose
/// parent is not loaded yet, and for self-references).
/// </summary>
public static class TableOrder
{
    /// <summary>
    /// The tables in load order and the foreign keys that point forward in it (cycles; each
    /// described as <c>table.fk -> parent</c>). Tables without a definition keep their place
    /// relative to each other; ties keep the given order.
    /// </summary>
    public static (IReadOnlyList<TableSchema> Order, IReadOnlyList<string> ForwardReferences) Sort(IReadOnlyList<TableSchema> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var index = new Dictionary<(string?, string), int>();
        for (var i = 0; i < tables.Count; i++) index.TryAdd((tables[i].SourceSchema, tables[i].SourceTable), i);

        // parents[i]: (parent index, the foreign key, all its columns nullable)
        var parents = new List<(int Parent, ForeignKeyDefinition Key, bool Nullable)>[tables.Count];
        for (var i = 0; i < tables.Count; i++)
        {
            parents[i] = [];
            var definition = tables[i].Definition;
            if (definition is null) continue;
            foreach (var fk in definition.ForeignKeys)
            {
                if (!index.TryGetValue((fk.ParentSchema ?? tables[i].SourceSchema, fk.ParentTable), out var p) || p == i) continue;
                var nullable = fk.Columns.All(c => tables[i].IndexOf(c) is var o && o >= 0 && tables[i].Columns[o].IsNullable);
                parents[i].Add((p, fk, nullable));
            }
        }

        var done = new bool[tables.Count];
        var order = new List<TableSchema>(tables.Count);
        var forward = new List<string>();
        while (order.Count < tables.Count)
        {
            var next = -1;
            for (var i = 0; i < tables.Count && next < 0; i++)
                if (!done[i] && parents[i].All(p => done[p.Parent])) next = i;
            if (next < 0)
            {
                // A cycle: take the first table whose pending keys can all start NULL; else the first left.
                for (var i = 0; i < tables.Count && next < 0; i++)
                    if (!done[i] && parents[i].Where(p => !done[p.Parent]).All(p => p.Nullable)) next = i;
                for (var i = 0; i < tables.Count && next < 0; i++)
                    if (!done[i]) next = i;
                foreach (var p in parents[next].Where(p => !done[p.Parent]))
                    forward.Add($"{tables[next].SourceDisplayName}.{p.Key.Name} -> {tables[p.Parent].SourceDisplayName}{(p.Nullable ? "" : " (NOT NULL: cannot load NULL first)")}");
            }
            done[next] = true;
            order.Add(tables[next]);
        }
        return (order, forward);
    }
}

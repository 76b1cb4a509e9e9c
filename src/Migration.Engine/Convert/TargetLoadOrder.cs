using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>
/// Puts converted rows in the TARGET's foreign-key order. A D1 source sends its tables one after
/// another in its own order (parents first by the D1 file's foreign keys, or by name when it
/// declares none); when that order would send a child table before the table its Postgres foreign
/// key points at, the child's rows are held back (in memory) until every table before it in the
/// target's order has been sent. Rows of a table already in order stream through untouched.
/// </summary>
public sealed class TargetLoadOrder
{
    readonly List<string> _order;
    readonly Dictionary<string, List<Row>> _held = new(StringComparer.Ordinal);
    readonly HashSet<string> _done = new(StringComparer.Ordinal);
    int _next;
    string? _arriving;

    /// <param name="sources">The D1 tables in the order the source sends them.</param>
    /// <param name="targetOf">The Postgres table (with its foreign keys) each D1 table goes into.</param>
    public TargetLoadOrder(IReadOnlyList<TableSchema> sources, Func<TableSchema, TableSchema> targetOf)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(targetOf);
        var targets = sources.Select(targetOf).ToList();
        var parents = new List<int>[sources.Count];
        for (var i = 0; i < sources.Count; i++)
        {
            parents[i] = [];
            foreach (var fk in targets[i].Definition?.ForeignKeys ?? [])
                for (var j = 0; j < sources.Count; j++)
                    if (j != i && targets[j].SourceTable == fk.ParentTable && (fk.ParentSchema ?? targets[i].SourceSchema) == targets[j].SourceSchema
                        && !ReferenceEquals(targets[j], targets[i]))
                        parents[i].Add(j);
        }
        var placed = new bool[sources.Count];
        _order = [];
        while (_order.Count < sources.Count)
        {
            var next = Enumerable.Range(0, sources.Count).FirstOrDefault(i => !placed[i] && parents[i].All(p => placed[p]), -1);
            if (next < 0) next = Array.IndexOf(placed, false); // a cycle: the source's order decides
            placed[next] = true;
            _order.Add(sources[next].Name);
        }
        Reordered = !_order.SequenceEqual(sources.Select(s => s.Name));
    }

    /// <summary>The D1 tables in the order their rows go out.</summary>
    public IReadOnlyList<string> Order => _order;

    /// <summary>Whether the target's order differs from the source's (some rows are held back).</summary>
    public bool Reordered { get; }

    /// <summary>
    /// Whether a row of <paramref name="sourceTable"/> goes straight out now (its table is the one
    /// arriving and next in the target's order): the common case, checked per row without the
    /// allocation of <see cref="Accept"/>'s enumerator.
    /// </summary>
    public bool PassesThrough(string sourceTable) =>
        string.Equals(_arriving, sourceTable, StringComparison.Ordinal) && _next < _order.Count && string.Equals(_order[_next], sourceTable, StringComparison.Ordinal);

    /// <summary>The rows that may go out now, given one more row of <paramref name="sourceTable"/>.</summary>
    public IEnumerable<Row> Accept(string sourceTable, Row row)
    {
        if (_arriving != sourceTable)
        {
            if (_arriving is not null) _done.Add(_arriving);
            _arriving = sourceTable;
            foreach (var r in Advance()) yield return r;
        }
        if (_next < _order.Count && _order[_next] == sourceTable) yield return row;
        else
        {
            if (!_held.TryGetValue(sourceTable, out var list)) _held[sourceTable] = list = [];
            list.Add(row);
        }
    }

    /// <summary>Everything still held, in the target's order (the source has sent everything).</summary>
    public IEnumerable<Row> Drain()
    {
        if (_arriving is not null) _done.Add(_arriving);
        foreach (var name in _order)
            if (_held.Remove(name, out var rows))
                foreach (var r in rows) yield return r;
    }

    /// <summary>Moves past every table that has been sent whole, releasing what was held for the next ones.</summary>
    IEnumerable<Row> Advance()
    {
        while (_next < _order.Count)
        {
            var name = _order[_next];
            if (_held.Remove(name, out var rows))
                foreach (var r in rows) yield return r;
            if (!_done.Contains(name)) yield break; // still to come (or arriving now)
            _next++;
        }
    }
}

using Migration.Engine.Schema;

namespace Migration.PowerShell;

/// <summary>
/// How many rows a load expects, from the source's statistics (<see cref="TableSchema.EstimatedRows"/>),
/// for progress: per table, and in all when the tables arrive as one set (Export-PgTable -All or
/// several -Table names) whose members all have an estimate; otherwise the tables met so far.
/// </summary>
public sealed class RowEstimate
{
    readonly Dictionary<string, long> _tables = new(StringComparer.Ordinal);
    long? _setTotal;

    /// <summary>The estimate of the whole load: the set's when known, else the sum over the tables met so far; null when none is known.</summary>
    public long? Total => _setTotal ?? (_tables.Count > 0 ? _tables.Values.Sum() : null);

    public long? OfTable(string table) => _tables.TryGetValue(table, out var n) ? n : null;

    public void TableStarted(TableSchema table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.EstimatedRows is { } n) _tables[table.Name] = n;
        if (_setTotal is null && table.Definition?.Set?.Tables is { Count: > 1 } members && members.All(m => m.EstimatedRows is not null))
            _setTotal = members.Sum(m => m.EstimatedRows!.Value);
    }
}

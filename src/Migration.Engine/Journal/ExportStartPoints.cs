using Migration.Engine.Schema;

namespace Migration.Engine.Journal;

/// <summary>
/// Where each table's export starts when a run is resumed from its source side
/// (Export-PgTable -ResumeFrom): after the last key the journaled run committed for the table,
/// keyset on the primary key, never OFFSET. A table without a key has no checkpoint and is
/// read from its start (the import takes the run's earlier rows there out first).
/// </summary>
public sealed class ExportStartPoints
{
    readonly Dictionary<string, ResumePoint> _points = new(StringComparer.Ordinal);

    ExportStartPoints(string path, IEnumerable<ResumePoint> points)
    {
        Path = path;
        foreach (var p in points)
            if (p.SourceTable is not null) _points[p.SourceTable] = p;
    }

    /// <summary>The journal's checkpoints for <paramref name="runId"/>, or for the newest run not undone.</summary>
    public static ExportStartPoints FromJournal(string path, long? runId) => new(path, MigrationJournal.ResumePoints(path, runId));

    public string Path { get; }

    /// <summary>True when the journal holds no run to resume: every table starts from its beginning.</summary>
    public bool IsEmpty => _points.Count == 0;

    /// <summary>The key <paramref name="schema"/>'s export starts after (null: from its start), and which run committed it.</summary>
    public IReadOnlyList<object?>? StartAfter(TableSchema schema, out long runId)
    {
        ArgumentNullException.ThrowIfNull(schema);
        runId = 0;
        if (!schema.HasPrimaryKey || !_points.TryGetValue(schema.SourceDisplayName, out var point) || point.LastKey is null) return null;
        runId = point.RunId;
        return point.LastKey;
    }

    /// <summary>Tables of <paramref name="schemas"/> the run wrote to that have no key, so cannot continue after a checkpoint.</summary>
    public IEnumerable<TableSchema> WithoutKey(IEnumerable<TableSchema> schemas) =>
        schemas.Where(s => !s.HasPrimaryKey && _points.ContainsKey(s.SourceDisplayName));
}

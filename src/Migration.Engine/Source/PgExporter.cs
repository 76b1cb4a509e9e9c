using Migration.Engine.Schema;

namespace Migration.Engine.Source;

/// <summary>Progress of one table's export.</summary>
public sealed record ExportProgress(string Table, long RowsDone, long EstimatedTotal);

/// <summary>
/// Streams tables out of Postgres by binary COPY. Everything one exporter reads comes from one
/// REPEATABLE READ, READ ONLY transaction, so several tables form one consistent snapshot.
/// Memory stays flat: rows are produced one at a time as COPY delivers them.
/// </summary>
public sealed class PgExporter : IDisposable
{
    public PgExporter(PgConnectionSettings settings) => throw new NotImplementedException();

    /// <summary>
    /// Reads the catalog for the named tables (<c>name</c>, <c>schema.name</c>, quoted names with
    /// any characters). <paramref name="columns"/> limits the columns (null: all).
    /// </summary>
    public IReadOnlyList<TableSchema> Describe(IEnumerable<string> tables, IReadOnlyCollection<string>? columns = null)
        => throw new NotImplementedException();

    /// <summary>The planner's estimate of a table's row count (pg_class.reltuples), for progress.</summary>
    public long EstimateRows(TableSchema table) => throw new NotImplementedException();

    /// <summary>
    /// The rows of one table, in primary key order when it has one. With <paramref name="afterKey"/>
    /// (values of the primary key columns) only rows with a greater key are read (keyset, never OFFSET).
    /// </summary>
    public IEnumerable<Row> Export(TableSchema table, IReadOnlyList<object?>? afterKey = null, Action<ExportProgress>? progress = null)
        => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}

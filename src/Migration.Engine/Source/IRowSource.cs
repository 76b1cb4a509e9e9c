using Migration.Engine.Schema;

namespace Migration.Engine.Source;

/// <summary>
/// Where rows come from. A source describes the tables of a selection (with their definitions,
/// in load order: parents before children) and reads a table's rows in key order after a key,
/// everything one source reads coming from one snapshot, so a resumed run continues exactly
/// after its checkpoint. Postgres (<see cref="PgExporter"/>), a D1/SQLite file
/// (<see cref="Sqlite.SqliteFileSource"/>) and a remote D1 (<see cref="RemoteD1.RemoteD1Source"/>,
/// which cannot hold one snapshot across API requests and says so) are three; another table
/// source is another folder that implements this (a D1 one derives from <see cref="D1Source"/>). Workers KV is not a table source: one entry becomes several rows and resumes
/// at a KV key, so it has its own seam (<see cref="Kv.IKvReader"/>; docs/architecture.md says why). The rows a source yields carry its own <see cref="SchemaKind"/>; the
/// converter maps them to the target's types.
/// </summary>
public interface IRowSource : IDisposable
{
    /// <summary>The named tables, in the order given (names as the source's users write them).</summary>
    /// <param name="columns">Only these columns (null: all); the key must be among them.</param>
    IReadOnlyList<TableSchema> Describe(IEnumerable<string> tables, IReadOnlyCollection<string>? columns = null);

    /// <summary>
    /// Every table the selection matches, with full definitions, in load order; each knows the
    /// whole set (<see cref="TableDefinition.Set"/>), so a target can create all before the first row.
    /// </summary>
    /// <param name="forwardReferences">Foreign keys that point forward in the order (cycles), loaded NULL first.</param>
    IReadOnlyList<TableSchema> DescribeAll(PgTableSelection selection, out IReadOnlyList<string> forwardReferences);

    /// <summary>
    /// The rows of one table in key order (when it has a key), only those after
    /// <paramref name="afterKey"/> when given (keyset, never OFFSET). Lazy; one table at a time.
    /// </summary>
    IEnumerable<Row> Export(TableSchema table, IReadOnlyList<object?>? afterKey = null, Action<ExportProgress>? progress = null);
}

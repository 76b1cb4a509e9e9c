using Migration.Engine.Schema;

namespace Migration.Engine.Target;

/// <summary>
/// A local D1 target: a SQLite file (new or existing), including the state file
/// <c>wrangler d1 execute --local</c> keeps. Buffers rows per table and writes each batch
/// through prepared statements in one transaction.
/// </summary>
public sealed class SqliteTarget : IDisposable
{
    SqliteTarget() { }

    /// <summary>Opens (or, unless a dry run, creates) the file at a full filesystem path.</summary>
    public static SqliteTarget Open(string path, ImportOptions options) => throw new NotImplementedException();

    /// <summary>Raised after each batch commits.</summary>
    public event Action<BatchResult>? BatchCommitted;

    /// <summary>Raised for each row that was refused; the run goes on.</summary>
    public event Action<RowError>? RowFailed;

    /// <summary>Adds one D1 row; creates its table on first sight when missing; writes a batch when one is full.</summary>
    public void Add(Row row) => throw new NotImplementedException();

    /// <summary>Writes what is buffered and returns one summary per table.</summary>
    public IReadOnlyList<TableSummary> Complete() => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();

    internal void Raise(BatchResult b) => BatchCommitted?.Invoke(b);
    internal void Raise(RowError e) => RowFailed?.Invoke(e);
}

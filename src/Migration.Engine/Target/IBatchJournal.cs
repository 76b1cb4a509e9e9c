using Migration.Engine.Schema;

namespace Migration.Engine.Target;

/// <summary>
/// The seam for the run journal: called for each batch after its rows were written and before
/// the commit, so a batch and its journal entry commit (or roll back) together and a resumed run
/// never disagrees with the data. Not typed in any database's classes: the journal adds its
/// statements to the batch through <see cref="IBatchStatements"/>, which any target can carry.
/// </summary>
public interface IBatchJournal
{
    /// <param name="statements">The batch's unit of work; the journal's statements go through it.</param>
    /// <param name="batch">The batch's figures (Elapsed so far, before the commit).</param>
    /// <param name="rows">The rows the batch sent to SQLite, in order, including any SQLite refused
    /// (rows refused before the write are not in a batch). E.g. the last key is the checkpoint.
    /// Valid only during the call.</param>
    void RecordBatch(IBatchStatements statements, BatchResult batch, IReadOnlyList<Row> rows);

    /// <summary>
    /// The same for a batch whose rows went to the database one by one as they arrived (so no
    /// list of them is held until the commit and a row's objects die young): the digest carries
    /// the first and last row and the checksum of the rows the database took, summed from
    /// <see cref="Hash"/> by the target.
    /// </summary>
    void RecordBatch(IBatchStatements statements, BatchResult batch, BatchDigest digest);

    /// <summary>
    /// Caller's thread, for each row a streaming target takes into a batch: the row's share of
    /// the batch checksum (the target sums those of the rows the database took into the
    /// <see cref="BatchDigest"/>).
    /// </summary>
    UInt128 Hash(Row row);

    /// <summary>
    /// Called while a batch is written, before <see cref="RecordBatch"/>, for each of its
    /// rows SQLite refused (the same row object as in <c>rows</c>, and the same error object the
    /// target raises later through <see cref="SqliteTarget.RowFailed"/>), so a journal can tell
    /// exactly which rows went in, even when a refused row has the same key as a written one, and
    /// can record the refusal in the batch's own transaction.
    /// </summary>
    void RowRefused(Row row, RowError error) { }

    /// <summary>
    /// Called on the caller's thread when a batch is handed to the writer, before any of it is
    /// written: work that needs no connection (e.g. hashing the rows) done here runs beside
    /// the writer instead of on it. <see cref="RecordBatch"/> later gets the same row objects.
    /// </summary>
    void PrepareBatch(IReadOnlyList<Row> rows) { }
}

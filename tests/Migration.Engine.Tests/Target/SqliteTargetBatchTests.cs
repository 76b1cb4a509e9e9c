using Microsoft.Data.Sqlite;
using Migration.Engine.Schema;
using Migration.Engine.Target;
using Xunit;
using static Migration.Engine.Tests.Target.TargetTestSupport;
using Migration.Engine.Target.Sqlite;

namespace Migration.Engine.Tests.Target;

public sealed class SqliteTargetBatchTests : IDisposable
{
    readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    static readonly TableSchema A = D1("a", [Col("id", D1Type.Integer, false)], 0);
    static readonly TableSchema B = D1("b", [Col("id", D1Type.Integer, false)], 0);

    [Fact]
    public void Interleaved_tables_are_written_in_the_order_their_rows_arrived()
    {
        // Foreign keys are enforced on every insert (as in D1), so a row must never be written
        // before a row of another table that arrived earlier: a change of table closes the
        // batch. Strictly alternating input therefore gives one-row batches.
        var path = _dir.File("batches.sqlite");
        var rows = Enumerable.Range(1, 5).SelectMany(i => new[] { R(A, (long)i), R(B, (long)i * 10) }).Append(R(B, 60L));

        var outcome = Write(path, new ImportOptions { BatchSize = 2 }, rows);

        Assert.Equal(
            [("a", 1, 1), ("b", 1, 1), ("a", 2, 1), ("b", 2, 1), ("a", 3, 1), ("b", 3, 1), ("a", 4, 1), ("b", 4, 1), ("a", 5, 1), ("b", 5, 2)],
            outcome.Batches.Select(b => (b.Table, b.BatchNumber, b.RowsWritten)));
        Assert.Equal([("a", 5L, 5), ("b", 6L, 5)], outcome.Summaries.Select(s => (s.Table, s.RowsWritten, s.Batches)));
        Assert.Equal(5L, Rows(path, "SELECT count(*) FROM a")[0][0]);
        Assert.Equal(6L, Rows(path, "SELECT count(*) FROM b")[0][0]);
    }

    [Fact]
    public void A_new_schema_object_for_the_same_table_writes_what_was_buffered_first()
    {
        var path = _dir.File("rebind.sqlite");
        var narrow = D1("t", [Col("id", D1Type.Integer, false)], 0);
        var wide = D1("t", [Col("id", D1Type.Integer, false), Col("name", D1Type.Text)], 0);
        Exec(path, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)");

        var outcome = Write(path, new ImportOptions(), [R(narrow, 1L), R(wide, 2L, "two"), R(narrow, 3L)]);

        Assert.Equal(Expect([1L, null], [2L, "two"], [3L, null]), Rows(path, "SELECT * FROM t ORDER BY id"));
        Assert.Equal(3, outcome.Summary("t").Batches);
    }

    [Fact]
    public void The_journal_runs_inside_the_batch_transaction()
    {
        var path = _dir.File("journal.sqlite");
        Exec(path, "CREATE TABLE journal (tbl TEXT, batch INTEGER, written INTEGER, last_key INTEGER)");
        var journal = new RecordingJournal();

        using (var target = SqliteTarget.Open(path, new ImportOptions { BatchSize = 2 }, journal))
        {
            foreach (var i in Enumerable.Range(1, 3)) target.Add(R(A, (long)i));
            target.Complete();
        }

        Assert.Equal(Expect(["a", 1L, 2L, 2L], ["a", 2L, 1L, 3L]), Rows(path, "SELECT * FROM journal ORDER BY batch"));
    }

    [Fact]
    public void A_journal_failure_rolls_the_batch_back()
    {
        var path = _dir.File("journal-fails.sqlite");
        Exec(path, "CREATE TABLE journal (tbl TEXT, batch INTEGER, written INTEGER, last_key INTEGER)");
        var journal = new RecordingJournal { FailOnBatch = 2 };

        using (var target = SqliteTarget.Open(path, new ImportOptions { BatchSize = 2 }, journal))
        {
            target.Add(R(A, 1L));
            target.Add(R(A, 2L));
            target.Add(R(A, 3L));
            target.Add(R(A, 4L)); // batch 2 goes to the writer thread; its failure surfaces at the next wait
            var ex = Assert.Throws<InvalidOperationException>(() => target.Complete());
            Assert.Equal("journal is full", ex.Message);
            // The target stops: nothing after a failed batch is accepted or written.
            Assert.Throws<InvalidOperationException>(() => target.Add(R(A, 5L)));
        }

        // Batch 1 committed with its journal row; batch 2 was written, then rolled back.
        Assert.Equal(Expect([1L], [2L]), Rows(path, "SELECT id FROM a ORDER BY id"));
        Assert.Equal(Expect([1L]), Rows(path, "SELECT batch FROM journal"));
    }

    [Fact]
    public void A_batch_still_open_at_dispose_is_rolled_back_although_its_first_rows_reached_SQLite()
    {
        // Rows go into the open batch's transaction in chunks as they arrive (they are not held
        // until the commit), so a stopped pipeline leaves rows of the open batch inserted but
        // uncommitted: they must go, with nothing in the journal for them.
        var path = _dir.File("open-batch.sqlite");
        Exec(path, "CREATE TABLE journal (tbl TEXT, batch INTEGER, written INTEGER, last_key INTEGER)");
        var batch = 3 * TableWriter.ChunkRows(1000) / 2 + 1; // more than one chunk in the batch under any GC mode
        using (var target = SqliteTarget.Open(path, new ImportOptions { BatchSize = batch }, new RecordingJournal()))
        {
            foreach (var i in Enumerable.Range(1, batch + batch - 1)) target.Add(R(A, (long)i));
        }

        Assert.Equal(Expect([(long)batch]), Rows(path, "SELECT count(*) FROM a"));
        Assert.Equal(Expect([1L, (long)batch]), Rows(path, "SELECT batch, last_key FROM journal"));
    }

    sealed class RecordingJournal : IBatchJournal
    {
        public int FailOnBatch { get; init; }

        public void RecordBatch(IBatchStatements statements, BatchResult batch, IReadOnlyList<Row> rows) =>
            throw new InvalidOperationException("the local target records batches by their digest");

        public void RecordBatch(IBatchStatements statements, BatchResult batch, BatchDigest digest)
        {
            if (batch.BatchNumber == FailOnBatch) throw new InvalidOperationException("journal is full");
            statements.Execute("INSERT INTO journal VALUES ($t, $b, $w, $k)",
                ("$t", batch.Table), ("$b", batch.BatchNumber), ("$w", batch.RowsWritten), ("$k", digest.Last.GetValue(0)));
        }

        public UInt128 Hash(Row row) => 0;
    }
}

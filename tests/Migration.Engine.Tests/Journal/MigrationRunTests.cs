using Migration.Engine.Integrity;
using Migration.Engine.Journal;
using Migration.Engine.Schema;
using Migration.Engine.Target;
using Migration.Engine.Tests.Target;
using Xunit;
using static Migration.Engine.Tests.Journal.JournalTestTables;
using static Migration.Engine.Tests.Target.TargetTestSupport;

namespace Migration.Engine.Tests.Journal;

public sealed class MigrationRunTests : IDisposable
{
    readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Each_batch_is_journaled_with_its_keys_and_a_checksum_that_sums_to_the_tables_content_hash()
    {
        var path = _dir.File("books.sqlite");
        var run = MigrationJournal.Start(path, new RunStart { Source = "kv", Tables = ["books"], Options = "batch-size=4" });
        using (var target = run.OpenTarget(new ImportOptions { BatchSize = 4 }))
        {
            foreach (var row in BookRows(1, 10)) target.Add(row);
            target.Complete();
            run.Complete();
        }

        var batches = Rows(path, "SELECT batch_number, first_key, last_key, rows_written, checksum FROM d1_migration_batches ORDER BY batch_number");
        Assert.Equal([1L, 2L, 3L], batches.Select(b => b[0]));
        Assert.Equal(["isbn=978-000001", "isbn=978-000005", "isbn=978-000009"], batches.Select(b => b[1]));
        Assert.Equal(["isbn=978-000004", "isbn=978-000008", "isbn=978-000010"], batches.Select(b => b[2]));
        Assert.Equal([4L, 4L, 2L], batches.Select(b => b[3]));

        var sum = batches.Aggregate(UInt128.Zero, (s, b) => s + UInt128.Parse((string)b[4]!, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture));
        var table = DatabaseFingerprint.Of(path, withRowid: false)["books"];
        Assert.EndsWith(ContentHash.ToHex(sum), table);

        var info = MigrationJournal.GetRuns(path).Single();
        Assert.Equal((RunStatus.Completed, 10L, "kv"), (info.State, info.RowsWritten, info.Source));
        var progress = Assert.Single(info.TableProgress);
        Assert.Equal(("books", true, 3, "isbn=978-000010"), (progress.Table, progress.Created, progress.Batches, progress.LastKey));
    }

    [Fact]
    public void Refused_rows_are_quarantined_with_their_batch_and_left_out_of_its_checksum()
    {
        var path = _dir.File("q.sqlite");
        var run = MigrationJournal.Start(path, new RunStart());
        using (var target = run.OpenTarget(new ImportOptions { BatchSize = 3 }))
        {
            target.Add(R(Books, "1", "one", 1L));
            target.Add(R(Books, "1", "duplicate", 2L));        // SQLite refuses: PRIMARY KEY
            target.Add(R(Books, "2", null, 3L));               // refused before the write: NOT NULL
            target.Add(R(Books, "3", "three", 3L));
            run.Quarantine("books", "isbn=4", "pages", "not an integer", "'4x'", QuarantineStage.Convert);
            target.Complete();
            run.Complete();
        }

        var q = MigrationJournal.GetQuarantine(path, run.RunId);
        Assert.Equal(3, q.Count);
        Assert.Contains(q, r => r is { Key: "isbn=1", Stage: "Write" } && r.Reason.Contains("UNIQUE constraint failed", StringComparison.Ordinal));
        Assert.Contains(q, r => r is { Key: "isbn=2", Column: "title", Stage: "Write" });
        Assert.Contains(q, r => r is { Key: "isbn=4", Column: "pages", Stage: "Convert", ValueExcerpt: "'4x'" });
        Assert.Equal(3L, MigrationJournal.GetRuns(path).Single().RowsQuarantined);

        var checksum = (string)Rows(path, "SELECT checksum FROM d1_migration_batches")[0][0]!;
        Assert.EndsWith(checksum, DatabaseFingerprint.Of(path, withRowid: false)["books"]);
    }

    [Fact]
    public void A_refused_row_is_quarantined_in_its_batchs_own_transaction_so_a_crash_right_after_cannot_lose_it()
    {
        var path = _dir.File("crash-q.sqlite");
        var run = MigrationJournal.Start(path, new RunStart());
        var target = run.OpenTarget(new ImportOptions { BatchSize = 2 });
        target.Add(R(Books, "1", "one", 1L));
        target.Add(R(Books, "1", "duplicate", 2L)); // the batch is full: written, the duplicate refused
        target.Add(R(Books, "2", "two", 2L));       // buffered only
        target.Dispose();                            // a crash: no Complete, no event drained
        run.Dispose();

        var q = Assert.Single(MigrationJournal.GetQuarantine(path, run.RunId));
        Assert.Equal(("isbn=1", "Write"), (q.Key, q.Stage));
        Assert.Equal(RunStatus.Running, MigrationJournal.GetRuns(path).Single().State);
        Assert.Equal("isbn=1", MigrationJournal.GetRuns(path).Single().TableProgress.Single().LastKey);
    }

    [Fact]
    public void A_resumed_run_continues_after_the_last_committed_key_and_writes_nothing_twice()
    {
        var clean = _dir.File("clean.sqlite");
        RunAll(clean, BookRows(1, 25), LogRows(7));

        var path = _dir.File("crashed.sqlite");
        var first = MigrationJournal.Start(path, new RunStart());
        var target = first.OpenTarget(new ImportOptions { BatchSize = 4 });
        foreach (var row in LogRows(5)) target.Add(row);
        foreach (var row in BookRows(1, 14)) target.Add(row);
        target.Dispose(); // a crash: buffered rows (books 13-14, log 5) are lost, committed batches stay
        first.Dispose();
        Assert.Equal(12L, Rows(path, "SELECT count(*) FROM books")[0][0]);

        var again = MigrationJournal.Start(path, new RunStart { Resume = true });
        Assert.Equal((first.RunId, true, 2), (again.RunId, again.IsResumed, again.Attempts));
        Assert.Equal(["978-000012"], again.ResumeKey("books")!);
        Assert.Null(again.ResumeKey("log"));
        // The keyless table was emptied of the run's rows: it is written again from its start.
        Assert.Equal(0L, Rows(path, "SELECT count(*) FROM log")[0][0]);

        using (var resumed = again.OpenTarget(new ImportOptions { BatchSize = 4 }))
        {
            // The source sends everything again (no keyset): committed rows are recognised and skipped.
            foreach (var row in BookRows(1, 25).Concat(LogRows(7)))
                if (!again.IsAlreadyWritten(row)) resumed.Add(row);
            resumed.Complete();
            again.Complete();
        }
        Assert.Equal(12L, again.RowsAlreadyWritten);
        Assert.Equal(DatabaseFingerprint.Of(clean, withRowid: false), DatabaseFingerprint.Of(path, withRowid: false));
        Assert.Equal(0L, DatabaseFingerprint.DuplicateKeys(path, "books", "isbn"));
        var info = MigrationJournal.GetRuns(path).Single();
        Assert.Equal((RunStatus.Completed, 2, 32L), (info.State, info.Attempts, info.RowsWritten));
    }

    static void RunAll(string path, params IEnumerable<Row>[] tables)
    {
        var run = MigrationJournal.Start(path, new RunStart());
        using var target = run.OpenTarget(new ImportOptions { BatchSize = 4 });
        foreach (var row in tables.SelectMany(t => t)) target.Add(row);
        target.Complete();
        run.Complete();
    }
}

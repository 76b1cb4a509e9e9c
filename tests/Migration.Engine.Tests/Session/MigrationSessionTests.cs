using Migration.Engine.Journal;
using Migration.Engine.Session;
using Migration.Engine.Target;
using Migration.Engine.Tests.Target;
using Xunit;
using static Migration.Engine.Tests.Journal.JournalTestTables;
using static Migration.Engine.Tests.Target.TargetTestSupport;

namespace Migration.Engine.Tests.Session;

/// <summary>The session's own decisions, fed by push as Import-D1Batch feeds it (the CLI's pull is proven by the CLI and whole-database tests).</summary>
public sealed class MigrationSessionTests : IDisposable
{
    readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    sealed class Recorder : IMigrationObserver
    {
        public List<RowError> Failed { get; } = [];
        public List<BatchResult> Batches { get; } = [];
        public List<TableSummary> Summaries { get; } = [];
        public List<string> Plans { get; } = [];
        public void TableStarted(Schema.TableSchema table, string plan) => Plans.Add(plan);
        public void RowFailed(RowError error) => Failed.Add(error);
        public void BatchCommitted(BatchResult batch) => Batches.Add(batch);
        public void Completed(IReadOnlyList<TableSummary> summaries) => Summaries.AddRange(summaries);
    }

    [Fact]
    public void Past_the_error_limit_the_run_stops_Failed_and_a_resume_completes_it_without_writing_a_row_twice()
    {
        var path = _dir.File("limit.sqlite");
        var log = _dir.File("errors.csv");
        var first = new Recorder();
        using (var session = new MigrationSession(path, new SessionOptions { Import = new ImportOptions { BatchSize = 2 }, MaxErrors = 1, ErrorLogPath = log }, first))
        {
            Assert.True(session.Start());
            foreach (var row in BookRows(1, 4)) session.Add(row);
            session.Add(R(Books, "x1", null, 1L)); // refused before the write (NOT NULL): 1 error, within the limit
            var stop = Assert.Throws<MaxErrorsExceededException>(() => session.Add(R(Books, "x2", null, 2L)));
            Assert.Contains("-MaxErrors 1", stop.Message, StringComparison.Ordinal);
        }
        var failed = MigrationJournal.GetRuns(path).Single();
        Assert.Equal(nameof(RunStatus.Failed), failed.Status);
        Assert.Contains("More than 1 rows failed", failed.Message, StringComparison.Ordinal);
        Assert.Equal(2, first.Failed.Count);
        Assert.Equal("books: 3 columns, key (isbn), row count unknown; -OnConflict Abort, batches of 2.", Assert.Single(first.Plans));
        Assert.Equal(3, File.ReadAllLines(log).Length); // header + the two refused rows

        var second = new Recorder();
        using (var session = new MigrationSession(path, new SessionOptions { Import = new ImportOptions { BatchSize = 2 }, Resume = true }, second))
        {
            Assert.True(session.Start());
            foreach (var row in BookRows(1, 6)) session.Add(row);
            Assert.Equal(6, session.Complete().Single().RowsWritten + session.Run!.RowsAlreadyWritten);
        }
        Assert.Equal(6L, Rows(path, "SELECT count(*) FROM books").Single()[0]);
        Assert.Equal(nameof(RunStatus.Completed), MigrationJournal.GetRuns(path).Single().Status);
        Assert.Single(second.Summaries);
        // The resumed table's plan says where it goes on from (-Verbose shows it).
        Assert.Contains("resuming after key (", Assert.Single(second.Plans), StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_run_without_OnConflict_into_the_keys_of_the_first_is_one_error_and_the_run_says_completed_with_refused_tables()
    {
        var path = _dir.File("rerun.sqlite");
        using (var first = new MigrationSession(path, new SessionOptions { Import = new ImportOptions { BatchSize = 2 } }, new Recorder()))
        {
            Assert.True(first.Start());
            foreach (var row in BookRows(1, 5)) first.Add(row);
            first.Complete();
        }

        var again = new Recorder();
        using (var second = new MigrationSession(path, new SessionOptions { Import = new ImportOptions { BatchSize = 2 } }, again))
        {
            Assert.True(second.Start());
            foreach (var row in BookRows(1, 5)) second.Add(row);
            var summary = Assert.Single(second.Complete());
            Assert.Equal((0L, 5L), (summary.RowsWritten, summary.RowsNotWritten));
        }
        Assert.Contains("already holds 2 of the 2 keys (isbn)", Assert.Single(again.Failed).Reason, StringComparison.Ordinal);
        var run = MigrationJournal.GetRuns(path).OrderBy(r => r.RunId).Last();
        Assert.Equal(nameof(RunStatus.CompletedWithRefusedTables), run.Status);
        Assert.Equal("completed with refused tables: books (5 rows not written)", run.Message);
        Assert.Equal(5L, Rows(path, "SELECT count(*) FROM books").Single()[0]);
    }

    [Fact]
    public void Resuming_a_completed_run_writes_nothing_and_leaves_it_Completed()
    {
        var path = _dir.File("done.sqlite");
        CompleteRun(path, BookRows(1, 3), OnConflict.Abort, batchSize: 2);
        using (var session = new MigrationSession(path, new SessionOptions { Resume = true }, new Recorder()))
            Assert.False(session.Start());
        Assert.Equal(nameof(RunStatus.Completed), MigrationJournal.GetRuns(path).Single().Status);
    }

    [Fact]
    public void A_dry_run_has_no_journal_and_writes_no_error_log()
    {
        var path = _dir.File("dry.sqlite");
        var log = _dir.File("dry.csv");
        var report = new Recorder();
        using (var session = new MigrationSession(path, new SessionOptions { Import = new ImportOptions { DryRun = true }, ErrorLogPath = log }, report))
        {
            Assert.True(session.Start());
            Assert.Null(session.Run);
            foreach (var row in BookRows(1, 3)) session.Add(row);
            Assert.Equal(3, session.Complete().Single().RowsWritten);
        }
        Assert.False(File.Exists(path));
        Assert.False(File.Exists(log));
    }
}

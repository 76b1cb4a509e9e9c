using Migration.Engine.Journal;
using Migration.Engine.Schema;
using Migration.Engine.Target;
using Xunit;
using static Migration.Engine.Tests.Target.TargetTestSupport;
using Migration.Engine.Target.Sqlite;

namespace Migration.Engine.Tests.Target;

/// <summary>
/// -ErrorAction Stop: the first refused row ends the load where it is. Batches are written on a
/// background thread, so without this a refusal is seen only after later rows were written.
/// </summary>
public sealed class StopAtFirstRefusalTests : IDisposable
{
    readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    static readonly TableSchema Users = D1("users", [Col("id", D1Type.Integer, false), Col("email", D1Type.Text, false)], 0);

    string Existing()
    {
        var path = _dir.File("stop.sqlite");
        Exec(path, "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE); INSERT INTO users VALUES (100, 'taken@x');");
        return path;
    }

    static (List<RowError> Errors, RowRefusedException? Stopped) Load(SqliteTarget target, IEnumerable<Row> rows)
    {
        var errors = new List<RowError>();
        target.RowFailed += errors.Add;
        try
        {
            foreach (var row in rows) target.Add(row);
            target.Complete();
            return (errors, null);
        }
        catch (RowRefusedException ex)
        {
            return (errors, ex);
        }
    }

    static IEnumerable<Row> Users1To8(string? badEmail = null) =>
        Enumerable.Range(1, 8).Select(i => R(Users, (long)i, i == 5 ? badEmail ?? "taken@x" : $"u{i}@x"));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(100)]
    public void A_row_SQLite_refuses_stops_the_load_and_its_batch_and_everything_after_is_not_written(int batchSize)
    {
        var path = Existing();
        using var target = SqliteTarget.Open(path, new ImportOptions { BatchSize = batchSize, StopAtFirstRefusal = true });

        var (errors, stopped) = Load(target, Users1To8());

        Assert.NotNull(stopped);
        Assert.Equal(("id=5", "email"), (stopped.Error.Key, stopped.Error.Column));
        Assert.Same(stopped.Error, Assert.Single(errors)); // reported once, before the exception
        // Batches before the one holding id=5 are committed; that batch and all after are not.
        var committedBefore = (4 / batchSize) * batchSize;
        var expected = Enumerable.Range(1, committedBefore).Select(i => new object?[] { (long)i }).Append([100L]).ToList();
        Assert.Equal(expected, Rows(path, "SELECT id FROM users ORDER BY id"));
        Assert.Throws<RowRefusedException>(() => target.Add(R(Users, 9L, "u9@x"))); // the target takes nothing more
    }

    [Fact]
    public void A_row_refused_before_the_write_stops_at_once_and_its_buffered_batch_is_not_written()
    {
        var path = Existing();
        using var target = SqliteTarget.Open(path, new ImportOptions { BatchSize = 100, StopAtFirstRefusal = true });
        target.Add(R(Users, 1L, "u1@x"));

        var ex = Assert.Throws<RowRefusedException>(() => target.Add(R(Users, 2L, null)));

        Assert.Contains("NOT NULL", ex.Error.Reason, StringComparison.Ordinal);
        target.Dispose();
        Assert.Equal(Expect([100L]), Rows(path, "SELECT id FROM users"));
    }

    [Fact]
    public void Without_the_option_the_refused_row_is_reported_and_the_others_are_written()
    {
        var path = Existing();
        using var target = SqliteTarget.Open(path, new ImportOptions { BatchSize = 1 });

        var (errors, stopped) = Load(target, Users1To8());

        Assert.Null(stopped);
        Assert.Equal("id=5", Assert.Single(errors).Key);
        Assert.Equal(8L, Rows(path, "SELECT count(*) FROM users")[0][0]);
    }

    [Fact]
    public void A_journaled_run_stopped_there_resumes_after_the_last_committed_batch()
    {
        var path = Existing();
        var run = MigrationJournal.Start(path, new RunStart());
        using (var target = run.OpenTarget(new ImportOptions { BatchSize = 2, StopAtFirstRefusal = true }))
        {
            var (_, stopped) = Load(target, Users1To8());
            Assert.NotNull(stopped);
            run.Fail(stopped.Message);
        }
        run.Dispose();
        Assert.Equal(["id=4"], MigrationJournal.GetRuns(path).Single().TableProgress.Select(t => t.LastKey));
        // Its batch rolled back; the row that stopped the run is in the quarantine, recorded with the failure.
        Assert.Equal(("id=5", "email"), MigrationJournal.GetQuarantine(path, run.RunId).Select(q => (q.Key, q.Column)).Single());

        // The cause fixed (id=5 gets a free email), the run resumes after id=4.
        var again = MigrationJournal.Start(path, new RunStart { Resume = true });
        using (var target = again.OpenTarget(new ImportOptions { BatchSize = 2, StopAtFirstRefusal = true }))
        {
            var (errors, stopped) = Load(target, Users1To8("u5@x").Where(r => !again.IsAlreadyWritten(r)));
            Assert.Null(stopped);
            Assert.Empty(errors);
            again.Complete();
        }
        again.Dispose();
        Assert.Equal(9L, Rows(path, "SELECT count(*) FROM users")[0][0]);
    }
}

using Migration.Engine.Journal;
using Migration.Engine.Tests.Infrastructure;
using Migration.Engine.Tests.Target;
using Xunit;

namespace Migration.Engine.Tests.Journal;

/// <summary>
/// Failed rows through the CLI: <c>--error-log</c> (the CSV copy of the quarantine, as
/// Import-D1Batch -ErrorLog writes it) and <c>--max-errors 0</c> (stop at the first one).
/// </summary>
[Collection(PgCluster.Collection)]
public sealed class CliFailedRowTests(PgCluster pg) : IDisposable
{
    readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Rows_failed_in_conversion_and_in_the_write_are_logged_and_the_others_are_written()
    {
        var cs = pg.CreateDatabase("errlog");
        pg.Execute(cs, """
            CREATE TABLE readings (id integer PRIMARY KEY, v double precision, note text);
            INSERT INTO readings VALUES (1, 1.5, 'fine'), (2, 'NaN', 'not a number'), (3, 3.0, repeat('y', 2100000)), (4, 4.25, NULL);
            """);
        var path = _dir.File("errlog.sqlite");
        var log = _dir.File("errors.csv");

        var exit = CliProcess.Run(["migrate", "--pg", cs, "--table", "readings", "--path", path, "--error-log", log, "--quiet"]);

        Assert.Equal(2, exit); // finished, with failed rows
        Assert.Equal(TargetTestSupport.Expect([1L], [4L]), TargetTestSupport.Rows(path, "SELECT id FROM readings ORDER BY id"));
        var lines = File.ReadAllLines(log);
        Assert.Equal("RunId,Table,Key,Column,Stage,Reason,ValueExcerpt,RecordedAt", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("1,readings,id=2,v,Convert,", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("1,readings,id=3,note,Write,", lines[2], StringComparison.Ordinal);
        Assert.Contains("D1's limit", lines[2], StringComparison.Ordinal);
        // The CSV is a copy of the journal's quarantine, not something else.
        var quarantined = MigrationJournal.GetQuarantine(path, 1).Select(q => (q.Key, q.Column)).ToList();
        Assert.Equal([("id=2", "v"), ("id=3", "note")], quarantined);
    }

    [Fact]
    public void Max_errors_zero_stops_at_the_first_refused_row_and_the_run_resumes_after_the_cause_is_fixed()
    {
        var cs = pg.CreateDatabase("stopfirst");
        pg.Execute(cs, """
            CREATE TABLE members (id integer PRIMARY KEY, email text NOT NULL);
            INSERT INTO members SELECT i, 'm' || i || '@x' FROM generate_series(1, 40) i;
            """);
        var path = _dir.File("stop.sqlite");
        TargetTestSupport.Exec(path, "CREATE TABLE members (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE); INSERT INTO members VALUES (1000, 'm17@x');");

        var exit = CliProcess.Run(["migrate", "--pg", cs, "--table", "members", "--path", path, "--batch-size", "5", "--max-errors", "0", "--quiet"]);

        Assert.Equal(3, exit);
        // Batches 1-3 (ids 1-15) are in; the batch holding id 17 (16-20) and everything after are not.
        Assert.Equal(15L, TargetTestSupport.Rows(path, "SELECT count(*) FROM members WHERE id < 1000")[0][0]);
        Assert.Equal(15L, TargetTestSupport.Rows(path, "SELECT max(id) FROM members WHERE id < 1000")[0][0]);
        var run = MigrationJournal.GetRuns(path).Single();
        Assert.Equal(RunStatus.Failed, run.State);

        TargetTestSupport.Exec(path, "DELETE FROM members WHERE id = 1000");
        Assert.Equal(0, CliProcess.Run(["migrate", "--pg", cs, "--table", "members", "--path", path, "--batch-size", "5", "--max-errors", "0", "--resume", "--quiet"]));
        Assert.Equal(40L, TargetTestSupport.Rows(path, "SELECT count(*) FROM members")[0][0]);
    }
}

using Migration.Engine.Journal;
using Migration.Engine.Tests.Infrastructure;
using Migration.Engine.Tests.Target;
using Xunit;

namespace Migration.Engine.Tests.Journal;

/// <summary><c>migration migrate --error-log</c>: the CSV copy of the quarantine, as Import-D1Batch -ErrorLog writes it.</summary>
[Collection(PgCluster.Collection)]
public sealed class CliErrorLogTests(PgCluster pg) : IDisposable
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
}

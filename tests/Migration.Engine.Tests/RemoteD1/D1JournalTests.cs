using Migration.Engine.Cloudflare;
using Migration.Engine.Journal;
using Migration.Engine.Target;
using Migration.Engine.Target.RemoteD1;
using Migration.Engine.Tests.Infrastructure;
using Xunit;

namespace Migration.Engine.Tests.RemoteD1;

/// <summary>The run journal kept in a remote D1 database, through the same JournalStore SQL as the local file.</summary>
[Collection(CloudflareApiServer.Collection)]
public sealed class D1JournalTests(CloudflareApiServer server) : RemoteD1TestBase(server)
{
    D1JournalConnection Journal() => new(Client(), "d1:" + CloudflareApiServer.Database);

    [Fact]
    public async Task A_run_starts_records_a_batch_finishes_and_resumes_in_the_remote_database()
    {
        Server.ResetDatabase(CloudflareApiServer.Database);
        using var journal = Journal();
        journal.Write(s => s.Execute("CREATE TABLE existing (id INTEGER PRIMARY KEY, v TEXT)"));
        journal.Write(s => s.Execute("CREATE TABLE empty_one (id INTEGER PRIMARY KEY)"));
        journal.Write(s => s.Execute("INSERT INTO existing VALUES ($id, $v)", ("$id", 9_007_199_254_740_993L), ("$v", "x")));

        var run = JournalStore.Start(journal, new RunStart { Tables = ["users"], Options = "{}", Source = "pg" }, Journal);
        Assert.False(run.IsResumed);
        Assert.Equal(1, run.Attempts);

        // A batch's journal statements, as the remote target adds them to its request.
        var batch = new D1BatchStatements();
        JournalStore.RegisterTable(batch, run.RunId, "users", "public.auth_user", created: true, "[\"id\"]");
        JournalStore.RecordBatch(batch, run.RunId, "users", 1, new BatchResult("users", 1, 3, 0, 0, TimeSpan.Zero), "id=1", "id=3",
            RowImage.Encode([3L]), "00", "[\"id\"]", "sum");
        JournalStore.Quarantine(batch, run.RunId, "users", "id=2", "email", QuarantineStage.Write, "NOT NULL", "NULL", JournalClock.Now());
        await journal.Client.QueryBatchAsync(batch.Statements, RetrySafety.Write);
        run.Fail("killed");

        var info = Assert.Single(JournalStore.GetRuns(journal, null));
        Assert.Equal(RunStatus.Failed, info.State);
        Assert.Equal("d1:cftest", info.Path);
        Assert.Equal(3, info.RowsWritten);
        var progress = Assert.Single(info.TableProgress);
        Assert.Equal(("users", "public.auth_user", 1, "id=3"), (progress.Table, progress.SourceTable, progress.Batches, progress.LastKey));
        var q = Assert.Single(JournalStore.Quarantined(journal, run.RunId));
        Assert.Equal(("users", "id=2", "email"), (q.Table, q.Key, q.Column));
        Assert.Equal(["empty_one", "existing"], JournalStore.RunTableList(journal, run.RunId, "tables_before"));
        Assert.Equal(["empty_one"], JournalStore.RunTableList(journal, run.RunId, "empty_before"));

        var resumed = JournalStore.Start(journal, new RunStart { Tables = ["users"], Options = "{}", Resume = true }, Journal);
        Assert.True(resumed.IsResumed);
        Assert.Equal(run.RunId, resumed.RunId);
        Assert.Equal(2, resumed.Attempts);
        Assert.Equal([3L], resumed.ResumeKey("users"));
        Assert.Equal(1, resumed.RecordedBatches("users"));
        resumed.Complete();
        Assert.Equal(RunStatus.Completed, Assert.Single(JournalStore.GetRuns(journal, run.RunId)).State);
        var point = Assert.Single(JournalStore.ResumePoints(journal, null));
        Assert.Equal([3L], point.LastKey);
    }

    [Fact]
    public void Named_parameters_travel_exactly_never_as_a_JSON_number_or_boolean()
    {
        var s = D1NamedStatement.From("SELECT $a, '$a' AS lit, $b, $a, $c, $d -- $zz\n", [("$a", long.MaxValue), ("$b", true), ("$c", 1.5), ("$d", null)]);
        Assert.Equal("SELECT CAST(? AS INTEGER), '$a' AS lit, CAST(? AS INTEGER), CAST(? AS INTEGER), CAST(? AS REAL), ? -- $zz\n", s.Sql);
        Assert.Equal([long.MaxValue, 1L, long.MaxValue, 1.5, null], s.Parameters.Select(p => p.Value));
        Assert.Throws<ArgumentException>(() => D1NamedStatement.From("SELECT $missing", []));
        using var journal = Journal();
        var row = Assert.Single(journal.Query("SELECT $a = 9223372036854775807, typeof($b), $t", ("$a", long.MaxValue), ("$b", false), ("$t", "a\0b\r\n😀")));
        Assert.Equal([1L, "integer", "a\0b\r\n😀"], row);
    }
}

using Migration.Engine.Cloudflare;
using Migration.Engine.Journal;
using Migration.Engine.Schema;
using Migration.Engine.Session;
using Migration.Engine.Target;
using Migration.Engine.Target.RemoteD1;
using Migration.Engine.Tests.Infrastructure;
using Xunit;
using static Migration.Engine.Tests.Target.TargetTestSupport;

namespace Migration.Engine.Tests.RemoteD1;

/// <summary>
/// Issue 11's "a run with 10% injected faults of every kind: result identical to a clean run":
/// three tables, 3,000 rows in 60 requests, loaded once cleanly and once with about 10% of the
/// requests faulted (429 with retry-after, 500 before executing, the answer lost after the commit
/// by a reset, a 500 or a 503, an answer slower than the client's timeout after the commit, and
/// failed reads), then compared value by value and storage class by storage class.
/// </summary>
[Collection(CloudflareApiServer.Collection)]
public sealed class RemoteD1FaultTests(CloudflareApiServer server) : RemoteD1TestBase(server)
{
    static readonly TableSchema Users = D1("users", [Col("id", D1Type.Integer, false), Col("email", D1Type.Text), Col("score", D1Type.Real)], 0);
    static readonly TableSchema Files = D1("files", [Col("id", D1Type.Integer, false), Col("owner", D1Type.Integer), Col("body", D1Type.Blob), Col("name", D1Type.Text)], 0);
    static readonly TableSchema Events = D1("events", [Col("id", D1Type.Text, false), Col("at", D1Type.Integer), Col("payload", D1Type.Text)], 0);

    static IEnumerable<Row> Rows()
    {
        for (var i = 1; i <= 1000; i++) yield return R(Users, (long)i, $"user{i}@example.com", i / 3.0);
        for (var i = 1; i <= 1000; i++) yield return R(Files, (long)i, (long)(i % 97 + 1), new byte[] { (byte)i, 0, (byte)(i >> 8) }, $"file é😀 {i}\r\n");
        for (var i = 1; i <= 1000; i++) yield return R(Events, $"ev-{i:D5}", 9_007_199_254_740_993L + i, $"{{\"n\":{i}}}");
    }

    async Task<string[]> LoadAndFingerprint(CloudflareApiClient api)
    {
        var db = Database(api);
        // The /query path (its faults are on /query; RemoteD1ImportTests covers the import path's lost answers).
        var report = Load(db, new SessionOptions { Import = new ImportOptions { BatchSize = 50, Method = D1WriteMethod.Query } }, Rows());
        Assert.Empty(report.Errors);
        var run = Assert.Single(db.GetRuns());
        Assert.Equal((RunStatus.Completed, 3000L), (run.State, run.RowsWritten));
        Assert.Equal([20, 20, 20], run.TableProgress.Select(t => t.Batches));
        _lastVerbose = report.VerboseLines;
        return
        [
            await Fingerprint(api, "users", "id", "email", "score"),
            await Fingerprint(api, "files", "id", "owner", "body", "name"),
            await Fingerprint(api, "events", "id", "at", "payload"),
        ];
    }

    List<string> _lastVerbose = [];

    [Fact]
    public async Task A_run_with_ten_percent_faults_of_every_kind_equals_a_clean_run()
    {
        string[] clean;
        using (var api = Server.Client()) clean = await LoadAndFingerprint(api);
        Server.ResetDatabase(CloudflareApiServer.Database);

        var requests = new List<CloudflareRequestInfo>();
        // The client gives up on an answer after 2 s; the slow fault answers after 3 s, once the write committed.
        using var faulty = Server.Client(timeout: TimeSpan.FromSeconds(2), onRequest: r => { lock (requests) requests.Add(r); });
        Server.SetFaults(new
        {
            seed = 11,
            rules = new object[]
            {
                new { kind = "rate_limit", route = "query", rate = 0.02, retry_after = 1 },
                new { kind = "internal_error", route = "query", rate = 0.02 },
                new { kind = "reset_after_commit", route = "query", rate = 0.02 },
                new { kind = "reset_after_commit", route = "query", rate = 0.01, mode = "500" },
                new { kind = "reset_after_commit", route = "query", rate = 0.01, mode = "503" },
                new { kind = "slow", route = "query", rate = 0.02, delay_ms = 3000, phase = "after" },
                // and one slow answer for certain (the draws above may miss it at this size)
                new { kind = "slow", route = "query", count = 1, skip = 30, delay_ms = 3000, phase = "after" },
                new { kind = "internal_error", route = "raw", rate = 0.1 },
            },
        });
        var faulted = await LoadAndFingerprint(faulty);
        var fired = Server.FiredFaults();
        Server.ClearFaults();

        Assert.Equal(clean, faulted);
        // The faults did fire, of each kind, and lost answers were resolved by the journal row, not by sending again.
        Assert.All(new[] { "rate_limit", "internal_error", "reset_after_commit", "slow" }, kind => Assert.Contains(kind, fired));
        Assert.Contains(_lastVerbose, l => l.Contains("its journal row is there", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("reset_after_commit", "drop", true)]
    [InlineData("reset_after_commit", "503", true)]
    [InlineData("internal_error", null, false)]
    public async Task A_lost_answer_to_the_write_that_finishes_the_run_leaves_it_Completed_exactly_once(string kind, string? mode, bool committed)
    {
        var options = new SessionOptions { Import = new ImportOptions { BatchSize = 50, Method = D1WriteMethod.Query } };
        var rows = Rows().Take(300).ToList();
        Load(Database(), options, rows);
        // The run's finishing write is its last /query request.
        var queries = Count("/query");
        Server.ResetDatabase(CloudflareApiServer.Database);
        lock (Requests) Requests.Clear();

        var rule = new Dictionary<string, object> { ["kind"] = kind, ["route"] = "query", ["count"] = 1, ["skip"] = queries - 1 };
        if (mode is not null) rule["mode"] = mode;
        Server.SetFaults(new { rules = new object[] { rule } });
        var report = Load(Database(), options, rows);
        var fired = Server.FiredFaults();
        Server.ClearFaults();

        Assert.Contains(kind, fired);
        Assert.Empty(report.Errors);
        var run = Assert.Single(Database().GetRuns());
        Assert.Equal((RunStatus.Completed, 1, 300L), (run.State, run.Attempts, run.RowsWritten));
        // Read back, not blindly sent again: once more only when it had not committed.
        Assert.Equal(queries + (committed ? 0 : 1), Count("/query"));
        Assert.Equal([300L], (await Rows("SELECT count(*) FROM users"))[0]);
    }
}

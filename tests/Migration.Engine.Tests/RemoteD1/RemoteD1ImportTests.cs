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
/// The remote D1 target's import path (chunks through D1's import API, each with its journal
/// rows) against the API test server: a real local D1 under wrangler dev.
/// </summary>
[Collection(CloudflareApiServer.Collection)]
public sealed class RemoteD1ImportTests(CloudflareApiServer server) : RemoteD1TestBase(server)
{
    static SessionOptions Options(D1WriteMethod method = D1WriteMethod.Import, int chunk = 50, int batch = 10, bool resume = false, OnConflict mode = OnConflict.Abort) => new()
    {
        Import = new ImportOptions { BatchSize = batch, ImportChunkRows = chunk, Method = method, OnConflict = mode },
        Resume = resume,
    };

    [Fact]
    public async Task Every_value_of_the_fidelity_corpus_arrives_exactly_through_the_import_path_and_the_big_row_through_query()
    {
        var (schema, corpus) = RemoteD1TargetTests.Corpus();
        // More rows that only a literal carries: CR alone, NUL, emoji, the smallest REAL, integers past 2^53.
        var rows = corpus.Concat(
        [
            R(schema, 10L, 9_007_199_254_740_993L, 5e-324, "cr\ronly\0 and NUL, emoji 🦆, quote ' ; -- not a comment", new byte[] { 0, 0, 39, 59 }),
            R(schema, 11L, long.MinValue + 1, -2.5e-10, "'); DROP TABLE corpus; --", Array.Empty<byte>()),
            R(schema, 12L, 1L << 62, 0.30000000000000004, "\r\n\r", new byte[] { 255 }),
        ]).ToList();
        var report = Load(Database(), Options(chunk: 1000), rows);
        Assert.Empty(report.Errors);
        Assert.Equal(rows.Count, report.Written);

        var back = (await Rows($"SELECT {string.Join(", ", schema.Columns.Select(c => D1ExactRead.Column(c.Name)))} FROM corpus ORDER BY id", exact: true))
            .ToDictionary(r => (long)r[0]!);
        Assert.Equal(rows.Count, back.Count);
        foreach (var row in rows)
            for (var c = 0; c < schema.Columns.Count; c++)
                Assert.True(RemoteD1TargetTests.Same(row.GetValue(c), back[(long)row.GetValue(0)!][c]),
                    $"row {row.GetValue(0)} column {schema.Columns[c].Name}: sent {RemoteD1TargetTests.Show(row.GetValue(c))}, read {RemoteD1TargetTests.Show(back[(long)row.GetValue(0)!][c])}");
        var types = (await Rows("SELECT typeof(i), typeof(r), typeof(t), typeof(b) FROM corpus WHERE id = 10"))[0];
        Assert.Equal(["integer", "real", "text", "blob"], types);

        // Rows 1-6 and 10-12 went as import chunks; 7-8 (infinities: no SQL literal) and 9 (1.5 MB) through /query, bound, in order.
        Assert.Contains(report.VerboseLines, l => l.Contains("corpus: through D1's import API (-Method Import: the run creates the table)", StringComparison.Ordinal));
        var landed = report.VerboseLines.Where(l => l.Contains("corpus: chunk", StringComparison.Ordinal) && l.Contains("landed", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, landed.Count);
        Assert.Contains("6 rows", landed[0], StringComparison.Ordinal);
        Assert.Contains("3 rows", landed[1], StringComparison.Ordinal);
        Assert.True(Count("/import") >= 4, "two chunks: init and ingest each");
        // The journal: chunk, /query batch(es), chunk, in row order, each batch row once.
        var batches = await Rows("SELECT batch_number, first_key, last_key, rows_written FROM d1_migration_batches ORDER BY batch_number");
        Assert.Equal(3, batches.Count);
        Assert.Equal([1L, "id=1", "id=6", 6L], batches[0]);
        Assert.Equal([2L, "id=7", "id=9", 3L], batches[1]);
        Assert.Equal([3L, "id=10", "id=12", 3L], batches[2]);
        var run = Assert.Single(Database().GetRuns());
        Assert.Equal((RunStatus.Completed, 12L), (run.State, run.RowsWritten));
    }

    static List<Row> Items(int n, out TableSchema schema)
    {
        var s = D1("items", [Col("id", D1Type.Integer, false), Col("t", D1Type.Text), Col("r", D1Type.Real)], 0);
        schema = s;
        return [.. Enumerable.Range(1, n).Select(i => R(s, (long)i, "item " + i + " 😀", i / 7.0))];
    }

    async Task AssertEachRowOnce(int n, int chunks)
    {
        var counts = (await Rows("SELECT count(*), count(DISTINCT id), min(id), max(id), sum(id) FROM items"))[0];
        Assert.Equal([(long)n, (long)n, 1L, (long)n, (long)n * (n + 1) / 2], counts);
        var batches = await Rows("SELECT count(*), count(DISTINCT batch_number), sum(rows_written) FROM d1_migration_batches WHERE table_name = 'items'");
        Assert.Equal([(long)chunks, (long)chunks, (long)n], batches[0]);
    }

    [Fact]
    public async Task Lost_answers_of_ingest_init_and_polls_never_apply_a_chunk_twice()
    {
        var rows = Items(300, out _);
        Server.SetFaults(new
        {
            // Every ingest answers "active" and the first poll finishes: the poll loop is exercised.
            import_polls = 1,
            rules = new object[]
            {
                // Chunk 1's ingest commits and its answer is lost: the journal row proves it landed.
                new { kind = "reset_after_commit", route = "import", skip = 1, count = 1 },
                // A later import request fails before it runs (500): the journal row is absent, the chunk goes again.
                new { kind = "internal_error", route = "import", skip = 6, count = 1 },
                // A poll's answer lost twice, a 503 from wrangler dev's proxy: polls are reads, retried.
                new { kind = "reset_after_commit", route = "import", skip = 10, count = 2, mode = "503" },
                new { kind = "reset_after_commit", route = "upload", skip = 3, count = 1 },
            },
        });
        var report = Load(Database(), Options(chunk: 50), rows);
        Server.ClearFaults();
        Assert.Empty(report.Errors);
        Assert.Contains(report.VerboseLines, l => l.Contains("its journal row is there, so it landed and is not sent again", StringComparison.Ordinal));
        Assert.Contains(report.VerboseLines, l => l.Contains("its journal row is not there, so it did not land: sending it again", StringComparison.Ordinal));
        await AssertEachRowOnce(300, 6);
        var run = Assert.Single(Database().GetRuns());
        Assert.Equal((RunStatus.Completed, 300L), (run.State, run.RowsWritten));
    }

    [Fact]
    public async Task A_run_stopped_after_a_lost_answer_resumes_at_the_first_missing_chunk()
    {
        var rows = Items(300, out _);
        var db = Database();
        var first = new Report();
        using (var session = new MigrationSession(db, Options(chunk: 50), first))
        {
            session.Start();
            session.Add(rows[0]); // the table is created (its reads done)
            // Chunk 3's ingest commits, its answer is lost, and the journal can't be read: the run stops there.
            Server.SetFaults(new
            {
                rules = new object[]
                {
                    new { kind = "reset_after_commit", route = "import", skip = 5, count = 1 },
                    new { kind = "internal_error", route = "raw", rate = 1.0 },
                },
            });
            Assert.ThrowsAny<Exception>(() => { foreach (var row in rows.Skip(1)) session.Add(row); session.Complete(); });
            Server.ClearFaults();
            session.Fail("stopped");
        }
        Assert.Equal(100, first.Written); // chunks 1 and 2 reported; chunk 3 landed unreported
        lock (Requests) Requests.Clear();

        // The resumed run gets every row again (a source that does not resume exactly).
        var resumed = Load(Database(), Options(chunk: 50, resume: true), rows);
        Assert.Equal(150, resumed.Written);
        // Chunks 1-3 were found by key and not sent; chunks 4-6 were: 3 imports (init + ingest each).
        Assert.Equal(3, resumed.VerboseLines.Count(l => l.Contains("committed by an earlier attempt", StringComparison.Ordinal)));
        Assert.Equal(3, resumed.VerboseLines.Count(l => l.Contains("landed:", StringComparison.Ordinal)));
        Assert.Equal(6, Count("/import"));
        await AssertEachRowOnce(300, 6);
        var run = Assert.Single(Database().GetRuns());
        Assert.Equal((RunStatus.Completed, 2, 300L), (run.State, run.Attempts, run.RowsWritten));
    }

    [Fact]
    public async Task Method_Import_into_a_table_with_rows_is_refused_naming_it_and_Auto_takes_query_there()
    {
        var rows = Items(30, out var schema);
        var client = Client();
        await client.QueryBatchAsync([new D1Statement(D1Ddl.CreateTable(schema)), new D1Statement("INSERT INTO items (id, t, r) VALUES (1000, 'there before', 0.5)")], RetrySafety.Write);

        var refused = Assert.ThrowsAny<ArgumentException>(() => Load(Database(), Options(D1WriteMethod.Import), rows));
        Assert.Contains("Table items holds rows that were there before the run", refused.Message, StringComparison.Ordinal);
        Assert.Equal([1L], (await Rows("SELECT count(*) FROM items"))[0]);
        Assert.Equal(0, Count("/import"));

        var auto = Load(Database(), Options(D1WriteMethod.Auto), rows);
        Assert.Contains(auto.VerboseLines, l => l.Contains("items: through /query (the table held rows before the run)", StringComparison.Ordinal));
        Assert.Equal(0, Count("/import"));
        Assert.Equal([31L], (await Rows("SELECT count(*) FROM items"))[0]);
    }

    [Fact]
    public async Task Auto_imports_a_new_table_sends_a_small_tail_through_query_and_takes_query_for_OnConflict()
    {
        var rows = Items(125, out _);
        var report = Load(Database(), Options(D1WriteMethod.Auto, chunk: 50, batch: 30), rows);
        Assert.Contains(report.VerboseLines, l => l.Contains("items: through D1's import API (the run creates the table)", StringComparison.Ordinal));
        // Two chunks of 50 through the import API; the last 25 rows fit one /query request.
        Assert.Equal(2, report.VerboseLines.Count(l => l.Contains("landed:", StringComparison.Ordinal)));
        await AssertEachRowOnce(125, 3);
        Assert.Contains(report.VerboseLines, l => l.StartsWith("Done: 125 rows in", StringComparison.Ordinal) && l.Contains("2 import chunks", StringComparison.Ordinal));

        var ignore = Load(Database(), Options(D1WriteMethod.Auto, mode: OnConflict.Ignore), rows);
        Assert.Contains(ignore.VerboseLines, l => l.Contains("items: through /query (-OnConflict Ignore works against the rows already there)", StringComparison.Ordinal));
        Assert.StartsWith("-Method Import cannot go with -OnConflict Ignore", RemoteD1Target.MethodProblem(D1WriteMethod.Import, OnConflict.Ignore));
        Assert.Null(RemoteD1Target.MethodProblem(D1WriteMethod.Auto, OnConflict.Ignore));
    }

    [Fact]
    public void Progress_reports_rows_requests_bytes_rate_and_the_imports_own_poll_messages_to_the_observer()
    {
        var s = D1("prog", [Col("id", D1Type.Integer, false), Col("t", D1Type.Text)], 0);
        var rows = Enumerable.Range(1, 120).Select(i => R(s, (long)i, "row " + i)).ToList();
        var report = Load(Database(), Options(chunk: 50), rows);
        Assert.Equal(120, report.Written);

        var progress = report.Progress;
        Assert.True(progress.Count >= 3, $"one event per chunk at least, got {progress.Count}");
        // Running totals: never going back, ending at every row, the requests and bytes the client counted.
        for (var i = 1; i < progress.Count; i++)
        {
            Assert.True(progress[i].RowsWritten >= progress[i - 1].RowsWritten);
            Assert.True(progress[i].Requests >= progress[i - 1].Requests);
            Assert.True(progress[i].BytesSent >= progress[i - 1].BytesSent);
        }
        Assert.Equal(120, progress[^1].RowsWritten);
        Assert.True(progress[^1].BytesSent > 120 * 5);
        Assert.True(progress[^1].RowsPerSecond > 0);
        lock (Requests) Assert.True(progress[^1].Requests <= Requests.Count, "the target counts only requests it sent");
        Assert.Contains(progress, p => p.Message is { } m && m.Contains("prog: chunk 1 landed (50 rows)", StringComparison.Ordinal));
        // D1's own import messages (its polls), as they came.
        Assert.Contains(progress, p => p.Message is { } m && m.Contains("prog: chunk 1: D1: ", StringComparison.Ordinal));
        Assert.Contains("rows written", progress[^1].ToString(), StringComparison.Ordinal);
        Assert.Contains("MB sent", progress[^1].ToString(), StringComparison.Ordinal);
    }
}

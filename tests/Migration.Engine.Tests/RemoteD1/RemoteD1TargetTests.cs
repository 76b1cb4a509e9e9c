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

/// <summary>The remote D1 target against the API test server (a real local D1 under wrangler dev).</summary>
[Collection(CloudflareApiServer.Collection)]
public sealed class RemoteD1TargetTests(CloudflareApiServer server) : RemoteD1TestBase(server)
{

    internal static readonly string Big = string.Concat(Enumerable.Repeat("0123456789abcdé😀\0\r\n", 1_500_000 / 20));

    /// <summary>The fidelity corpus: every storage class at its edges, as the local target's tests use.</summary>
    internal static (TableSchema Schema, List<Row> Rows) Corpus()
    {
        var s = D1("corpus", [Col("id", D1Type.Integer, false), Col("i", D1Type.Integer), Col("r", D1Type.Real), Col("t", D1Type.Text), Col("b", D1Type.Blob)], 0);
        var rows = new List<Row>
        {
            R(s, 1L, null, null, null, null),
            R(s, 2L, 0L, 0.0, "", Array.Empty<byte>()),
            R(s, 3L, long.MinValue, -1.5e-300, "\\N", new byte[] { 0, 255, 16 }),
            R(s, 4L, long.MaxValue, 1.7976931348623157e308, "line1\r\nline2\ttab\n\0NUL", new byte[] { 0 }),
            R(s, 5L, 9_007_199_254_740_993L, 0.1, "👩‍💻 ünïcode 'quote' \"dq\" $run ?1 {0}", new byte[] { 1, 2, 3 }),
            R(s, 6L, -9_007_199_254_740_993L, 3.0, "true", null),
            R(s, 7L, 1L, double.PositiveInfinity, "false", null),
            R(s, 8L, -1L, double.NegativeInfinity, "NULL", null),
            R(s, 9L, 2L, 5e-324, Big, Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray()),
        };
        return (s, rows);
    }

    /// <summary>Reads a table back through /raw with the exact projection, by id.</summary>
    async Task<Dictionary<long, object?[]>> ReadBack(string table, IReadOnlyList<string> columns)
    {
        var db = Api.D1(Server.DatabaseUuids[CloudflareApiServer.Database]);
        var sql = $"SELECT {string.Join(", ", columns.Select(D1ExactRead.Column))} FROM {SqlQuote.Identifier(table)} ORDER BY 1";
        var result = await db.RawAsync(new D1Statement(sql));
        return result[0].DecodeRows(exactProjection: true).ToDictionary(r => (long)r[0]!, r => r);
    }

    // These tests are about the /query path (RemoteD1ImportTests covers the import path).
    static SessionOptions Options(OnConflict mode = OnConflict.Abort, int batch = 4, bool resume = false) => new()
    {
        Import = new ImportOptions { BatchSize = batch, OnConflict = mode, Method = D1WriteMethod.Query },
        Resume = resume,
    };

    [Fact]
    public async Task Every_value_of_the_fidelity_corpus_arrives_exactly_through_the_query_path()
    {
        var (schema, rows) = Corpus();
        var report = Load(Database(), Options(), rows);
        Assert.Empty(report.Errors);
        Assert.Equal(rows.Count, report.Written);

        var back = await ReadBack("corpus", [.. schema.Columns.Select(c => c.Name)]);
        Assert.Equal(rows.Count, back.Count);
        foreach (var row in rows)
        {
            var got = back[(long)row.GetValue(0)!];
            for (var c = 0; c < schema.Columns.Count; c++)
            {
                var sent = row.GetValue(c);
                Assert.True(Same(sent, got[c]), $"row {row.GetValue(0)} column {schema.Columns[c].Name}: sent {Show(sent)}, read {Show(got[c])}");
            }
        }
        // The storage classes too: 3.0 stays REAL, a 64-bit integer stays INTEGER, 'true' stays TEXT.
        var db = Api.D1(Server.DatabaseUuids[CloudflareApiServer.Database]);
        var types = (await db.RawAsync(new D1Statement("SELECT typeof(i), typeof(r), typeof(t) FROM corpus WHERE id = 6")))[0].DecodeRows(false)[0];
        Assert.Equal(["integer", "real", "text"], types);
    }

    internal static bool Same(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (byte[] x, byte[] y) => x.AsSpan().SequenceEqual(y),
        (double x, double y) => BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits(y),
        _ => Equals(a, b),
    };

    internal static string Show(object? v) => v switch { null => "NULL", string s => $"text({s.Length})", byte[] b => $"blob({b.Length})", _ => $"{v.GetType().Name}:{v}" };

    [Fact]
    public async Task A_dry_run_counts_what_each_conflict_mode_would_do_from_reads_only_and_writes_nothing()
    {
        var db = Database();
        using (var j = db.Journal()) j.Write(s => s.Execute("CREATE TABLE books (isbn TEXT PRIMARY KEY, title TEXT NOT NULL)"));
        using (var j = db.Journal()) j.Write(s => s.Execute("INSERT INTO books VALUES ('1', 'one'), ('2', 'two')"));
        var s = D1("books", [Col("isbn", D1Type.Text, false), Col("title", D1Type.Text)], 0);
        var rows = Enumerable.Range(1, 5).Select(i => R(s, i.ToString(System.Globalization.CultureInfo.InvariantCulture), "t" + i)).ToList();
        var dry = new SessionOptions { Import = new ImportOptions { BatchSize = 2, DryRun = true } };
        lock (Requests) Requests.Clear();

        var upsert = Load(db, dry with { Import = dry.Import with { OnConflict = OnConflict.Upsert } }, rows);
        Assert.Equal((5L, 0L), (upsert.Written, upsert.Skipped)); // two updates, three inserts
        var ignore = Load(db, dry with { Import = dry.Import with { OnConflict = OnConflict.Ignore } }, rows);
        Assert.Equal((3L, 2L), (ignore.Written, ignore.Skipped));
        var abort = Load(db, dry with { Import = dry.Import with { OnConflict = OnConflict.Abort } }, rows);
        Assert.Equal(3L, abort.Written);
        Assert.Equal(2, abort.Errors.Count);
        Assert.All(abort.Errors, e => Assert.Contains("dry run: a row with this key already exists", e.Reason, StringComparison.Ordinal));
        // A table it would create: every row counted, nothing created.
        var t = D1("new_table", [Col("id", D1Type.Integer, false)], 0);
        var created = Load(db, dry, [R(t, 1L), R(t, 2L)]);
        Assert.Equal(2L, created.Written);

        lock (Requests) Assert.All(Requests, r => Assert.DoesNotContain("/query", r.Operation, StringComparison.Ordinal)); // reads (/raw) only
        Assert.Empty(db.GetRuns());
        var db2 = Api.D1(Server.DatabaseUuids[CloudflareApiServer.Database]);
        Assert.Equal(2L, (await db2.RawAsync(new D1Statement("SELECT count(*) FROM books")))[0].DecodeRows(false)[0][0]);
        Assert.Empty((await db2.RawAsync(new D1Statement("SELECT name FROM sqlite_schema WHERE name = 'new_table'")))[0].DecodeRows(false));
    }

    [Fact]
    public async Task A_refused_row_fails_its_request_and_is_found_quarantined_and_the_rest_of_the_batch_commits()
    {
        var db = Database();
        using (var j = db.Journal()) j.Write(s => s.Execute("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER CHECK (age >= 0))"));
        var s = D1("people", [Col("id", D1Type.Integer, false), Col("name", D1Type.Text), Col("age", D1Type.Integer)], 0);
        var rows = Enumerable.Range(1, 40).Select(i => R(s, (long)i, "p" + i, i == 17 ? -5L : (long)i)).ToList();
        var report = Load(db, Options(batch: 40), rows);

        var error = Assert.Single(report.Errors);
        Assert.Equal("people", error.Table);
        Assert.Contains("17", error.Key, StringComparison.Ordinal);
        Assert.Contains("CHECK", error.Reason, StringComparison.Ordinal);
        Assert.Equal(39, report.Written);
        var back = await ReadBack("people", ["id", "name", "age"]);
        Assert.Equal(39, back.Count);
        Assert.DoesNotContain(17L, back.Keys);
        var run = Assert.Single(db.GetRuns());
        Assert.Equal(RunStatus.Completed, run.State);
        var q = Assert.Single(db.GetQuarantine(run.RunId));
        Assert.Equal(("people", error.Key), (q.Table, q.Key));
        Assert.Equal(39, run.RowsWritten);
    }

    [Fact]
    public async Task A_key_twice_in_one_batch_keeps_the_first_row_and_quarantines_the_later_one_as_locally()
    {
        var db = Database();
        var s = D1("dups", [Col("id", D1Type.Integer, false), Col("name", D1Type.Text)], 0);
        // Rows 1..12 in one batch, with key 5 coming again at position 9: each row alone passes,
        // only the pair clashes, so bisection finds no single bad row.
        var rows = Enumerable.Range(1, 12).Select(i => R(s, (long)(i == 9 ? 5 : i), i == 9 ? "second five" : "p" + i)).ToList();
        var report = Load(db, Options(batch: 12), rows);

        var error = Assert.Single(report.Errors);
        Assert.True(("dups", "id") == (error.Table, error.Column), error.Reason);
        Assert.Equal("5", error.ValueExcerpt);
        Assert.Contains("5", error.Key, StringComparison.Ordinal);
        Assert.Contains("UNIQUE", error.Reason, StringComparison.Ordinal);
        Assert.Equal(11, report.Written);
        var back = await ReadBack("dups", ["id", "name"]);
        Assert.Equal(11, back.Count);
        Assert.Equal("p5", back[5][1]); // the first of the two is the one kept
        Assert.DoesNotContain(9L, back.Keys);
        var run = Assert.Single(db.GetRuns());
        Assert.Equal((RunStatus.Completed, 11L), (run.State, run.RowsWritten));
        var q = Assert.Single(db.GetQuarantine(run.RunId));
        Assert.Equal(("dups", error.Key), (q.Table, q.Key));
    }

    [Theory]
    [InlineData(OnConflict.Ignore)]
    [InlineData(OnConflict.Replace)]
    [InlineData(OnConflict.Upsert)]
    public async Task OnConflict_modes_behave_as_locally(OnConflict mode)
    {
        var db = Database();
        using (var j = db.Journal()) j.Write(s =>
        {
            s.Execute("CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT, w TEXT)");
            s.Execute("INSERT INTO kv VALUES (1, 'old', 'keep'), (2, 'old', 'keep')");
        });
        var s = D1("kv", [Col("k", D1Type.Integer, false), Col("v", D1Type.Text)], 0);
        var report = Load(db, Options(mode), [R(s, 1L, "new"), R(s, 3L, "new")]);
        Assert.Empty(report.Errors);
        var back = await ReadBack("kv", ["k", "v", "w"]);
        Assert.Equal(3, back.Count);
        Assert.Equal(mode == OnConflict.Ignore ? "old" : "new", back[1][1]);
        // Replace deletes the old row (w is lost, as SQLite's REPLACE does); Upsert updates v only.
        Assert.Equal(mode == OnConflict.Replace ? null : "keep", back[1][2]);
        Assert.Equal(mode == OnConflict.Ignore ? 1 : 0, report.Skipped);
        Assert.Equal(mode == OnConflict.Ignore ? 1 : 2, report.Written);
    }

    [Fact]
    public async Task Statements_are_filled_to_100_parameters_and_one_batch_is_one_request()
    {
        var db = Database();
        var s = D1("wide", [.. Enumerable.Range(0, 10).Select(i => Col("c" + i, D1Type.Integer, i > 0))], 0);
        var rows = Enumerable.Range(1, 1000).Select(i => R(s, [.. Enumerable.Range(0, 10).Select(c => (object?)(long)(i * 10 + c))])).ToList();
        lock (Requests) Requests.Clear();
        var report = Load(db, Options(batch: 1000), rows);
        Assert.Equal(1000, report.Written);
        var back = await ReadBack("wide", ["c0", "c9"]);
        Assert.Equal(1000, back.Count);
        List<CloudflareRequestInfo> queries;
        lock (Requests) queries = [.. Requests.Where(r => r.Operation.EndsWith("/query", StringComparison.Ordinal))];
        // The journal's tables, the run's row, CREATE TABLE, the ONE batch (100 INSERTs of 10 rows,
        // 100 parameters each, + the journal's statements), the run's end.
        Assert.Equal(5, queries.Count);
    }

    [Fact]
    public async Task Injected_faults_of_every_kind_give_the_same_table_as_a_clean_load_with_no_duplicates()
    {
        var s = D1("items", [Col("id", D1Type.Integer, false), Col("t", D1Type.Text), Col("r", D1Type.Real)], 0);
        var rows = Enumerable.Range(1, 600).Select(i => R(s, (long)i, "item " + i + " 😀", i / 7.0)).ToList();
        var db = Database();
        Server.SetFaults(new
        {
            seed = 7,
            rules = new object[]
            {
                new { kind = "rate_limit", route = "query", rate = 0.1, retry_after = 1 },
                new { kind = "internal_error", route = "query", rate = 0.1 },
                new { kind = "reset_after_commit", route = "query", rate = 0.1 },
                new { kind = "reset_after_commit", route = "query", rate = 0.05, mode = "503" },
                new { kind = "reset_after_commit", route = "query", rate = 0.05, mode = "500" },
                new { kind = "internal_error", route = "raw", rate = 0.1 },
            },
        });
        var report = Load(db, Options(batch: 25), rows);
        Server.ClearFaults();
        Assert.Empty(report.Errors);
        // The faults fired: answers were lost after commits (proven by the journal row, not re-sent)
        // and before them (re-sent once the journal row proved the batch was not in).
        Assert.Contains(report.VerboseLines, l => l.Contains("its journal row is there", StringComparison.Ordinal));

        var back = await ReadBack("items", ["id", "t", "r"]);
        Assert.Equal(600, back.Count);
        foreach (var row in rows)
        {
            var got = back[(long)row.GetValue(0)!];
            Assert.Equal(row.GetValue(1), got[1]);
            Assert.Equal(row.GetValue(2), got[2]);
        }
        var run = Assert.Single(db.GetRuns());
        Assert.Equal(RunStatus.Completed, run.State);
        Assert.Equal(600, run.RowsWritten);
        Assert.Equal(24, Assert.Single(run.TableProgress).Batches);
    }

    [Fact]
    public async Task A_run_stopped_midway_resumes_and_writes_each_row_exactly_once()
    {
        var s = D1("seq", [Col("id", D1Type.Integer, false), Col("v", D1Type.Text)], 0);
        var rows = Enumerable.Range(1, 100).Select(i => R(s, (long)i, "v" + i)).ToList();
        var db = Database();
        var report = new Report();
        using (var session = new MigrationSession(db, Options(batch: 10), report))
        {
            session.Start();
            foreach (var row in rows.Take(45)) session.Add(row);
            session.Fail("stopped");
        }
        Assert.Equal(40, report.Written);
        // The resumed run gets every row again (a source that does not resume exactly): the 40 committed are not sent again.
        var resumed = Load(db, Options(batch: 10, resume: true), rows);
        Assert.Equal(60, resumed.Written);
        var back = await ReadBack("seq", ["id", "v"]);
        Assert.Equal(100, back.Count);
        var run = Assert.Single(db.GetRuns());
        Assert.Equal((RunStatus.Completed, 2, 100L), (run.State, run.Attempts, run.RowsWritten));
    }
}

using Migration.Engine.Journal;
using Migration.Engine.Schema;
using Migration.Engine.Session;
using Migration.Engine.Target;
using Migration.Engine.Target.RemoteD1;
using Migration.Engine.Target.Sqlite;
using Migration.Engine.Tests.Infrastructure;
using Migration.Engine.Tests.Target;
using Xunit;
using static Migration.Engine.Tests.Target.TargetTestSupport;

namespace Migration.Engine.Tests.RemoteD1;

/// <summary>
/// -OnConflict Ignore/Upsert/Replace through /query into tables that already hold some of the
/// keys: the journal (batches, tables, run) counts what D1 did, not what was sent, equal to the
/// run's summary, to the rows in the table and to what a local file's journal records for the
/// same load, against the API test server.
/// </summary>
[Collection(CloudflareApiServer.Collection)]
public sealed class RemoteD1ConflictCountTests(CloudflareApiServer server) : RemoteD1TestBase(server)
{
    /// <summary>Two columns: 50 rows per INSERT, so a batch of 120 is three INSERTs in one request.</summary>
    static SessionOptions Options(OnConflict mode) => new()
    {
        Import = new ImportOptions { BatchSize = 120, OnConflict = mode, Method = D1WriteMethod.Query },
    };

    /// <summary>The table, already holding the even keys 2..200 (<c>v</c> as the load sends it).</summary>
    static string[] Setup(bool everyColumnIsKey) =>
    [
        everyColumnIsKey ? "CREATE TABLE kv (k INTEGER NOT NULL, v TEXT NOT NULL, PRIMARY KEY (k, v))" : "CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT)",
        "WITH RECURSIVE n(k) AS (SELECT 2 UNION ALL SELECT k + 2 FROM n WHERE k < 200) INSERT INTO kv SELECT k, 'v' || k FROM n",
    ];

    /// <summary>
    /// Keys 1..300 (100 of them there already) and 301 twice, into kv; keys 1..60 with 30 twice
    /// into fresh, a table the run creates (so its batches are not logged for undo).
    /// </summary>
    static List<Row> Input(bool everyColumnIsKey)
    {
        int[] key = everyColumnIsKey ? [0, 1] : [0];
        var kv = D1("kv", [Col("k", D1Type.Integer, false), Col("v", D1Type.Text, false)], key);
        var fresh = D1("fresh", [Col("k", D1Type.Integer, false), Col("v", D1Type.Text, false)], key);
        return
        [
            .. Enumerable.Range(1, 300).Select(k => R(kv, (long)k, "v" + k)), R(kv, 301L, "v301"), R(kv, 301L, "v301"),
            .. Enumerable.Range(1, 60).Select(k => R(fresh, (long)k, "v" + k)), R(fresh, 30L, "v30"),
        ];
    }

    [Theory]
    [InlineData(OnConflict.Ignore, false)]
    [InlineData(OnConflict.Upsert, false)]
    [InlineData(OnConflict.Upsert, true)] // every column is key: DO NOTHING, as Ignore
    [InlineData(OnConflict.Replace, false)]
    public async Task Journal_counts_equal_the_summary_the_table_and_the_local_journal(OnConflict mode, bool everyColumnIsKey)
    {
        var db = Database();
        using (var j = db.Journal()) j.Write(s => { foreach (var sql in Setup(everyColumnIsKey)) s.Execute(sql); });
        var report = Load(db, Options(mode), Input(everyColumnIsKey));
        Assert.Empty(report.Errors);

        // The same load into a local file holding the same rows.
        using var dir = new TempDirectory();
        var path = dir.File("local.sqlite");
        foreach (var sql in Setup(everyColumnIsKey)) Exec(path, sql);
        var local = Load(new LocalD1Database(path), Options(mode), Input(everyColumnIsKey));
        Assert.Empty(local.Errors);

        var run = Assert.Single(db.GetRuns());
        var localRun = Assert.Single(MigrationJournal.GetRuns(path));
        // D1 leaves a row as it was under Ignore and under an Upsert whose key is every column: skipped, not written.
        var leaves = mode == OnConflict.Ignore || everyColumnIsKey;
        (long Written, long Skipped) kvExpected = leaves ? (201, 101) : (302, 0), freshExpected = leaves ? (60, 1) : (61, 0);
        Assert.Equal(kvExpected, Counts(run, "kv"));
        Assert.Equal(freshExpected, Counts(run, "fresh"));
        Assert.Equal((run.RowsWritten, run.RowsSkipped), (report.Written, report.Skipped));
        Assert.Equal((kvExpected.Written + freshExpected.Written, kvExpected.Skipped + freshExpected.Skipped), (run.RowsWritten, run.RowsSkipped));
        // As the local journal records the same load, table by table.
        Assert.Equal(Counts(localRun, "kv"), Counts(run, "kv"));
        Assert.Equal(Counts(localRun, "fresh"), Counts(run, "fresh"));
        Assert.Equal((localRun.RowsWritten, localRun.RowsSkipped), (run.RowsWritten, run.RowsSkipped));
        Assert.Equal((local.Written, local.Skipped), (report.Written, report.Skipped));

        // The batches' journal rows add up to their table's.
        foreach (var table in new[] { "kv", "fresh" })
        {
            var sums = (await Rows($"SELECT sum(rows_written), sum(rows_skipped), count(*) FROM d1_migration_batches WHERE run_id = {run.RunId} AND table_name = '{table}'"))[0];
            Assert.Equal(Counts(run, table), ((long)sums[0]!, (long)sums[1]!));
            Assert.Equal((long)run.TableProgress.Single(p => p.Table == table).Batches, (long)sums[2]!);
        }

        // The tables: what is there now is the rows before (kv: 100) and those written, less those a later row replaced or updated.
        var kvAfter = (long)(await Rows("SELECT count(*) FROM kv"))[0][0]!;
        var freshAfter = (long)(await Rows("SELECT count(*) FROM fresh"))[0][0]!;
        Assert.Equal((301L, 60L), (kvAfter, freshAfter));
        Assert.Equal(TargetTestSupport.Rows(path, "SELECT count(*) FROM kv")[0][0], kvAfter);
        // Where D1 only inserts or leaves rows, what is written is exactly the rows added.
        if (leaves) Assert.Equal((kvAfter - 100, freshAfter), (Counts(run, "kv").Written, Counts(run, "fresh").Written));
    }

    [Fact]
    public async Task A_batch_whose_answer_was_lost_counts_what_its_journal_row_says_D1_did()
    {
        var db = Database();
        using (var j = db.Journal()) j.Write(s => { foreach (var sql in Setup(everyColumnIsKey: false)) s.Execute(sql); });
        // The answers of /query requests are lost after they commit (the batches' among them): their journal rows prove them.
        Server.SetFaults(new { rules = new object[] { new { kind = "reset_after_commit", route = "query", skip = 3, count = 3 } } });
        var report = Load(db, Options(OnConflict.Ignore), Input(everyColumnIsKey: false).Where(r => r.GetSchema().Name == "kv"));
        Server.ClearFaults();
        Assert.Empty(report.Errors);
        // A batch of kv lost its answer after it committed, and its journal row proved it.
        Assert.Contains(report.VerboseLines, l => l.StartsWith("Batch ", StringComparison.Ordinal) && l.Contains(" of kv: the answer was lost", StringComparison.Ordinal)
            && l.Contains("its journal row is there", StringComparison.Ordinal));
        var run = Assert.Single(db.GetRuns());
        Assert.Equal((201L, 101L), Counts(run, "kv"));
        Assert.Equal((201L, 101L), (report.Written, report.Skipped));
        Assert.Equal(301L, (await Rows("SELECT count(*) FROM kv"))[0][0]);
    }

    [Fact]
    public async Task Upsert_on_a_key_the_remote_table_does_not_hold_unique_is_refused_once_and_one_it_does_hold_works()
    {
        // kc's key is its rowid (id); the rows' key is code, which no UNIQUE constraint covers: D1
        // would refuse every row (one by one, as a batch is bisected). The table is refused once,
        // before any of it is sent; the next table loads.
        var db = Database();
        using (var j = db.Journal()) j.Write(s => { s.Execute("CREATE TABLE kc (id INTEGER PRIMARY KEY, code TEXT NOT NULL, v TEXT)"); s.Execute("INSERT INTO kc (code, v) VALUES ('a', 'old')"); });
        var schema = D1("kc", [Col("code", D1Type.Text, false), Col("v", D1Type.Text)], 0);
        var other = D1("other_codes", [Col("code", D1Type.Text, false)], 0);
        var refused = Load(db, Options(OnConflict.Upsert), [.. Enumerable.Range(0, 300).Select(i => R(schema, "k" + i, "v")), R(other, "z")]);
        var refusal = Assert.Single(refused.Refused);
        Assert.Equal("kc", refusal.Table);
        Assert.Contains("no PRIMARY KEY or UNIQUE constraint on exactly those columns (its keys: (id))", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(["OnConflict"], refusal.FixParameters);
        Assert.Empty(refused.Errors); // no row was sent to be refused one by one
        Assert.Equal([["a", "old"]], (await Rows("SELECT code, v FROM kc")).Select(r => r.Select(v => (string)v!).ToArray()));
        Assert.Equal(1L, (await Rows("SELECT count(*) FROM other_codes"))[0][0]);
        var run = db.GetRuns().Last();
        Assert.Equal("completed with refused tables: kc (300 rows not written)", run.Message);

        // A unique index on exactly code (read through the API with the table's columns): the same upsert updates in place.
        using (var j = db.Journal()) j.Write(s => s.Execute("CREATE UNIQUE INDEX kc_code ON kc (code)"));
        var report = Load(db, Options(OnConflict.Upsert), [R(schema, "a", "new"), R(schema, "b", "added")]);
        Assert.Empty(report.Errors);
        Assert.Empty(report.Refused);
        Assert.Equal([["1", "a", "new"], ["2", "b", "added"]], (await Rows("SELECT id, code, v FROM kc ORDER BY id")).Select(r => r.Select(v => System.Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!).ToArray()));
    }

    static (long Written, long Skipped) Counts(MigrationRunInfo run, string table)
    {
        var p = run.TableProgress.Single(t => t.Table == table);
        return (p.RowsWritten, p.RowsSkipped);
    }
}

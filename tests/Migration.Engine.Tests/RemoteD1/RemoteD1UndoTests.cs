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
/// Row-level undo of a remote run into tables that held rows (issue 11): the batch's own request
/// logs what the run changes, and undo puts every row back exactly, against the API test server.
/// </summary>
[Collection(CloudflareApiServer.Collection)]
public sealed class RemoteD1UndoTests(CloudflareApiServer server) : RemoteD1TestBase(server)
{
    static Report Load(ITargetDatabase database, OnConflict mode, IEnumerable<Row> rows) =>
        Load(database, new SessionOptions { Import = new ImportOptions { BatchSize = 2, OnConflict = mode } }, rows);

    static readonly string Big = string.Concat(Enumerable.Repeat("é😀\0\r\n'x", 20_000));

    [Theory]
    [InlineData(OnConflict.Abort)]
    [InlineData(OnConflict.Replace)]
    [InlineData(OnConflict.Upsert)]
    [InlineData(OnConflict.Ignore)]
    public async Task Undo_puts_back_every_row_of_tables_that_held_rows_exactly(OnConflict mode)
    {
        var db = Database();
        using (var j = db.Journal()) j.Write(s =>
        {
            s.Execute("CREATE TABLE kv (k INTEGER PRIMARY KEY, u TEXT UNIQUE, r REAL, b BLOB, big INTEGER)");
            s.Execute("CREATE TABLE child (id INTEGER PRIMARY KEY, k INTEGER REFERENCES kv (k) ON DELETE CASCADE, note TEXT)");
            s.Execute("INSERT INTO kv VALUES (1, 'a', 0.1, x'00ff10', 9007199254740993), (2, 'b', 1.7976931348623157e308, NULL, -9007199254740993), " +
                "(3, 'c', 9e999, x'', 0), (4, 'd', 5e-324, NULL, NULL)");
            s.Execute("INSERT INTO child VALUES (10, 1, 'of a'), (11, 2, 'of b'), (12, 4, 'of d')");
            s.Execute("UPDATE kv SET u = $t WHERE k = 3", ("$t", Big));
        });
        var kvBefore = await Fingerprint("kv", "k", "u", "r", "b", "big");
        var childBefore = await Fingerprint("child", "id", "k", "note");

        var s = D1("kv", [Col("k", D1Type.Integer, false), Col("u", D1Type.Text), Col("r", D1Type.Real), Col("b", D1Type.Blob), Col("big", D1Type.Integer)], 0);
        List<Row> rows = mode == OnConflict.Abort
            // Plain INSERT: new keys only (a key already there would be refused up front).
            ? [R(s, 5L, "e", 2.5, new byte[] { 1 }, long.MaxValue), R(s, 6L, "f", null, null, long.MinValue), R(s, 7L, "g", -0.5, null, 1L)]
            // 1 replaces or updates an old row; 9 clashes with row 2 on the UNIQUE column u (REPLACE deletes row 2 and, by cascade, its child);
            // 5 and 6 are new; 4 comes back unchanged.
            : [R(s, 1L, "a2", 3.25, new byte[] { 9 }, 1L), R(s, 9L, mode == OnConflict.Upsert ? "i" : "b", 1.5, null, 2L), R(s, 5L, "e", 2.5, null, 3L),
                R(s, 6L, "f", null, null, 4L), R(s, 4L, "d", 5e-324, null, null)];
        var report = Load(db, mode, rows);
        Assert.Empty(report.Errors);
        Assert.NotEqual(kvBefore, await Fingerprint("kv", "k", "u", "r", "b", "big"));

        var run = db.GetRuns()[^1];
        var plan = db.Undo.Plan(run.RunId);
        Assert.Empty(plan.Blockers);
        var kvAction = Assert.Single(plan.Actions, a => a.Table == "kv");
        Assert.True(kvAction.RowsToDelete > 0, "the plan counts the rows the run inserted");
        // REPLACE deletes rows 1, 4 (replaced by key) and 2 (clashing on u): their children cascade, and the log has them.
        if (mode == OnConflict.Replace) Assert.Contains(plan.Actions, a => a.Table == "child" && a.RowsToRestore == 3);

        db.Undo.Undo(run.RunId);
        Assert.Equal(kvBefore, await Fingerprint("kv", "k", "u", "r", "b", "big"));
        Assert.Equal(childBefore, await Fingerprint("child", "id", "k", "note"));
        Assert.Equal(RunStatus.Undone, db.GetRuns()[^1].State);
        using var journal = db.Journal();
        Assert.Equal(0L, journal.Query("SELECT count(*) FROM d1_migration_undo")[0][0]);
        // The triggers lived inside the batches' requests only.
        Assert.Equal(0L, journal.Query("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'")[0][0]);
    }

    [Fact]
    public void A_table_the_run_found_empty_or_created_that_holds_rows_added_since_blocks_the_undo_unless_forced()
    {
        var db = Database();
        using (var j = db.Journal()) j.Write(s => s.Execute("CREATE TABLE found (k INTEGER PRIMARY KEY, v TEXT)"));
        var found = D1("found", [Col("k", D1Type.Integer, false), Col("v", D1Type.Text)], 0);
        var made = D1("made", [Col("k", D1Type.Integer, false), Col("v", D1Type.Text)], 0);
        var report = Load(db, OnConflict.Abort, [R(found, 1L, "a"), R(found, 2L, "b"), R(made, 1L, "x")]);
        Assert.Empty(report.Errors);
        var run = db.GetRuns()[^1];
        Assert.Empty(db.Undo.Plan(run.RunId).Blockers); // untouched since: nothing blocks

        using (var j = db.Journal()) j.Write(s => { s.Execute("INSERT INTO found VALUES (3, 'someone else')"); s.Execute("INSERT INTO made VALUES (2, 'someone else')"); });
        var plan = db.Undo.Plan(run.RunId);
        Assert.Contains(plan.Blockers, b => b.StartsWith($"found (empty before run {run.RunId}) holds 3 row(s) and the run wrote 2", StringComparison.Ordinal));
        Assert.Contains(plan.Blockers, b => b.StartsWith($"made (created by run {run.RunId}) holds 2 row(s) and the run wrote 1", StringComparison.Ordinal));
        Assert.Throws<InvalidOperationException>(() => db.Undo.Undo(run.RunId));
        using (var j = db.Journal())
        {
            Assert.Equal(3L, j.Query("SELECT count(*) FROM found")[0][0]);
            Assert.Equal(2L, j.Query("SELECT count(*) FROM made")[0][0]);
        }

        db.Undo.Undo(run.RunId, force: true);
        using var after = db.Journal();
        Assert.Equal(0L, after.Query("SELECT count(*) FROM found")[0][0]);
        Assert.Empty(after.Query("SELECT name FROM sqlite_schema WHERE name = 'made'"));
    }

    [Fact]
    public async Task A_table_the_run_found_empty_or_created_whose_rows_were_changed_in_place_since_blocks_the_undo_unless_forced()
    {
        var db = Database();
        using (var j = db.Journal()) j.Write(s => s.Execute("CREATE TABLE found (k INTEGER PRIMARY KEY, v TEXT, n INTEGER)"));
        var found = D1("found", [Col("k", D1Type.Integer, false), Col("v", D1Type.Text), Col("n", D1Type.Integer)], 0);
        var made = D1("made", [Col("k", D1Type.Integer, false), Col("v", D1Type.Text)], 0);
        var report = Load(db, OnConflict.Abort, [R(found, 1L, "a", 9007199254740993L), R(found, 2L, "b", null), R(made, 1L, "x"), R(made, 2L, "y")]);
        Assert.Empty(report.Errors);
        var run = db.GetRuns()[^1];
        Assert.Empty(db.Undo.Plan(run.RunId).Blockers); // untouched since: the content proof holds

        // The app went live: the same number of rows, one value changed in each table (one only by 1, beyond 2^53).
        using (var j = db.Journal()) j.Write(s => { s.Execute("UPDATE found SET n = 9007199254740994 WHERE k = 1"); s.Execute("UPDATE made SET v = 'edited by a user' WHERE k = 2"); });
        var foundBefore = await Fingerprint("found", "k", "v", "n");
        var madeBefore = await Fingerprint("made", "k", "v");
        var plan = db.Undo.Plan(run.RunId);
        Assert.Equal(2, plan.Blockers.Count);
        var foundBlocker = Assert.Single(plan.Blockers, b => b.StartsWith("found ", StringComparison.Ordinal));
        Assert.StartsWith($"found (empty before run {run.RunId}) holds 2 row(s) and the run wrote 2: rows were changed since the run", foundBlocker, StringComparison.Ordinal);
        Assert.EndsWith("(force it to empty the table anyway)", foundBlocker, StringComparison.Ordinal);
        var madeBlocker = Assert.Single(plan.Blockers, b => b.StartsWith("made ", StringComparison.Ordinal));
        Assert.StartsWith($"made (created by run {run.RunId}) holds 2 row(s) and the run wrote 2: rows were changed since the run", madeBlocker, StringComparison.Ordinal);
        Assert.EndsWith("(force it to drop the table anyway)", madeBlocker, StringComparison.Ordinal);
        var refused = Assert.Throws<InvalidOperationException>(() => db.Undo.Undo(run.RunId));
        Assert.StartsWith($"Run {run.RunId} cannot be undone exactly: ", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Server.Token, refused.Message, StringComparison.Ordinal);
        // Refused: nothing changed, the run still stands.
        Assert.Equal(foundBefore, await Fingerprint("found", "k", "v", "n"));
        Assert.Equal(madeBefore, await Fingerprint("made", "k", "v"));
        Assert.Equal(RunStatus.Completed, db.GetRuns()[^1].State);

        // Changed back by hand: the proof holds again (it is the content, not a flag).
        using (var j = db.Journal()) j.Write(s => s.Execute("UPDATE made SET v = 'y' WHERE k = 2"));
        Assert.Single(db.Undo.Plan(run.RunId).Blockers);

        db.Undo.Undo(run.RunId, force: true);
        using var after = db.Journal();
        Assert.Equal(0L, after.Query("SELECT count(*) FROM found")[0][0]);
        Assert.Empty(after.Query("SELECT name FROM sqlite_schema WHERE name = 'made'"));
        Assert.Equal(RunStatus.Undone, db.GetRuns()[^1].State);
    }

    [Fact]
    public async Task Writes_by_others_between_the_run_s_requests_are_not_logged_and_survive_its_undo()
    {
        var db = Database();
        using (var j = db.Journal()) j.Write(s =>
        {
            s.Execute("CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT)");
            s.Execute("INSERT INTO kv VALUES (1, 'old')");
        });
        var s = D1("kv", [Col("k", D1Type.Integer, false), Col("v", D1Type.Text)], 0);
        var report = Load(db, OnConflict.Upsert, [R(s, 1L, "new"), R(s, 2L, "new")]);
        Assert.Equal(2, report.Written);
        using (var j = db.Journal()) j.Write(x => x.Execute("INSERT INTO kv VALUES (3, 'by the app')"));
        using (var j = db.Journal())
            Assert.Equal(0L, j.Query("SELECT count(*) FROM d1_migration_undo WHERE new_rowid = 3")[0][0]);
        db.Undo.Undo(db.GetRuns()[^1].RunId);
        Assert.Equal("2#1=integer:1|text:6F6C64\n3=integer:3|text:62792074686520617070", await Fingerprint("kv", "k", "v"));
    }

    [Fact]
    public void The_text_image_round_trips_every_storage_class()
    {
        object?[] values = [null, 0L, long.MinValue, long.MaxValue, 0.1, double.PositiveInfinity, double.NegativeInfinity, 5e-324, "", "é😀\0,x", Array.Empty<byte>(), new byte[] { 0, 255 }];
        var image = string.Join(",", values.Select(v => v switch
        {
            null => "n",
            long l => "i" + l.ToString(System.Globalization.CultureInfo.InvariantCulture),
            double d when double.IsPositiveInfinity(d) => "rInf",
            double d when double.IsNegativeInfinity(d) => "r-Inf",
            double d => "r" + d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            string t => "t" + System.Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(t)),
            byte[] b => "b" + System.Convert.ToHexString(b),
            _ => throw new InvalidOperationException(),
        }));
        var back = D1UndoLog.Decode(image);
        Assert.Equal(values.Length, back.Length);
        for (var i = 0; i < values.Length; i++)
            Assert.Equal(values[i] is byte[] b ? System.Convert.ToHexString(b) : values[i], back[i] is byte[] c ? System.Convert.ToHexString(c) : back[i]);
        Assert.Throws<InvalidDataException>(() => D1UndoLog.Decode("x12"));
    }
}

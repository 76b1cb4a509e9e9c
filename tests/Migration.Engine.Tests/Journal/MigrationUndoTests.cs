using Migration.Engine.Journal;
using Migration.Engine.Schema;
using Migration.Engine.Target;
using Migration.Engine.Tests.Target;
using Xunit;
using static Migration.Engine.Tests.Target.TargetTestSupport;

namespace Migration.Engine.Tests.Journal;

public sealed class MigrationUndoTests : IDisposable
{
    readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    static readonly TableSchema Users = D1("users",
        [Col("id", D1Type.Integer, false), Col("email", D1Type.Text), Col("score", D1Type.Real), Col("note", D1Type.Text), Col("data", D1Type.Blob)], 0);
    static readonly TableSchema Events = D1("events", [Col("id", D1Type.Integer, false), Col("what", D1Type.Text)], 0);

    /// <summary>An older database: values whose storage class and bits an undo must keep (1.0 vs 1, '' vs NULL, a BLOB), a UNIQUE column, a child table with a cascading foreign key.</summary>
    string Seed()
    {
        var path = _dir.File("target.sqlite");
        Exec(path, """
            CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE, score REAL, note TEXT, data BLOB);
            INSERT INTO users VALUES (1, 'a@x', 1.0, '', x'00ff'), (2, 'b@x', 0.1, NULL, NULL), (3, 'c@x', -0.0, 'keep', x''), (4, 'd@x', 2.5, 'four', NULL);
            CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id) ON DELETE CASCADE, body TEXT);
            INSERT INTO posts VALUES (10, 2, 'by b'), (11, 4, 'by d');
            """);
        return path;
    }

    /// <summary>
    /// New keys, changed existing keys, a row that clashes on email with another id, and a new
    /// table. The first batch (2 rows) has new keys only: under Abort a first batch with keys the
    /// table holds would refuse the whole table (see SqliteTargetConflictTests).
    /// </summary>
    static IEnumerable<Row> RunRows() =>
    [
        R(Users, 5L, "e@x", 5.0, "new", null),
        R(Users, 7L, "g@x", 7.0, "new", null),
        R(Users, 2L, "b@x", 9.0, "changed", new byte[] { 1 }),
        R(Users, 6L, "d@x", 6.0, "clashes with 4 on email", null),
        R(Events, 1L, "one"),
        R(Events, 2L, "two"),
        R(Users, 1L, "a@x", 1.0, "", new byte[] { 0, 255 }),
    ];

    static MigrationRun RunInto(string path, OnConflict mode, IEnumerable<Row> rows, int batchSize = 2) =>
        JournalTestTables.CompleteRun(path, rows, mode, batchSize);

    [Theory]
    [InlineData(OnConflict.Abort)]
    [InlineData(OnConflict.Ignore)]
    [InlineData(OnConflict.Replace)]
    [InlineData(OnConflict.Upsert)]
    public void Undo_returns_a_target_that_had_data_to_exactly_its_content_before_the_run(OnConflict mode)
    {
        var path = Seed();
        var before = DatabaseFingerprint.Of(path);

        var run = RunInto(path, mode, RunRows());
        Assert.NotEqual(before, DatabaseFingerprint.Of(path));
        Assert.Equal(2L, Rows(path, "SELECT count(*) FROM events")[0][0]);

        var plan = MigrationUndo.Plan(path, run.RunId);
        Assert.Contains(plan.Actions, a => a.Table == "events" && a.DropTable);
        Assert.Contains(plan.Actions, a => a.Table == "users" && !a.DropTable && a.RowsToDelete >= 2);
        Assert.Equal(before.Count + 1, DatabaseFingerprint.Of(path).Count); // planning changed nothing

        var done = MigrationUndo.Undo(path, run.RunId);
        Assert.All(done, a => Assert.True(a.Done));
        Assert.Equal(before, DatabaseFingerprint.Of(path));
        Assert.Equal(RunStatus.Undone, MigrationJournal.GetRuns(path, run.RunId).Single().State);

        // Twice is harmless: nothing to do, nothing changes.
        Assert.Empty(MigrationUndo.Undo(path, run.RunId));
        Assert.Equal(before, DatabaseFingerprint.Of(path));
    }

    [Fact]
    public void Replace_that_deletes_a_parent_row_is_undone_with_its_cascaded_children()
    {
        var path = Seed();
        Exec(path, "PRAGMA foreign_keys = ON"); // the target turns them on; the seed had them off
        var before = DatabaseFingerprint.Of(path);

        // id 8 takes user 4's email: REPLACE deletes user 4, and the cascade deletes post 11.
        var run = RunInto(path, OnConflict.Replace, [R(Users, 8L, "d@x", 8.0, null, null)]);
        Assert.Empty(Rows(path, "SELECT * FROM posts WHERE id = 11"));

        MigrationUndo.Undo(path, run.RunId);
        Assert.Equal(before, DatabaseFingerprint.Of(path));
    }

    [Fact]
    public void Undoing_an_older_run_under_a_newer_one_is_refused_with_the_reason_unless_forced()
    {
        var path = Seed();
        var first = RunInto(path, OnConflict.Upsert, [R(Users, 20L, "t@x", 1.0, null, null)]);
        var afterFirst = DatabaseFingerprint.Of(path);
        var second = RunInto(path, OnConflict.Upsert, [R(Users, 20L, "t@x", 2.0, "second", null)]);

        var refused = Assert.Throws<InvalidOperationException>(() => MigrationUndo.Undo(path, first.RunId));
        Assert.Contains($"run {second.RunId} (Completed) also wrote to users", refused.Message);
        Assert.Contains("Undo the newer run", refused.Message);

        // Newest first works and leaves exactly the state after the first run.
        MigrationUndo.Undo(path, second.RunId);
        Assert.Equal(afterFirst, DatabaseFingerprint.Of(path));
        MigrationUndo.Undo(path, first.RunId);
        Assert.Empty(Rows(path, "SELECT * FROM users WHERE id = 20"));

        // And forced, an older run can be undone under a newer one.
        var third = RunInto(path, OnConflict.Upsert, [R(Users, 30L, "u@x", 1.0, null, null)]);
        RunInto(path, OnConflict.Upsert, [R(Users, 31L, "v@x", 1.0, null, null)]);
        MigrationUndo.Undo(path, third.RunId, force: true);
        Assert.Empty(Rows(path, "SELECT * FROM users WHERE id = 30"));
        Assert.Single(Rows(path, "SELECT * FROM users WHERE id = 31"));
    }

    [Fact]
    public void A_run_with_a_backup_is_undone_by_restoring_the_backup()
    {
        var path = Seed();
        var before = DatabaseFingerprint.Of(path);
        var backup = _dir.File("before-run.sqlite");
        var run = MigrationJournal.Start(path, new RunStart { BackupPath = backup });
        using (var target = run.OpenTarget(new ImportOptions { OnConflict = OnConflict.Replace }))
        {
            foreach (var row in RunRows()) target.Add(row);
            target.Complete();
            run.Complete();
        }
        Assert.Equal(backup, MigrationJournal.GetRuns(path, run.RunId).Single().BackupPath);

        MigrationUndo.RestoreBackup(path, run.RunId);

        Assert.Equal(before, DatabaseFingerprint.Of(path));
        var info = MigrationJournal.GetRuns(path, run.RunId).Single();
        Assert.Equal(RunStatus.Undone, info.State);
        Assert.Contains("restored from the backup", info.Message);
        Assert.Empty(MigrationUndo.RestoreBackup(path, run.RunId));
    }
}

using Migration.Engine.Journal;
using Migration.Engine.Schema;
using Migration.Engine.Target;
using Migration.Engine.Tests.Target;
using Xunit;
using static Migration.Engine.Tests.Journal.JournalTestTables;
using static Migration.Engine.Tests.Target.TargetTestSupport;

namespace Migration.Engine.Tests.Journal;

/// <summary>
/// Tables that exist but are empty before a run (the schema applied first, e.g. by
/// <c>wrangler d1 migrations apply</c>): loaded without a per-row undo log, resumed by key like
/// tables the run created, and undone by emptying them once their content is proven the run's.
/// </summary>
public sealed class EmptyTableRunTests : IDisposable
{
    readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    static IEnumerable<Row> BookRows(int from, int to) => JournalTestTables.BookRows(from, to, nullPagesEvery: 3);

    /// <summary>The schema made beforehand, with a column the rows do not carry (filled by its default) and an index.</summary>
    string EmptySchema(string name)
    {
        var path = _dir.File(name);
        Exec(path, """
            CREATE TABLE books (isbn TEXT NOT NULL PRIMARY KEY, title TEXT NOT NULL, pages INTEGER, added TEXT NOT NULL DEFAULT 'now');
            CREATE INDEX books_title ON books (title);
            CREATE TABLE log (line TEXT);
            CREATE TABLE untouched (id INTEGER PRIMARY KEY, v TEXT);
            INSERT INTO untouched VALUES (1, 'stays');
            """);
        return path;
    }

    static MigrationRun Run(string path, IEnumerable<Row> rows, OnConflict mode = OnConflict.Abort) => CompleteRun(path, rows, mode, batchSize: 4);

    [Theory]
    [InlineData(OnConflict.Abort)]
    [InlineData(OnConflict.Ignore)]
    [InlineData(OnConflict.Replace)]
    [InlineData(OnConflict.Upsert)]
    public void A_table_empty_before_the_run_gets_no_undo_log_and_undo_empties_it_and_keeps_it(OnConflict mode)
    {
        var path = EmptySchema($"empty-{mode}.sqlite");
        var before = DatabaseFingerprint.Of(path);

        // Upsert needs a key: the keyless table is left out then.
        var run = Run(path, BookRows(1, 10).Concat(mode == OnConflict.Upsert ? [] : LogRows(5)), mode);

        Assert.Equal(10L, Rows(path, "SELECT count(*) FROM books")[0][0]);
        Assert.Equal(0L, Rows(path, "SELECT count(*) FROM d1_migration_undo")[0][0]); // nothing logged per row
        var plan = MigrationUndo.Plan(path, run.RunId);
        Assert.Empty(plan.Blockers);
        var books = Assert.Single(plan.Actions, a => a.Table == "books");
        Assert.Equal((false, true, 10L), (books.DropTable, books.EmptiesTable, books.RowsToDelete));
        Assert.Contains("empty the table (10 rows", books.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(plan.Actions, a => a.Table == "untouched");

        MigrationUndo.Undo(path, run.RunId);

        // The tables are there again, empty, with their index and default; the other table is as it was.
        Assert.Equal(before, DatabaseFingerprint.Of(path));
        Assert.Equal(["books_title"], Rows(path, "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'books' AND sql IS NOT NULL").Select(r => (string)r[0]!));
    }

    [Fact]
    public void A_row_added_after_the_run_blocks_the_undo_unless_forced()
    {
        var path = EmptySchema("added.sqlite");
        var run = Run(path, BookRows(1, 6));
        Exec(path, "INSERT INTO books (isbn, title) VALUES ('someone-else', 'written by the app after the run')");

        var plan = MigrationUndo.Plan(path, run.RunId);
        var blocker = Assert.Single(plan.Blockers);
        Assert.Contains("books was empty before run 1 and now holds 7 rows", blocker, StringComparison.Ordinal);
        var refused = Assert.Throws<InvalidOperationException>(() => MigrationUndo.Undo(path, run.RunId));
        Assert.Contains("cannot be undone exactly", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Force it to empty the table anyway", refused.Message, StringComparison.Ordinal);
        Assert.Equal(7L, Rows(path, "SELECT count(*) FROM books")[0][0]); // refused: nothing changed

        MigrationUndo.Undo(path, run.RunId, force: true);
        Assert.Equal(0L, Rows(path, "SELECT count(*) FROM books")[0][0]);
    }

    [Theory]
    [InlineData("UPDATE books SET title = 'changed' WHERE isbn = '978-000002'")]
    [InlineData("UPDATE books SET pages = NULL WHERE isbn = '978-000001'")]
    [InlineData("DELETE FROM books WHERE isbn = '978-000004'")]
    [InlineData("UPDATE books SET pages = 5.5 WHERE isbn = '978-000005'")]
    public void A_value_changed_after_the_run_blocks_the_undo(string change)
    {
        var path = EmptySchema("changed.sqlite");
        var run = Run(path, BookRows(1, 6));
        Assert.Empty(MigrationUndo.Plan(path, run.RunId).Blockers);
        Exec(path, change);

        Assert.Contains("content differs from what the run wrote", Assert.Single(MigrationUndo.Plan(path, run.RunId).Blockers), StringComparison.Ordinal);
    }

    [Fact]
    public void A_checksum_kept_under_another_hash_scheme_blocks_the_undo_instead_of_being_compared()
    {
        var path = EmptySchema("scheme.sqlite");
        var run = Run(path, BookRows(1, 6));
        Assert.StartsWith("xxh3-128/utf16:", (string)Rows(path, "SELECT checksum FROM d1_migration_run_tables WHERE table_name = 'books'")[0][0]!, StringComparison.Ordinal);
        Exec(path, "UPDATE d1_migration_run_tables SET checksum = 'xxh64x2/utf8:' || substr(checksum, 16) WHERE table_name = 'books'");

        Assert.Contains("kept by another version of the module (xxh64x2/utf8)", Assert.Single(MigrationUndo.Plan(path, run.RunId).Blockers), StringComparison.Ordinal);
    }

    [Fact]
    public void A_crashed_run_into_empty_tables_resumes_by_key_and_is_then_undone_by_emptying_them()
    {
        var clean = EmptySchema("clean.sqlite");
        Run(clean, BookRows(1, 25).Concat(LogRows(7)));

        var path = EmptySchema("crashed.sqlite");
        var before = DatabaseFingerprint.Of(path);
        var first = MigrationJournal.Start(path, new RunStart());
        var target = first.OpenTarget(new ImportOptions { BatchSize = 4 });
        foreach (var row in LogRows(5).Concat(BookRows(1, 14))) target.Add(row);
        target.Dispose(); // a crash: buffered rows are lost, committed batches stay
        first.Dispose();
        Assert.Equal(12L, Rows(path, "SELECT count(*) FROM books")[0][0]);

        var again = MigrationJournal.Start(path, new RunStart { Resume = true });
        Assert.Equal(0L, Rows(path, "SELECT count(*) FROM log")[0][0]); // keyless: emptied, written again
        using (var resumed = again.OpenTarget(new ImportOptions { BatchSize = 4 }))
        {
            // Everything is sent again; what the first attempt committed is recognised by key.
            foreach (var row in BookRows(1, 25).Concat(LogRows(7)))
                if (!again.IsAlreadyWritten(row)) resumed.Add(row);
            resumed.Complete();
            again.Complete();
        }
        Assert.Equal(12L, again.RowsAlreadyWritten);
        again.Dispose();
        Assert.Equal(DatabaseFingerprint.Of(clean, withRowid: false), DatabaseFingerprint.Of(path, withRowid: false));

        // The running checksum spans both attempts (and the keyless restart), so the proof holds.
        Assert.Empty(MigrationUndo.Plan(path, again.RunId).Blockers);
        MigrationUndo.Undo(path, again.RunId);
        Assert.Equal(before, DatabaseFingerprint.Of(path));
    }

    [Fact]
    public void A_run_in_a_journal_from_before_these_columns_is_still_planned_and_undone_from_its_log()
    {
        // Such a run logged every older table row by row; reading it must not need the new columns.
        var path = EmptySchema("old-undo.sqlite");
        Exec(path, "INSERT INTO books (isbn, title) VALUES ('0-old', 'there before')");
        var before = DatabaseFingerprint.Of(path);
        var run = Run(path, BookRows(1, 5));
        Exec(path, """
            ALTER TABLE d1_migration_runs DROP COLUMN empty_before;
            ALTER TABLE d1_migration_run_tables DROP COLUMN columns;
            ALTER TABLE d1_migration_run_tables DROP COLUMN checksum;
            """);

        var plan = MigrationUndo.Plan(path, run.RunId);
        Assert.Equal(5L, Assert.Single(plan.Actions, a => a.Table == "books").RowsToDelete);
        MigrationUndo.Undo(path, run.RunId);
        Assert.Equal(before, DatabaseFingerprint.Of(path));
    }

    [Fact]
    public void A_journal_written_before_these_columns_existed_is_upgraded_in_place()
    {
        var path = EmptySchema("old-journal.sqlite");
        var old = Run(path, BookRows(1, 3));
        Exec(path, """
            ALTER TABLE d1_migration_runs DROP COLUMN empty_before;
            ALTER TABLE d1_migration_run_tables DROP COLUMN columns;
            ALTER TABLE d1_migration_run_tables DROP COLUMN checksum;
            """);

        var next = Run(path, BookRows(4, 6));

        Assert.Equal(6L, Rows(path, "SELECT count(*) FROM books")[0][0]);
        // The old run's row gets the column's default; the new run records what it found empty.
        Assert.Equal(["[]", "[\"log\"]"], Rows(path, "SELECT empty_before FROM d1_migration_runs ORDER BY run_id").Select(r => (string)r[0]!));
        // books had rows when the new run began: the new run logged its rows and undoes exactly.
        MigrationUndo.Undo(path, next.RunId);
        Assert.Equal(3L, Rows(path, "SELECT count(*) FROM books")[0][0]);
        Assert.NotEqual(old.RunId, next.RunId);
    }
}

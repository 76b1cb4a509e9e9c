using Migration.Engine.Schema;
using Migration.Engine.Target;
using Xunit;
using static Migration.Engine.Tests.Target.TargetTestSupport;

namespace Migration.Engine.Tests.Target;

public sealed class SqliteTargetConflictTests : IDisposable
{
    readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    static readonly TableSchema Books = D1("books", [Col("isbn", D1Type.Text, false), Col("title", D1Type.Text, false)], 0);

    /// <summary>books holds two rows; "note" is not among the written columns, so REPLACE and UPSERT differ.</summary>
    string ExistingBooks()
    {
        var path = _dir.File("books.sqlite");
        Exec(path, """
            CREATE TABLE books (isbn TEXT PRIMARY KEY NOT NULL, title TEXT NOT NULL, note TEXT DEFAULT 'fresh');
            INSERT INTO books VALUES ('1', 'One', 'kept'), ('2', 'Two', 'kept');
            """);
        return path;
    }

    static IEnumerable<Row> Incoming => [R(Books, "2", "Two (2nd ed.)"), R(Books, "3", "Three")];

    [Fact]
    public void Without_OnConflict_a_table_that_already_holds_keys_of_the_first_batch_is_refused_in_one_error_and_left_as_it_was()
    {
        var path = ExistingBooks();
        var outcome = Write(path, new ImportOptions { OnConflict = OnConflict.Abort, BatchSize = 2 },
            [.. Incoming, R(Books, "4", "Four"), R(Books, "5", "Five"), R(Books, "6", "Six")]);

        Assert.Equal(Expect(["1", "One", "kept"], ["2", "Two", "kept"]), Rows(path, "SELECT * FROM books ORDER BY isbn"));
        var s = outcome.Summary("books");
        Assert.Equal((0L, 0L, 0L, 5L, "Refused"), (s.RowsWritten, s.RowsSkipped, s.RowsFailed, s.RowsNotWritten, s.Status));
        Assert.Empty(outcome.Batches);
        // One error for the table, not one per row: how many keys, the first, and the parameter that decides.
        var e = Assert.Single(outcome.Errors);
        Assert.Equal(("books", "isbn=2", "isbn"), (e.Table, e.Key, e.Column));
        Assert.StartsWith("books already holds 1 of the 2 keys (isbn) of the first batch sent to it, e.g. isbn=2: nothing of it is written in this load; use -OnConflict Ignore", e.Reason, StringComparison.Ordinal);
        Assert.Equal(e.Reason, s.Refused);
    }

    [Fact]
    public void Under_StopAtFirstRefusal_a_table_that_already_holds_the_keys_stops_the_load_before_anything_of_it_is_written()
    {
        var path = ExistingBooks();
        var stop = Assert.Throws<RowRefusedException>(() => Write(path, new ImportOptions { StopAtFirstRefusal = true }, Incoming));
        Assert.Contains("already holds 1 of the 2 keys", stop.Error.Reason, StringComparison.Ordinal);
        Assert.Equal(Expect(["1", "One", "kept"], ["2", "Two", "kept"]), Rows(path, "SELECT * FROM books ORDER BY isbn"));
    }

    [Fact]
    public void A_key_that_arrives_after_a_first_batch_with_new_keys_only_fails_that_row_and_the_rest_is_written()
    {
        var path = ExistingBooks();
        var outcome = Write(path, new ImportOptions { OnConflict = OnConflict.Abort, BatchSize = 1 }, [R(Books, "3", "Three"), R(Books, "2", "Two (2nd ed.)"), R(Books, "4", "Four")]);

        Assert.Equal(Expect(["1", "One", "kept"], ["2", "Two", "kept"], ["3", "Three", "fresh"], ["4", "Four", "fresh"]), Rows(path, "SELECT * FROM books ORDER BY isbn"));
        var e = Assert.Single(outcome.Errors);
        Assert.Equal(("books", "isbn=2", "UNIQUE constraint failed: books.isbn"), (e.Table, e.Key, e.Reason));
        Assert.Null(outcome.Summary("books").Refused);
    }

    [Fact]
    public void A_dry_run_predicts_the_same_single_refusal()
    {
        var path = ExistingBooks();
        var outcome = Write(path, new ImportOptions { DryRun = true }, Incoming);
        var e = Assert.Single(outcome.Errors);
        Assert.Contains("already holds 1 of the 2 keys", e.Reason, StringComparison.Ordinal);
        Assert.Equal("Refused", outcome.Summary("books").Status);
    }

    [Fact]
    public void Ignore_keeps_the_existing_row_and_counts_it_skipped()
    {
        var path = ExistingBooks();
        var outcome = Write(path, new ImportOptions { OnConflict = OnConflict.Ignore }, Incoming);

        Assert.Equal(Expect(["1", "One", "kept"], ["2", "Two", "kept"], ["3", "Three", "fresh"]), Rows(path, "SELECT * FROM books ORDER BY isbn"));
        var s = outcome.Summary("books");
        Assert.Equal((1L, 1L, 0L), (s.RowsWritten, s.RowsSkipped, s.RowsFailed));
        Assert.Empty(outcome.Errors);
    }

    [Fact]
    public void Ignore_still_fails_a_row_that_breaks_a_NOT_NULL_or_CHECK_constraint()
    {
        // INSERT OR IGNORE would drop this row silently; the target reports it.
        var path = _dir.File("check.sqlite");
        Exec(path, "CREATE TABLE t (id INTEGER PRIMARY KEY, qty INTEGER CHECK (qty >= 0))");
        var schema = D1("t", [Col("id", D1Type.Integer, false), Col("qty", D1Type.Integer)], 0);

        var outcome = Write(path, new ImportOptions { OnConflict = OnConflict.Ignore }, [R(schema, 1L, -5L), R(schema, 2L, 5L)]);

        Assert.Equal(Expect([2L, 5L]), Rows(path, "SELECT * FROM t"));
        var e = Assert.Single(outcome.Errors);
        Assert.Equal("id=1", e.Key);
        Assert.StartsWith("CHECK constraint failed", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Replace_deletes_the_existing_row_and_inserts_the_new_one()
    {
        var path = ExistingBooks();
        var outcome = Write(path, new ImportOptions { OnConflict = OnConflict.Replace }, Incoming);

        // The replaced row lost its "note": REPLACE deletes, then inserts with the column default.
        Assert.Equal(Expect(["1", "One", "kept"], ["2", "Two (2nd ed.)", "fresh"], ["3", "Three", "fresh"]), Rows(path, "SELECT * FROM books ORDER BY isbn"));
        Assert.Equal(2, outcome.Summary("books").RowsWritten);
    }

    [Fact]
    public void Upsert_updates_the_written_columns_and_keeps_the_others()
    {
        var path = ExistingBooks();
        var outcome = Write(path, new ImportOptions { OnConflict = OnConflict.Upsert }, Incoming);

        Assert.Equal(Expect(["1", "One", "kept"], ["2", "Two (2nd ed.)", "kept"], ["3", "Three", "fresh"]), Rows(path, "SELECT * FROM books ORDER BY isbn"));
        Assert.Equal(2, outcome.Summary("books").RowsWritten);

        // Re-running changes nothing.
        Write(path, new ImportOptions { OnConflict = OnConflict.Upsert }, Incoming);
        Assert.Equal(Expect(["1", "One", "kept"], ["2", "Two (2nd ed.)", "kept"], ["3", "Three", "fresh"]), Rows(path, "SELECT * FROM books ORDER BY isbn"));
    }

    [Fact]
    public void An_upsert_of_plain_objects_never_writes_null_over_a_column_they_leave_out()
    {
        // A KV value or CSV record that does not mention a nullable column: with the target's
        // schema the row leaves it out, so the upsert keeps the old value (it once wrote NULL).
        var path = _dir.File("notes.sqlite");
        Exec(path, """
            CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, tag TEXT, seen INTEGER NOT NULL DEFAULT 0);
            INSERT INTO notes VALUES (1, 'old', 'keep me', 5);
            """);
        var target = new TableSchema(SchemaKind.D1, null, "notes", "notes",
        [
            new Column("id", null, D1Type.Integer, false) { HasDefault = true },
            new Column("body", null, D1Type.Text, true),
            new Column("tag", null, D1Type.Text, true),
            new Column("seen", null, D1Type.Integer, false) { HasDefault = true },
        ], [0]);
        var converter = new Migration.Engine.Convert.RowConverter(Migration.Engine.Convert.ConversionOptions.Default);
        var rows = new[]
        {
            converter.ConvertPlain("notes", [new("id", 1L), new("body", "new")], target),
            converter.ConvertPlain("notes", [new("id", 2L), new("body", "added")], target),
        };
        Assert.Equal(["id", "body"], rows[0].GetSchema().Columns.Select(c => c.Name));
        Write(path, new ImportOptions { OnConflict = OnConflict.Upsert }, rows);
        Assert.Equal(Expect([1L, "new", "keep me", 5L], [2L, "added", null, 0L]), Rows(path, "SELECT id, body, tag, seen FROM notes ORDER BY id"));
    }

    [Fact]
    public void A_failing_row_leaves_the_rest_of_its_batch_written()
    {
        var path = _dir.File("fk.sqlite");
        Exec(path, """
            CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);
            CREATE TABLE files (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id));
            INSERT INTO users VALUES (1, 'a@x');
            """);
        var users = D1("users", [Col("id", D1Type.Integer, false), Col("email", D1Type.Text, false)], 0);
        var files = D1("files", [Col("id", D1Type.Integer, false), Col("user_id", D1Type.Integer, false)], 0);

        var outcome = Write(path, new ImportOptions { BatchSize = 100 },
        [
            R(users, 2L, "b@x"),
            R(users, 3L, "a@x"),       // duplicate email
            R(users, 4L, null),        // NULL in a NOT NULL column: refused before the write
            R(users, 5L, "c@x"),
            R(files, 10L, 2L),
            R(files, 11L, 99L),        // no such user
            R(files, 12L, 5L),
        ]);

        Assert.Equal(Expect([1L, "a@x"], [2L, "b@x"], [5L, "c@x"]), Rows(path, "SELECT * FROM users ORDER BY id"));
        Assert.Equal(Expect([10L, 2L], [12L, 5L]), Rows(path, "SELECT * FROM files ORDER BY id"));
        Assert.Equal((2L, 2L), (outcome.Summary("users").RowsWritten, outcome.Summary("users").RowsFailed));
        Assert.Equal((2L, 1L), (outcome.Summary("files").RowsWritten, outcome.Summary("files").RowsFailed));
        Assert.Equal(1, outcome.Summary("users").Batches);

        var unique = outcome.Errors.Single(e => e.Key == "id=3");
        Assert.Equal(("users", "email", "a@x"), (unique.Table, unique.Column, unique.ValueExcerpt));
        Assert.Equal("UNIQUE constraint failed: users.email", unique.Reason);
        var notNull = outcome.Errors.Single(e => e.Key == "id=4");
        Assert.Equal(("users", "email", "NULL"), (notNull.Table, notNull.Column, notNull.ValueExcerpt));
        Assert.Contains("NOT NULL", notNull.Reason, StringComparison.Ordinal);
        // Plain rows carry no definition: the key is named from what the table declares.
        var fk = outcome.Errors.Single(e => e.Key == "id=11");
        Assert.Equal(("files", "user_id", "99"), (fk.Table, fk.Column, fk.ValueExcerpt));
        Assert.Equal("FOREIGN KEY constraint failed: no row of users has (id) = (99)", fk.Reason);
    }

    [Fact]
    public void A_foreign_key_failure_names_the_key_that_failed_among_several()
    {
        // Scenario 3: the error names the constraint. Two keys, one composite and one declared
        // without parent columns (the parent's primary key); only the second fails here.
        var path = _dir.File("fk-named.sqlite");
        Exec(path, """
            CREATE TABLE chats (id INTEGER PRIMARY KEY);
            CREATE TABLE tickers (exchange TEXT, symbol TEXT, PRIMARY KEY (exchange, symbol));
            CREATE TABLE watch (id INTEGER PRIMARY KEY, chat_id INTEGER REFERENCES chats, exchange TEXT, symbol TEXT,
                FOREIGN KEY (exchange, symbol) REFERENCES tickers (exchange, symbol));
            INSERT INTO chats VALUES (7);
            INSERT INTO tickers VALUES ('NYSE', 'IBM');
            """);
        var watch = D1("watch", [Col("id", D1Type.Integer, false), Col("chat_id", D1Type.Integer), Col("exchange", D1Type.Text), Col("symbol", D1Type.Text)], 0);

        var outcome = Write(path, new ImportOptions(),
        [
            R(watch, 1L, 7L, "NYSE", "IBM"),
            R(watch, 2L, 7L, "NYSE", "XYZ"),   // no such ticker
            R(watch, 3L, 8L, "NYSE", "IBM"),   // no such chat
            R(watch, 4L, 8L, null, null),      // NULL in the composite key: only the chat is checked
        ]);

        Assert.Equal(Expect([1L]), Rows(path, "SELECT id FROM watch"));
        var e = outcome.Errors.ToDictionary(x => x.Key);
        Assert.Equal(("exchange, symbol", "NYSE, XYZ"), (e["id=2"].Column, e["id=2"].ValueExcerpt));
        Assert.Equal("FOREIGN KEY constraint failed: no row of tickers has (exchange, symbol) = (NYSE, XYZ)", e["id=2"].Reason);
        Assert.Equal(("chat_id", "FOREIGN KEY constraint failed: no row of chats has (id) = (8)"), (e["id=3"].Column, e["id=3"].Reason));
        Assert.Equal("chat_id", e["id=4"].Column);
    }

    [Fact]
    public void A_parent_smaller_than_a_batch_is_written_before_its_children()
    {
        // The benchmark's shape: 3 users, then files that reference them, with a batch size
        // larger than either table. D1 enforces the foreign key on every insert, so the users'
        // partial batch must be written before the first batch of files.
        var path = _dir.File("order.sqlite");
        Exec(path, """
            CREATE TABLE users (id INTEGER PRIMARY KEY);
            CREATE TABLE files (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id));
            """);
        var users = D1("users", [Col("id", D1Type.Integer, false)], 0);
        var files = D1("files", [Col("id", D1Type.Integer, false), Col("user_id", D1Type.Integer, false)], 0);

        var outcome = Write(path, new ImportOptions { BatchSize = 5 },
            [R(users, 1L), R(users, 2L), R(users, 3L), .. Enumerable.Range(10, 7).Select(i => R(files, (long)i, (long)(i % 3 + 1)))]);

        Assert.Empty(outcome.Errors);
        Assert.Equal(7L, Rows(path, "SELECT count(*) FROM files")[0][0]);
        Assert.Equal(["users", "files", "files"], outcome.Batches.Select(b => b.Table));
    }
}

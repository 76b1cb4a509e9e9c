using Migration.Engine.Schema;
using Migration.Engine.Target;
using Xunit;
using static Migration.Engine.Tests.Target.TargetTestSupport;
using Migration.Engine.Target.Sqlite;

namespace Migration.Engine.Tests.Target;

public sealed class SqliteTargetSchemaTests : IDisposable
{
    readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Creates_a_missing_table_with_D1_types_not_null_and_the_integer_key_as_rowid()
    {
        var schema = D1("people", [Col("id", D1Type.Integer, false), Col("name", D1Type.Text, false), Col("score", D1Type.Real), Col("photo", D1Type.Blob)], 0);
        var path = _dir.File("new.sqlite");

        var outcome = Write(path, new ImportOptions(), [R(schema, 7L, "Ann", 1.5, new byte[] { 1 })]);

        Assert.Equal(1, outcome.Summary("people").RowsWritten);
        var columns = Rows(path, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('people') ORDER BY cid");
        Assert.Equal(
            Expect(["id", "INTEGER", 1L, 1L], ["name", "TEXT", 1L, 0L], ["score", "REAL", 0L, 0L], ["photo", "BLOB", 0L, 0L]),
            columns);
        // The single INTEGER key is the rowid itself, not a separate unique index.
        Assert.Equal(Expect([7L, 7L]), Rows(path, "SELECT rowid, id FROM people"));
        Assert.Empty(Rows(path, "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'people'"));
    }

    [Fact]
    public void Creates_a_composite_key_and_quotes_odd_names()
    {
        var schema = D1("we\"ird table", [Col("a \"b\"", D1Type.Text), Col("select", D1Type.Integer), Col("ünï", D1Type.Text)], 1, 0);
        var path = _dir.File("odd.sqlite");

        Write(path, new ImportOptions(), [R(schema, "x", 1L, "y")]);

        var sql = (string)Rows(path, "SELECT sql FROM sqlite_schema WHERE type = 'table'")[0][0]!;
        Assert.Equal("CREATE TABLE \"we\"\"ird table\" (\"a \"\"b\"\"\" TEXT NOT NULL, \"select\" INTEGER NOT NULL, \"ünï\" TEXT, PRIMARY KEY (\"select\", \"a \"\"b\"\"\"))", sql);
        Assert.Equal(Expect([0L, 2L], [1L, 1L]), Rows(path, "SELECT cid, pk FROM pragma_table_info('we\"ird table') WHERE pk > 0 ORDER BY cid"));
        Assert.Equal(Expect(["x", 1L, "y"]), Rows(path, "SELECT * FROM \"we\"\"ird table\""));
    }

    [Fact]
    public void Uses_an_existing_table_as_it_is()
    {
        var path = _dir.File("existing.sqlite");
        Exec(path, "CREATE TABLE Items (ID INTEGER PRIMARY KEY, Label TEXT NOT NULL, Extra TEXT DEFAULT 'd', Qty NUMERIC)");
        // Column order and case differ from the table's; the extra column keeps its default.
        var schema = D1("items", [Col("qty", D1Type.Integer), Col("label", D1Type.Text, false), Col("id", D1Type.Integer, false)], 2);

        var outcome = Write(path, new ImportOptions(), [R(schema, 5L, "five", 1L), R(schema, null, "none", 2L)]);

        Assert.Equal(2, outcome.Summary("Items").RowsWritten);
        Assert.Equal(Expect([1L, "five", "d", 5L], [2L, "none", "d", null]), Rows(path, "SELECT * FROM Items ORDER BY ID"));
        Assert.Single(Rows(path, "SELECT 1 FROM sqlite_schema WHERE type = 'table'"));
    }

    [Fact]
    public void Refuses_rows_whose_columns_the_existing_table_lacks_and_names_them()
    {
        var path = _dir.File("missing.sqlite");
        Exec(path, "CREATE TABLE t (id INTEGER PRIMARY KEY)");
        var schema = D1("t", [Col("id", D1Type.Integer, false), Col("email", D1Type.Text), Col("phone", D1Type.Text)], 0);

        using var target = SqliteTarget.Open(path, new ImportOptions());
        var ex = Assert.Throws<TargetSchemaException>(() => target.Add(R(schema, 1L, "a@b", "1")));

        Assert.Equal("t", ex.Table);
        Assert.Contains("\"email\", \"phone\"", ex.Message, StringComparison.Ordinal);
        target.Complete();
        Assert.Empty(Rows(path, "SELECT * FROM t"));
    }

    [Fact]
    public void Refuses_more_columns_than_D1_allows_before_creating_anything()
    {
        var path = _dir.File("wide.sqlite");
        var schema = D1("wide", [.. Enumerable.Range(0, 4).Select(i => Col("c" + i, D1Type.Integer))]);

        using (var target = SqliteTarget.Open(path, new ImportOptions { Limits = new D1Limits { MaxColumns = 3 } }))
        {
            var ex = Assert.Throws<TargetSchemaException>(() => target.Add(R(schema, 1L, 2L, 3L, 4L)));
            Assert.Contains("4 columns, over D1's limit of 3", ex.Message, StringComparison.Ordinal);
            target.Complete();
        }
        Assert.Empty(Rows(path, "SELECT name FROM sqlite_schema"));
    }

    [Theory]
    [InlineData("_cf_KV", "reserved by D1")]
    [InlineData("_CF_meta", "reserved by D1")]
    [InlineData("sqlite_stuff", "reserved by SQLite")]
    public void Refuses_reserved_table_names(string table, string reason)
    {
        var path = _dir.File("reserved.sqlite");
        var schema = D1(table, [Col("id", D1Type.Integer)]);

        using var target = SqliteTarget.Open(path, new ImportOptions());
        var ex = Assert.Throws<TargetSchemaException>(() => target.Add(R(schema, 1L)));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Empty(Rows(path, "SELECT name FROM sqlite_schema"));
    }

    [Fact]
    public void Upsert_without_any_key_is_refused_up_front()
    {
        var path = _dir.File("nokey.sqlite");
        var schema = D1("log", [Col("msg", D1Type.Text)]);

        using var target = SqliteTarget.Open(path, new ImportOptions { OnConflict = OnConflict.Upsert });
        var ex = Assert.Throws<TargetSchemaException>(() => target.Add(R(schema, "x")));

        Assert.Contains("Upsert needs a primary key", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Rows(path, "SELECT name FROM sqlite_schema"));
    }

    [Fact]
    public void Upsert_on_a_key_the_existing_table_does_not_hold_unique_is_refused_up_front_and_one_it_does_hold_works()
    {
        // The rows' key (code) is not a key of the table (its key is the rowid id): SQLite's
        // ON CONFLICT (code) would refuse every row; the table is refused once, nothing written.
        var path = _dir.File("upsert.sqlite");
        Exec(path, "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT NOT NULL, v TEXT); INSERT INTO t (code, v) VALUES ('a', 'old');");
        var schema = D1("t", [Col("code", D1Type.Text, false), Col("v", D1Type.Text)], 0);

        using (var target = SqliteTarget.Open(path, new ImportOptions { OnConflict = OnConflict.Upsert }))
        {
            var ex = Assert.Throws<TargetSchemaException>(() => target.Add(R(schema, "a", "new")));
            Assert.Contains("(code)", ex.Message, StringComparison.Ordinal);
            Assert.Contains("no PRIMARY KEY or UNIQUE constraint on exactly", ex.Message, StringComparison.Ordinal);
        }
        Assert.Equal(Expect([1L, "a", "old"]), Rows(path, "SELECT id, code, v FROM t"));

        // With a unique index on exactly those columns, the same rows update in place.
        Exec(path, "CREATE UNIQUE INDEX t_code ON t (code);");
        var outcome = Write(path, new ImportOptions { OnConflict = OnConflict.Upsert }, [R(schema, "a", "new"), R(schema, "b", "added")]);
        Assert.Empty(outcome.Errors);
        Assert.Equal(Expect([1L, "a", "new"], [2L, "b", "added"]), Rows(path, "SELECT id, code, v FROM t ORDER BY id"));
    }

    [Fact]
    public void Refuses_a_Postgres_row_and_a_relative_path()
    {
        var pg = new TableSchema(SchemaKind.Postgres, "public", "t", "t", [new Column("id", new PgType("integer", PgTypeFamily.Integer), D1Type.Integer, false)]);
        using (var target = SqliteTarget.Open(_dir.File("pg.sqlite"), new ImportOptions()))
            Assert.Throws<ArgumentException>(() => target.Add(new Row(pg, [1])));
        Assert.Throws<ArgumentException>(() => SqliteTarget.Open("relative.sqlite", new ImportOptions()));
    }
}

using Migration.Engine.Schema;
using Migration.Engine.Target;
using Xunit;
using static Migration.Engine.Tests.Target.TargetTestSupport;
using Migration.Engine.Target.Sqlite;

namespace Migration.Engine.Tests.Target;

public sealed class SqliteSchemaReaderTests : IDisposable
{
    readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Reads_types_not_null_and_the_key_in_key_order()
    {
        var path = _dir.File("schema.sqlite");
        Exec(path, """
            CREATE TABLE "Order Lines" (
              line INTEGER NOT NULL, order_id BIGINT NOT NULL, sku VARCHAR(20), price DOUBLE PRECISION,
              photo BLOB, anything, paid BOOLEAN, shipped DATETIME, amount DECIMAL(10,2),
              PRIMARY KEY (order_id, line))
            """);

        var schema = SqliteSchemaReader.ReadTableSchema(path, "order lines");

        Assert.NotNull(schema);
        Assert.Equal((SchemaKind.D1, "Order Lines"), (schema.Kind, schema.Name));
        Assert.Equal(
            [("line", D1Type.Integer, false), ("order_id", D1Type.Integer, false), ("sku", D1Type.Text, true), ("price", D1Type.Real, true),
             ("photo", D1Type.Blob, true), ("anything", D1Type.Blob, true), ("paid", D1Type.Integer, true), ("shipped", D1Type.Text, true),
             ("amount", D1Type.Real, true)],
            schema.Columns.Select(c => (c.Name, c.D1Type, c.IsNullable)));
        Assert.Equal([1, 0], schema.PrimaryKey);
    }

    [Fact]
    public void Returns_null_for_a_missing_table_or_file_and_creates_no_file()
    {
        var path = _dir.File("t.sqlite");
        Exec(path, "CREATE TABLE t (id INTEGER)");
        Assert.Null(SqliteSchemaReader.ReadTableSchema(path, "other"));

        var absent = _dir.File("absent.sqlite");
        Assert.Null(SqliteSchemaReader.ReadTableSchema(absent, "t"));
        Assert.False(File.Exists(absent));
    }

    [Fact]
    public void Reads_a_table_the_target_created()
    {
        var path = _dir.File("roundtrip.sqlite");
        var written = D1("p", [Col("id", D1Type.Text, false), Col("n", D1Type.Integer, false), Col("r", D1Type.Real), Col("b", D1Type.Blob)], 0);
        Write(path, new ImportOptions(), [R(written, "x", 1L, null, null)]);

        var read = SqliteSchemaReader.ReadTableSchema(path, "p")!;

        Assert.Equal(written.Columns.Select(c => (c.Name, c.D1Type, c.IsNullable)), read.Columns.Select(c => (c.Name, c.D1Type, c.IsNullable)));
        Assert.Equal(written.PrimaryKey, read.PrimaryKey);
    }
}

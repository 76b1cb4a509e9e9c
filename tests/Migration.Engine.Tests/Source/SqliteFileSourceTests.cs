using Microsoft.Data.Sqlite;
using Migration.Engine.Convert;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Migration.Engine.Source.Sqlite;
using Xunit;

namespace Migration.Engine.Tests.Source;

/// <summary>The D1/SQLite file source: values as stored, key order, source keys, one snapshot, load order.</summary>
public sealed class SqliteFileSourceTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("sqlite-source-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Create(string sql)
    {
        var file = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".sqlite");
        Exec(file, sql);
        return file;
    }

    static void Exec(string file, string sql)
    {
        using var c = new SqliteConnection($"Data Source={file};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    [Fact]
    public void Values_keep_their_storage_class_rows_come_in_key_order_with_their_keys()
    {
        var file = Create("""
            CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER, r REAL, b BLOB, x);
            INSERT INTO t VALUES ('b', 1, 1.0, x'00ff', 'text in a column without type'), ('a', '2', 2.5, NULL, 3), ('c', NULL, NULL, NULL, 1.5);
            CREATE TABLE nokey (v TEXT); INSERT INTO nokey VALUES ('z'), ('y');
            """);
        using var source = new SqliteFileSource(file);
        var t = source.Describe(["T"])[0];
        Assert.Equal(SchemaKind.D1, t.Kind);
        var rows = source.Export(t).ToList();
        Assert.Equal(["a", "b", "c"], rows.Select(r => (string)r.GetValue("id")!));
        Assert.Equal(2L, rows[0].GetValue("n"));     // INTEGER affinity made '2' an integer, as SQLite stores it
        Assert.Equal(1.0, rows[1].GetValue("r"));
        Assert.Equal(new byte[] { 0, 255 }, rows[1].GetValue("b"));
        Assert.Equal(3L, rows[0].GetValue("x"));
        Assert.Equal(["b"], rows[1].SourceKey!);
        Assert.Equal(["c"], source.Export(t, ["b"]).Select(r => r.GetValue("id")).ToList());
        var nokey = source.Describe(["nokey"])[0];
        Assert.Equal([1L, 2L], source.Export(nokey).Select(r => r.SourceKey![0]).ToList());
    }

    [Fact]
    public void Every_table_is_read_from_one_snapshot()
    {
        var file = Create("PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1), (2);");
        using var source = new SqliteFileSource(file);
        Exec(file, "INSERT INTO t VALUES (3); CREATE TABLE later (id INTEGER);");
        Assert.Equal(2, source.Export(source.Describe(["t"])[0]).Count());
        Assert.DoesNotContain("later", source.TableNames());
    }

    [Fact]
    public void All_reads_parents_first_and_leaves_out_the_journal_and_reserved_tables()
    {
        var file = Create("""
            CREATE TABLE a_child (id INTEGER PRIMARY KEY, p INTEGER REFERENCES z_parent(id));
            CREATE TABLE z_parent (id INTEGER PRIMARY KEY);
            CREATE TABLE d1_migration_runs (run_id INTEGER PRIMARY KEY);
            CREATE TABLE sessions (id TEXT);
            """);
        using var source = new SqliteFileSource(file);
        var all = source.DescribeAll(new PgTableSelection(ExcludeTables: ["sessions"]), out _);
        Assert.Equal(["z_parent", "a_child"], all.Select(t => t.Name));
        Assert.True(all[0].Definition!.Set!.IsLoadOrder);
        Assert.Throws<SqliteSourceException>(() => source.Describe(["nope"]));
    }

    [Fact]
    public void The_target_load_order_holds_a_child_back_until_its_parent_is_out()
    {
        static TableSchema T(string name, params string[] parents) => new(SchemaKind.Postgres, "public", name, name, [new Column("id", null, D1Type.Integer, false)])
        {
            Definition = new TableDefinition([new ColumnDefinition("id")], foreignKeys: [.. parents.Select(p => new ForeignKeyDefinition($"{name}_{p}", ["id"], "public", p, ["id"]))]),
        };
        var d1 = new[] { "accounts", "users" }.Select(n => new TableSchema(SchemaKind.D1, null, n, n, [new Column("id", null, D1Type.Integer, false)])).ToList();
        var targets = new Dictionary<string, TableSchema> { ["accounts"] = T("accounts", "users"), ["users"] = T("users") };
        var order = new TargetLoadOrder(d1, s => targets[s.Name]);
        Assert.True(order.Reordered);
        Assert.Equal(["users", "accounts"], order.Order);
        Row R(int i, int table) => new(d1[table], [(long)i]);
        var a1 = R(1, 0);
        var u1 = R(2, 1);
        Assert.Empty(order.Accept("accounts", a1));
        Assert.Equal([u1], order.Accept("users", u1));
        Assert.Equal([a1], order.Drain());
    }
}

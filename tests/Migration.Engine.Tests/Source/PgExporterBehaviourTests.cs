using System.Net;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Migration.Engine.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace Migration.Engine.Tests.Source;

/// <summary>Snapshot, keyset resume, cancellation, name resolution and error texts, against the real cluster.</summary>
[Collection(PgCluster.Collection)]
public sealed class PgExporterBehaviourTests(PgExporterBehaviourTests.Data data) : IClassFixture<PgExporterBehaviourTests.Data>
{
    /// <summary>One database for the class: tables are created once, and tests only read them (or their own tables).</summary>
    public sealed class Data
    {
        public Data()
        {
            Pg = new PgCluster();
            Database = Pg.CreateDatabase("behaviour");
            Pg.Execute(Database, """
                CREATE TABLE a (id int PRIMARY KEY);
                INSERT INTO a VALUES (1);
                CREATE TABLE b (id int PRIMARY KEY);
                CREATE TABLE big (id int PRIMARY KEY, pad text);
                INSERT INTO big SELECT g, repeat('x', 50) FROM generate_series(1, 50000) g;
                ANALYZE big;
                CREATE TABLE ints (id int PRIMARY KEY);
                INSERT INTO ints SELECT generate_series(1, 25);
                CREATE TABLE pairs (k1 int, k2 text, PRIMARY KEY (k2, k1));
                INSERT INTO pairs VALUES (1, 'a'), (2, 'a'), (1, 'b'), (3, 'a'), (2, 'b');
                CREATE TABLE texts (k text PRIMARY KEY);
                INSERT INTO texts VALUES ('a''b'), ('a\b'), ('b'), ('a'), ('a''''; DROP TABLE texts; --');
                CREATE TABLE stamps (k timestamptz PRIMARY KEY);
                INSERT INTO stamps VALUES ('-infinity'), ('0044-03-15 12:00:00+00 BC'), ('2024-02-29 23:59:59.999999+00'),
                                          ('10000-01-01 00:00:00+00'), ('infinity');
                CREATE TABLE nokey (v text);
                INSERT INTO nokey VALUES ('x'), ('y');
                CREATE TABLE secret (id int PRIMARY KEY);
                CREATE SCHEMA "Sales"; CREATE SCHEMA other;
                CREATE TABLE "select" ("from" int PRIMARY KEY, "Größe ✓" text, "Odd""Quote" text);
                INSERT INTO "select" VALUES (1, 'größe', 'q');
                CREATE TABLE "Odd.Name" (id int PRIMARY KEY);
                CREATE TABLE "Sales"."T" (id int PRIMARY KEY);
                CREATE TABLE 表 (列 int PRIMARY KEY);
                INSERT INTO 表 VALUES (7);
                CREATE TABLE dup (id int PRIMARY KEY, v text); INSERT INTO dup VALUES (1, 'public');
                CREATE TABLE other.dup (id int PRIMARY KEY, v text); INSERT INTO other.dup VALUES (1, 'other');
                CREATE VIEW v_ints AS SELECT id FROM ints WHERE id <= 3;
                CREATE SEQUENCE seq;
                """);
            Pg.Execute(Database, $"GRANT SELECT ON a, ints TO {PgCluster.PasswordUser}");
        }

        public PgCluster Pg { get; }
        public string Database { get; }
    }

    readonly PgCluster _pg = data.Pg;
    readonly string _db = data.Database;

    PgExporter Open() => new(new PgConnectionSettings(_db));

    static List<object?> Column(IEnumerable<Row> rows, int ordinal = 0) => rows.Select(r => r.GetValue(ordinal)).ToList();

    [Fact]
    public void All_tables_of_one_exporter_come_from_one_snapshot()
    {
        using var exporter = Open();
        var tables = exporter.Describe(["a", "b"]);
        Assert.Single(exporter.Export(tables[0]));

        // Committed by someone else after the exporter started: invisible to it, visible to a new one.
        _pg.Execute(_db, "INSERT INTO b VALUES (42)");
        try
        {
            Assert.Empty(exporter.Export(tables[1]));
            using var later = Open();
            Assert.Equal(new object?[] { 42 }, Column(later.Export(later.Describe(["b"])[0])));
        }
        finally
        {
            _pg.Execute(_db, "DELETE FROM b");
        }
    }

    [Fact]
    public void Resumes_after_an_int_key()
    {
        using var exporter = Open();
        var ints = exporter.Describe(["ints"])[0];
        Assert.Equal(Enumerable.Range(11, 15).Cast<object?>().ToList(), Column(exporter.Export(ints, [10])));
        Assert.Empty(exporter.Export(ints, [25]));
    }

    [Fact]
    public void Resumes_after_a_composite_key_in_key_order()
    {
        using var exporter = Open();
        var pairs = exporter.Describe(["pairs"])[0];
        // The key is (k2, k1): key order, not column order.
        Assert.Equal(new[] { 1, 0 }, pairs.PrimaryKey);
        var all = exporter.Export(pairs).Select(r => $"{r.GetValue("k2")}{r.GetValue("k1")}").ToList();
        Assert.Equal(new[] { "a1", "a2", "a3", "b1", "b2" }, all);
        var rest = exporter.Export(pairs, ["a", 2]).Select(r => $"{r.GetValue("k2")}{r.GetValue("k1")}").ToList();
        Assert.Equal(new[] { "a3", "b1", "b2" }, rest);
    }

    [Fact]
    public void Resumes_after_text_keys_with_quotes_and_backslashes()
    {
        using var exporter = Open();
        var texts = exporter.Describe(["texts"])[0];
        var all = Column(exporter.Export(texts)).Cast<string>().ToList();
        Assert.Equal(new[] { "a", "a''; DROP TABLE texts; --", "a'b", "a\\b", "b" }, all);
        Assert.Equal(new object?[] { "a'b", "a\\b", "b" }, Column(exporter.Export(texts, ["a''; DROP TABLE texts; --"])));
        Assert.Equal(new object?[] { "b" }, Column(exporter.Export(texts, ["a\\b"])));
    }

    [Fact]
    public void Resumes_after_timestamp_keys_across_the_whole_range()
    {
        using var exporter = Open();
        var stamps = exporter.Describe(["stamps"])[0];
        var all = exporter.Export(stamps).Select(r => (PgTimestamp)r.GetValue(0)!).ToList();
        Assert.Equal(5, all.Count);
        for (var i = 0; i < all.Count; i++)
            Assert.Equal(all.Skip(i + 1).Cast<object?>().ToList(), Column(exporter.Export(stamps, [all[i]])));
    }

    [Fact]
    public void Disposing_mid_table_cancels_and_the_next_export_works()
    {
        using var exporter = Open();
        var tables = exporter.Describe(["big", "ints"]);
        Assert.Equal(5, exporter.Export(tables[0]).Take(5).Count());
        Assert.Equal(25, exporter.Export(tables[1]).Count());

        var progress = new List<ExportProgress>();
        Assert.Equal(50000, exporter.Export(tables[0], progress: progress.Add).Count());
        Assert.Equal(new long[] { 10000, 20000, 30000, 40000, 50000, 50000 }, progress.Select(p => p.RowsDone));
        Assert.All(progress, p => Assert.Equal("big", p.Table));
        Assert.Equal(50000, progress[0].EstimatedTotal);
        Assert.Equal(50000, exporter.EstimateRows(tables[0]));
        Assert.Equal(50000, tables[0].EstimatedRows); // described with it, so Import-D1Batch can size its progress
    }

    [Fact]
    public void A_second_export_while_one_is_open_is_refused_clearly()
    {
        using var exporter = Open();
        var tables = exporter.Describe(["big", "ints"]);
        using var first = exporter.Export(tables[0]).GetEnumerator();
        Assert.True(first.MoveNext());
        var ex = Assert.Throws<InvalidOperationException>(() => exporter.Export(tables[1]).First());
        Assert.Contains("still running", ex.Message, StringComparison.Ordinal);
        first.Dispose();
        Assert.Equal(25, exporter.Export(tables[1]).Count());
    }

    [Fact]
    public void Export_is_lazy_and_tables_without_key_are_exported_unordered()
    {
        using var exporter = Open();
        var nokey = exporter.Describe(["nokey"])[0];
        Assert.False(nokey.HasPrimaryKey);
        var rows = exporter.Export(nokey); // nothing runs yet
        Assert.Equal(new[] { "x", "y" }, Column(rows).Cast<string>().Order(StringComparer.Ordinal));
        Assert.Throws<ArgumentException>(() => exporter.Export(nokey, ["x"]));
    }

    [Fact]
    public void Odd_names_resolve_like_psql_and_two_schemas_stay_apart()
    {
        using var exporter = Open();
        var tables = exporter.Describe(["\"select\"", "select", "\"Odd.Name\"", "\"Sales\".\"T\"", "表", "dup", "other.dup", "public.DUP", "v_ints"]);
        // Duplicates (select twice, dup twice) are described once.
        Assert.Equal(new[] { "select", "Odd.Name", "Sales.T", "表", "dup", "other.dup", "v_ints" }, tables.Select(t => t.Name));
        Assert.Equal(new[] { "from", "Größe ✓", "Odd\"Quote" }, tables[0].Columns.Select(c => c.Name));

        var row = exporter.Export(tables[0]).Single();
        Assert.Equal("größe", row.GetValue("Größe ✓"));
        Assert.Equal("q", row.GetValue("Odd\"Quote"));
        Assert.Equal(7, exporter.Export(tables[3]).Single().GetValue("列"));
        Assert.Equal("public", exporter.Export(tables[4]).Single().GetValue("v"));
        Assert.Equal("other", exporter.Export(tables[5]).Single().GetValue("v"));
        Assert.Equal(3, exporter.Export(tables[6]).Count());

        // Unquoted names fold to lower case, as in psql: Sales.T is sales.t, which does not exist.
        var ex = Assert.Throws<PgSourceException>(() => exporter.Describe(["Sales.T"]));
        Assert.Contains("Sales.T", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Columns_can_be_chosen_and_unknown_names_are_clear_errors()
    {
        using var exporter = Open();
        var chosen = exporter.Describe(["\"select\""], ["Odd\"Quote", "from"])[0];
        Assert.Equal(new[] { "from", "Odd\"Quote" }, chosen.Columns.Select(c => c.Name));
        Assert.Equal("q", exporter.Export(chosen).Single().GetValue(1));

        var noTable = Assert.Throws<PgSourceException>(() => exporter.Describe(["no_such_table"]));
        Assert.Contains("no_such_table", noTable.Message, StringComparison.Ordinal);
        var noColumn = Assert.Throws<PgSourceException>(() => exporter.Describe(["ints"], ["id", "nope"]));
        Assert.Contains("public.ints", noColumn.Message, StringComparison.Ordinal);
        Assert.Contains("\"nope\"", noColumn.Message, StringComparison.Ordinal);
        var noKey = Assert.Throws<PgSourceException>(() => exporter.Describe(["\"select\""], ["Odd\"Quote"]));
        Assert.Contains("\"from\"", noKey.Message, StringComparison.Ordinal);
        var badName = Assert.Throws<PgSourceException>(() => exporter.Describe(["a.b.c.d"]));
        Assert.Contains("a.b.c.d", badName.Message, StringComparison.Ordinal);
        var notTable = Assert.Throws<PgSourceException>(() => exporter.Describe(["seq"]));
        Assert.Contains("not a table", notTable.Message, StringComparison.Ordinal);

        // The errors above left the snapshot transaction usable.
        Assert.Equal(25, exporter.Export(exporter.Describe(["ints"])[0]).Count());
    }

    [Fact]
    public void A_wrong_password_never_appears_in_the_error()
    {
        if (!_pg.PasswordAuthEnforced) return; // an external server's pg_hba is not ours to know
        const string wrong = "Wrong-Pass-7f3a9c";
        var cs = _pg.PasswordUserConnectionString(_db, wrong);
        foreach (var settings in new[]
                 {
                     new PgConnectionSettings(cs),
                     new PgConnectionSettings(_pg.PasswordUserConnectionString(_db, ""), new NetworkCredential(PgCluster.PasswordUser, wrong)),
                 })
        {
            var ex = Assert.Throws<PgConnectionException>(() => new PgExporter(settings));
            Assert.Contains(PgCluster.PasswordUser, ex.Message, StringComparison.Ordinal);
            AssertNoSecret(ex, wrong, cs);
            Assert.DoesNotContain(wrong, settings.Describe(), StringComparison.Ordinal);
            Assert.DoesNotContain(wrong, settings.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_password_in_the_connection_string_never_appears_in_errors()
    {
        if (!_pg.PasswordAuthEnforced) return; // an external server's pg_hba is not ours to know
        var password = _pg.PasswordUserPassword;
        var cs = _pg.PasswordUserConnectionString(_db);
        using var exporter = new PgExporter(new PgConnectionSettings(cs));

        var unknown = Assert.Throws<PgSourceException>(() => exporter.Describe(["missing"]));
        AssertNoSecret(unknown, password, cs);

        // Not granted: COPY fails on the server; the error names the table, not the secret.
        var secret = exporter.Describe(["secret"])[0];
        var denied = Assert.Throws<PgSourceException>(() => exporter.Export(secret).ToList());
        Assert.Contains("public.secret", denied.Message, StringComparison.Ordinal);
        Assert.Contains("permission denied", denied.Message, StringComparison.Ordinal);
        AssertNoSecret(denied, password, cs);
        Assert.Single(exporter.Export(exporter.Describe(["a"])[0]));

        // Nobody listening: the connect error holds neither the password nor the string.
        var closed = new NpgsqlConnectionStringBuilder(cs) { Port = 1, Timeout = 2 }.ConnectionString;
        var refused = Assert.Throws<PgConnectionException>(() => new PgExporter(new PgConnectionSettings(closed)));
        AssertNoSecret(refused, password, closed);
    }

    static void AssertNoSecret(Exception ex, string password, string connectionString)
    {
        Assert.False(string.IsNullOrEmpty(ex.Message));
        foreach (var text in new[] { ex.Message, ex.ToString() })
        {
            Assert.DoesNotContain(password, text, StringComparison.Ordinal);
            Assert.DoesNotContain(connectionString, text, StringComparison.Ordinal);
        }
    }
}

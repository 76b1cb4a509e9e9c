using System.Text;
using Migration.Engine.Integrity;
using Migration.Engine.Source.Kv;
using Xunit;

namespace Migration.Engine.Tests.Integrity;

/// <summary>KV entries compared with the rows they became in a real SQLite file: per-key counts and a sample field by field.</summary>
public sealed class KvIntegrityCheckerTests
{
    static KvRecord Entry(string key, string value) => KvValue.Read(key, Encoding.UTF8.GetBytes(value), null, null);

    static readonly KvShapeOptions Watchlist = new() { KeyPattern = KvKeyPattern.Parse("watchlist:{chat_id}"), ExpandProperty = "ticker" };

    static TempSqlite Watchlists()
    {
        var db = new TempSqlite();
        db.Exec("CREATE TABLE watchlists (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_id INTEGER NOT NULL, ticker TEXT NOT NULL, UNIQUE (chat_id, ticker))");
        db.Exec("INSERT INTO watchlists (chat_id, ticker) VALUES (-1001234567890, 'AAPL'), (-1001234567890, 'MSFT'), (111, 'TSLA'), (444, 'OLD')");
        return db;
    }

    static IReadOnlyList<IntegrityResult> Check(TempSqlite db, string table, KvShapeOptions shape, IntegrityOptions options, params KvRecord[] entries)
    {
        using var checker = new KvIntegrityChecker(db.Path, table, shape, options);
        foreach (var e in entries) checker.Add(e);
        return checker.Finish();
    }

    [Fact]
    public void Per_key_counts_name_each_key_that_differs_and_rows_no_key_accounts_for()
    {
        using var db = Watchlists();
        var results = Check(db, "watchlists", Watchlist, new IntegrityOptions { SampleSize = 0 },
            Entry("watchlist:-1001234567890", "[\"AAPL\",\"MSFT\"]"),   // 2 and 2: equal (an INTEGER column, read as its text)
            Entry("watchlist:111", "[\"TSLA\",\"GME\"]"),               // 2 in KV, 1 in D1
            Entry("watchlist:333", "[\"X\","),                          // cannot become rows
            Entry("watchlist:999", "[\"Z\"]"));                         // 1 in KV, none in D1
        var count = results[0];
        Assert.Equal("RowCount", count.Check);
        Assert.False(count.Passed);
        Assert.Equal("5", count.Expected);
        Assert.Equal("4", count.Actual);
        var d = count.Differences.ToDictionary(x => x.Key);
        Assert.Equal(4, d.Count);
        Assert.Equal(("2 rows", "1 row"), (d["KV key \"watchlist:111\""].SourceValue, d["KV key \"watchlist:111\""].TargetValue));
        Assert.StartsWith("no rows: invalid JSON", d["KV key \"watchlist:333\""].SourceValue);
        Assert.Equal("0 rows", d["KV key \"watchlist:999\""].TargetValue);
        Assert.Equal(("no KV key", "1 row"), (d["chat_id='444'"].SourceValue, d["chat_id='444'"].TargetValue));
        Assert.Equal("Sample", results[1].Check);
        Assert.True(results[1].Passed);
    }

    [Fact]
    public void Equal_counts_pass_and_keys_without_fields_are_counted_together()
    {
        using var db = new TempSqlite();
        db.Exec("CREATE TABLE users (chat_id TEXT PRIMARY KEY, status INTEGER NOT NULL DEFAULT 1)");
        db.Exec("INSERT INTO users (chat_id) VALUES ('-1001234567890'), ('111')");
        var shape = new KvShapeOptions { KeyPattern = KvKeyPattern.Parse("chat_ids"), ExpandProperty = "chat_id" };
        var results = Check(db, "users", shape, new IntegrityOptions { Checks = IntegrityCheck.RowCount | IntegrityCheck.Sample, SampleSeed = 1 },
            Entry("chat_ids", "[-1001234567890, 111]"));
        Assert.All(results, r => Assert.True(r.Passed, r.ToString()));
        Assert.Equal("2", results[0].Expected);
        Assert.Equal("2 rows equal", results[1].Actual);
    }

    [Fact]
    public void The_sample_compares_every_column_a_row_carries_by_its_key_and_names_the_kv_key()
    {
        using var db = new TempSqlite();
        db.Exec("CREATE TABLE Books (isbn TEXT PRIMARY KEY, title TEXT NOT NULL, pages INTEGER NOT NULL, cover BLOB, imported_at INTEGER NOT NULL DEFAULT 0)");
        db.Exec("INSERT INTO Books (isbn, title, pages, cover) VALUES ('1', 'One', 10, NULL), ('2', 'Two', '20', NULL)"); // '20' stays 20: INTEGER affinity
        db.Exec("INSERT INTO Books (isbn, title, pages, cover) VALUES ('3', 'Three', 31, NULL)");
        var shape = new KvShapeOptions { KeyPattern = KvKeyPattern.Parse("book:isbn:{isbn}") };
        var results = Check(db, "Books", shape, new IntegrityOptions { Checks = IntegrityCheck.Sample, SampleSize = 10 },
            Entry("book:isbn:1", "{\"title\":\"One\",\"pages\":10}"),
            Entry("book:isbn:2", "{\"title\":\"Two\",\"pages\":20}"),
            Entry("book:isbn:3", "{\"title\":\"Three\",\"pages\":30}"),
            Entry("book:isbn:4", "{\"title\":\"Four\",\"pages\":40}"));
        var sample = Assert.Single(results);
        Assert.False(sample.Passed);
        Assert.Equal("2 of 4 random rows differ", sample.Details);
        var pages = Assert.Single(sample.Differences, x => x.Column == "pages");
        Assert.Equal(("KV key \"book:isbn:3\", isbn=3", "30", "31"), (pages.Key, pages.SourceValue, pages.TargetValue));
        var missing = Assert.Single(sample.Differences, x => x.Column is null);
        Assert.Equal(("KV key \"book:isbn:4\", isbn=4", "no row"), (missing.Key, missing.TargetValue));
    }

    [Fact]
    public void A_value_that_is_not_json_is_compared_as_its_bytes_with_AllowNonJson()
    {
        using var db = new TempSqlite();
        db.Exec("CREATE TABLE avatars (chat_id TEXT PRIMARY KEY, image BLOB NOT NULL)");
        db.Insert("avatars", [["111", new byte[] { 0x89, 0x50, 0xff, 0x00 }], ["222", new byte[] { 0x89, 0x50, 0xff, 0x01 }]]);
        var shape = new KvShapeOptions { KeyPattern = KvKeyPattern.Parse("avatar:{chat_id}"), ExpandProperty = "image", AllowNonJson = true };
        var results = Check(db, "avatars", shape, new IntegrityOptions { SampleSize = 10 },
            KvValue.Read("avatar:111", [0x89, 0x50, 0xff, 0x00], null, null),
            KvValue.Read("avatar:222", [0x89, 0x50, 0xff, 0x00], null, null));
        Assert.True(results[0].Passed);
        var d = Assert.Single(results[1].Differences);
        Assert.Equal(("image", "x'8950ff00'", "x'8950ff01'"), (d.Column, d.SourceValue, d.TargetValue));
    }

    [Fact]
    public void A_missing_table_or_a_key_field_the_table_lacks_cannot_be_checked()
    {
        using var db = Watchlists();
        Assert.Throws<IntegrityCheckException>(() => new KvIntegrityChecker(db.Path, "positions", Watchlist, new IntegrityOptions()));
        var wrong = new KvShapeOptions { KeyPattern = KvKeyPattern.Parse("watchlist:{user}") };
        var e = Assert.Throws<IntegrityCheckException>(() => new KvIntegrityChecker(db.Path, "watchlists", wrong, new IntegrityOptions()));
        Assert.Contains("user is not a column of watchlists", e.Message);
    }
}

using System.Collections;
using System.Numerics;
using Migration.Engine.Convert;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Xunit;

namespace Migration.Engine.Tests.Convert;

/// <summary>Plain objects (Workers KV JSON, CSV records, hashtables) with and without a target table.</summary>
public sealed class PlainConversionTests
{
    static KeyValuePair<string, object?> P(string name, object? value) => new(name, value);

    /// <summary>An existing D1 table: Books(isbn TEXT PK NOT NULL, pages INTEGER, price REAL, title TEXT NOT NULL, cover BLOB).</summary>
    static TableSchema Books() => new(SchemaKind.D1, null, "Books", "Books",
    [
        new Column("isbn", null, D1Type.Text, false),
        new Column("pages", null, D1Type.Integer, true),
        new Column("price", null, D1Type.Real, true),
        new Column("title", null, D1Type.Text, false),
        new Column("cover", null, D1Type.Blob, true),
    ], [0]);

    [Fact]
    public void First_object_fixes_columns_and_types()
    {
        var converter = new RowConverter(ConversionOptions.Default);
        var when = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(60);
        var row = converter.ConvertPlain("history",
        [
            P("id", 1L), P("ok", true), P("n", (byte)3), P("big", new BigInteger(5)),
            P("score", 1.5), P("ratio", 1.1f), P("amount", 12.50m),
            P("name", "x"), P("gid", Guid.Parse("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11")), P("at", when),
            P("raw", new byte[] { 1, 2 }), P("tags", new List<object?> { "a", null, 1L }),
            P("meta", new Dictionary<string, object?> { ["k"] = "😀", ["n"] = null }), P("nothing", null),
        ]);
        var s = row.GetSchema();
        Assert.Equal(SchemaKind.D1, s.Kind);
        Assert.Null(s.SourceSchema);
        Assert.Equal("history", s.Name);
        Assert.False(s.HasPrimaryKey);
        Assert.Equal(["id", "ok", "n", "big", "score", "ratio", "amount", "name", "gid", "at", "raw", "tags", "meta", "nothing"], s.Columns.Select(c => c.Name));
        Assert.Equal(
            [D1Type.Integer, D1Type.Integer, D1Type.Integer, D1Type.Integer, D1Type.Real, D1Type.Real, D1Type.Real,
             D1Type.Text, D1Type.Text, D1Type.Text, D1Type.Blob, D1Type.Text, D1Type.Text, D1Type.Text],
            s.Columns.Select(c => c.D1Type));
        Assert.All(s.Columns, c => Assert.True(c.IsNullable));
        Assert.All(s.Columns, c => Assert.Null(c.PgType));
        Assert.Equal(new object?[]
        {
            1L, 1L, 3L, 5L, 1.5, 1.1, 12.5, "x", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "2024-01-02T03:04:05.000006Z",
            new byte[] { 1, 2 }, "[\"a\",null,1]", "{\"k\":\"😀\",\"n\":null}", null,
        }, row.GetValues());
    }

    [Fact]
    public void Later_objects_are_coerced_to_the_fixed_schema()
    {
        var converter = new RowConverter(ConversionOptions.Default);
        var first = converter.ConvertPlain("watchlist", [P("chatId", 10L), P("ticker", "AAPL"), P("weight", 0.5)]);
        var second = converter.ConvertPlain("watchlist", [P("ticker", 42L), P("chatId", "12"), P("weight", 2L)]);
        Assert.Same(first.GetSchema(), second.GetSchema());
        Assert.Equal(new object?[] { 12L, "42", 2.0 }, second.GetValues());
        var third = converter.ConvertPlain("watchlist", [P("chatId", 13L)]);
        Assert.Equal(new object?[] { 13L, null, null }, third.GetValues()); // missing properties are NULL
    }

    [Fact]
    public void Inexact_coercions_are_errors_that_name_table_key_column_and_value()
    {
        var converter = new RowConverter(ConversionOptions.Default);
        converter.ConvertPlain("watchlist", [P("chatId", 10L), P("ticker", "AAPL"), P("weight", 0.5)]);

        var e = Assert.Throws<ConversionException>(() => converter.ConvertPlain("watchlist", [P("chatId", "12.5"), P("ticker", "X")]));
        Conv.AssertNames(e, "watchlist", "chatId=12.5", "chatId", "12.5");

        var e2 = Assert.Throws<ConversionException>(() => converter.ConvertPlain("watchlist", [P("chatId", 11L), P("weight", (1L << 53) + 1)]));
        Conv.AssertNames(e2, "watchlist", "chatId=11", "weight", "9007199254740993");
        Assert.Contains("2^53", e2.Reason);

        var e3 = Assert.Throws<ConversionException>(() => converter.ConvertPlain("watchlist", [P("chatId", 11L), P("extra", "v")]));
        Conv.AssertNames(e3, "watchlist", "chatId=11", "extra", "v");
        Assert.Contains("extra", e3.Reason);

        var e4 = Assert.Throws<ConversionException>(() => converter.ConvertPlain("watchlist", [P("chatId", 11L), P("weight", 0.1234567890123456789m)]));
        Assert.Equal("weight", e4.Column);
    }

    [Fact]
    public void Target_schema_coerces_exactly()
    {
        var converter = new RowConverter(ConversionOptions.Default);
        var books = Books();
        var row = converter.ConvertPlain("book", [P("ISBN", "978-0"), P("pages", "12"), P("price", "19.99"), P("title", "T"), P("cover", new byte[] { 9 })], books);
        Assert.Same(books, row.GetSchema());
        Assert.Equal(new object?[] { "978-0", 12L, 19.99, "T", new byte[] { 9 } }, row.GetValues());

        // A nullable column the object leaves out is left out of the row (an upsert keeps its value).
        var r2 = converter.ConvertPlain("book", [P("isbn", "1"), P("title", "U"), P("pages", 300.0), P("price", 5)], books);
        Assert.Equal(["isbn", "pages", "price", "title"], r2.GetSchema().Columns.Select(c => c.Name));
        Assert.Equal(new object?[] { "1", 300L, 5.0, "U" }, r2.GetValues());

        var r3 = converter.ConvertPlain("book", [P("isbn", "2"), P("title", "V"), P("pages", true)], books);
        Assert.Equal(1L, r3.GetValue(1));
    }

    [Fact]
    public void Target_schema_errors_name_the_key_and_column()
    {
        var converter = new RowConverter(ConversionOptions.Default);
        var e = Assert.Throws<ConversionException>(() => converter.ConvertPlain("book", [P("title", "T"), P("isbn", "9"), P("pages", "12.5")], Books()));
        Conv.AssertNames(e, "book", "isbn=9", "pages", "12.5");

        var missing = Assert.Throws<ConversionException>(() => converter.ConvertPlain("book", [P("isbn", "9")], Books()));
        Conv.AssertNames(missing, "book", "isbn=9", "title", "NULL");
        Assert.Contains("NOT NULL", missing.Reason);

        var unknown = Assert.Throws<ConversionException>(() => converter.ConvertPlain("book", [P("isbn", "9"), P("title", "T"), P("author", "A")], Books()));
        Conv.AssertNames(unknown, "book", "isbn=9", "author", "A");

        var blob = Assert.Throws<ConversionException>(() => converter.ConvertPlain("book", [P("isbn", "9"), P("title", "T"), P("cover", "AQI=")], Books()));
        Assert.Equal("cover", blob.Column);

        var big = Assert.Throws<ConversionException>(() => converter.ConvertPlain("book", [P("isbn", "9"), P("title", "T"), P("pages", ulong.MaxValue)], Books()));
        Assert.Equal("pages", big.Column);
    }

    [Fact]
    public void Maps_and_exclusions_apply_to_plain_objects()
    {
        var o = new ConversionOptions
        {
            TableMap = new Dictionary<string, string> { ["execution_history"] = "executions" },
            ColumnMap = new Dictionary<string, string> { ["execution_history.userId"] = "user_id" },
            Exclude = ["ttl"],
        };
        var row = new RowConverter(o).ConvertPlain("execution_history", [P("userId", 5), P("ttl", 60), P("note", "é")]);
        Assert.Equal("executions", row.GetSchema().Name);
        Assert.Equal("execution_history", row.GetSchema().SourceTable);
        Assert.Equal(["user_id", "note"], row.GetSchema().Columns.Select(c => c.Name));
        Assert.Equal("userId", row.GetSchema().Columns[0].SourceName);
        Assert.Equal(new object?[] { 5L, "é" }, row.GetValues());
    }

    [Fact]
    public void Nested_values_become_compact_json_with_non_ascii_kept()
    {
        var converter = new RowConverter(Conv.With(nonFinite: NonFiniteMode.Text));
        var nested = new Dictionary<string, object?>
        {
            ["s"] = "a\"b\\c\n👨‍👩‍👧",
            ["list"] = new object?[] { 1, 2.5, true, null, new Hashtable { ["x"] = 1 } },
            ["nan"] = double.NaN,
            ["d"] = 1.50m,
            ["g"] = Guid.Empty,
        };
        var row = converter.ConvertPlain("kv", [P("key", "k"), P("value", nested)]);
        var json = (string)row.GetValue(1)!;
        Assert.Equal("{\"s\":\"a\\\"b\\\\c\\n👨‍👩‍👧\",\"list\":[1,2.5,true,null,{\"x\":1}],\"nan\":\"NaN\",\"d\":1.50,\"g\":\"00000000-0000-0000-0000-000000000000\"}", json);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal("a\"b\\c\n👨‍👩‍👧", doc.RootElement.GetProperty("s").GetString());

        var strict = new RowConverter(ConversionOptions.Default);
        Assert.Throws<ConversionException>(() => strict.ConvertPlain("kv", [P("key", "k"), P("value", new List<object?> { double.PositiveInfinity })]));
    }

    [Fact]
    public void Date_times_follow_TimestampFormat()
    {
        var utc = new DateTime(2024, 1, 31, 23, 59, 59, DateTimeKind.Utc);
        var iso = new RowConverter(ConversionOptions.Default);
        Assert.Equal("2024-01-31T23:59:59.000000Z", iso.ConvertPlain("a", [P("at", utc)]).GetValue(0));
        Assert.Equal("2024-01-31T23:59:59.000000", iso.ConvertPlain("b", [P("at", DateTime.SpecifyKind(utc, DateTimeKind.Unspecified))]).GetValue(0));
        Assert.Equal("2024-01-31T23:59:59.000000Z", iso.ConvertPlain("c", [P("at", utc.ToLocalTime())]).GetValue(0));
        Assert.Equal("2024-01-31T23:59:59.000000Z", iso.ConvertPlain("d", [P("at", new DateTimeOffset(2024, 2, 1, 1, 59, 59, TimeSpan.FromHours(2)))]).GetValue(0));
        var e = Assert.Throws<ConversionException>(() => iso.ConvertPlain("e", [P("at", utc.AddTicks(1))]));
        Assert.Contains("AllowPrecisionLoss", e.Reason);

        var unix = new RowConverter(Conv.With(TimestampFormat.UnixSeconds));
        var row = unix.ConvertPlain("f", [P("at", utc)]);
        Assert.Equal(D1Type.Integer, row.GetSchema().Columns[0].D1Type);
        Assert.Equal(1706745599L, row.GetValue(0));
        Assert.Throws<ConversionException>(() => unix.ConvertPlain("f", [P("at", utc.AddMilliseconds(5))]));

        var sqlite = new RowConverter(Conv.With(TimestampFormat.SqliteDateTime));
        Assert.Equal("2024-01-31 23:59:59.000000", sqlite.ConvertPlain("g", [P("at", utc)]).GetValue(0));
    }

    [Fact]
    public void A_Postgres_timestamp_among_plain_values_follows_the_one_Unix_rule()
    {
        // A computed column returning $_.created_at (or Select-Object over exported rows) hands
        // the plain rules a PgTimestamp. They refused every one as "not supported"; now they take
        // it by the same rule as a timestamp column: infinity has no Unix time.
        var finite = PgTimestamp.FromDateTime(new DateTime(2024, 1, 31, 23, 59, 59, DateTimeKind.Utc), hasTimeZone: true);
        var unix = new RowConverter(Conv.With(TimestampFormat.UnixSeconds));
        Assert.Equal(1706745599L, unix.ConvertPlain("a", [P("at", finite)]).GetValue(0));
        var e = Assert.Throws<ConversionException>(() => unix.ConvertPlain("a", [P("at", new PgTimestamp(long.MaxValue, true))]));
        Assert.StartsWith("infinity has no Unix time", e.Reason, StringComparison.Ordinal);
        Assert.Throws<ConversionException>(() => unix.ConvertPlain("a", [P("at", new PgTimestamp(finite.Microseconds + 500_000, true))]));

        var iso = new RowConverter(ConversionOptions.Default);
        Assert.Equal("2024-01-31T23:59:59.000000Z", iso.ConvertPlain("b", [P("at", finite)]).GetValue(0));
        Assert.Equal("-infinity", iso.ConvertPlain("c", [P("at", new PgTimestamp(long.MinValue, false))]).GetValue(0));
        Assert.Equal("+10000-01-01T00:00:00.000000", iso.ConvertPlain("d", [P("at", new PgTimestamp(252455616000000000, false))]).GetValue(0));
        // A date is never Unix time: TEXT under every format.
        var day = unix.ConvertPlain("e", [P("day", new PgDate(int.MaxValue))]);
        Assert.Equal((D1Type.Text, (object)"infinity"), (day.GetSchema().Columns[0].D1Type, day.GetValue(0)!));
    }

    [Fact]
    public void Text_and_strings_are_never_nulled_or_blanked()
    {
        var converter = new RowConverter(ConversionOptions.Default);
        var row = converter.ConvertPlain("csv", [P("a", ""), P("b", "NULL"), P("c", "\\N"), P("d", null)]);
        Assert.Equal(new object?[] { "", "NULL", "\\N", null }, row.GetValues());
    }

    [Fact]
    public void Unsupported_first_value_does_not_fix_the_schema()
    {
        var converter = new RowConverter(ConversionOptions.Default);
        var e = Assert.Throws<ConversionException>(() => converter.ConvertPlain("t", [P("id", 1L), P("span", TimeSpan.FromHours(1))]));
        Conv.AssertNames(e, "t", "id=1", "span", "01:00:00");
        var row = converter.ConvertPlain("t", [P("id", 1L), P("span", "1h")]);
        Assert.Equal(D1Type.Text, row.GetSchema().Columns[1].D1Type);
    }
}

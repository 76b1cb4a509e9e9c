using System.Numerics;
using System.Text;
using Migration.Engine.Convert;
using Migration.Engine.Schema;
using Migration.Engine.Source.Kv;
using Xunit;

namespace Migration.Engine.Tests.Source.Kv;

/// <summary>KV values read exactly, keys split by a pattern, entries shaped into rows (no database needed).</summary>
public sealed class KvShapingTests
{
    static KvRecord Entry(string key, string json, long? expiration = null) => KvValue.Read(key, Encoding.UTF8.GetBytes(json), expiration, null);

    [Fact]
    public void Values_are_parsed_with_exact_numbers_else_kept_as_text_or_bytes()
    {
        var e = Entry("k", "{\"chat\":-1001234567890,\"big\":123456789012345678901234567890,\"p\":0.1,\"long\":0.10000000000000000000000000000000001}");
        Assert.Equal(KvValueKind.Json, e.Kind);
        var v = (Dictionary<string, object?>)e.Value!;
        Assert.Equal(-1001234567890L, v["chat"]);
        Assert.Equal(BigInteger.Parse("123456789012345678901234567890", System.Globalization.CultureInfo.InvariantCulture), v["big"]);
        Assert.Equal(0.1m, v["p"]);
        // decimal would round it: it stays its JSON text, never a rounded number.
        Assert.Equal("0.10000000000000000000000000000000001", v["long"]);

        var text = Entry("t", "[\"AAPL\",");
        Assert.Equal(KvValueKind.Text, text.Kind);
        Assert.StartsWith("invalid JSON", text.JsonError);

        var binary = KvValue.Read("b", [0xff, 0xfe, 0x00], null, "{\"m\":1}");
        Assert.Equal(KvValueKind.Binary, binary.Kind);
        Assert.Equal(new byte[] { 0xff, 0xfe, 0x00 }, binary.Value);
        Assert.Equal(1L, ((Dictionary<string, object?>)binary.Metadata!)["m"]);
    }

    [Theory]
    [InlineData("watchlist:{chat_id}", "watchlist:-100123", "chat_id=-100123")]
    [InlineData("order:{user}:{id}", "order:u1:42:x", "user=u1;id=42:x")]
    [InlineData("{a}-x", "q-x", "a=q")]
    [InlineData("lit{{{a}}}", "lit{7}", "a=7")]
    public void A_pattern_splits_a_key_into_fields(string pattern, string key, string expected)
    {
        var fields = KvKeyPattern.Parse(pattern).Match(key)!;
        Assert.Equal(expected, string.Join(";", fields.Select(f => f.Key + "=" + f.Value)));
    }

    [Theory]
    [InlineData("watchlist:{chat_id")]
    [InlineData("a}")]
    [InlineData("{a}{b}")]
    [InlineData("{a}:{a}")]
    [InlineData("x:{}")]
    public void A_malformed_pattern_is_refused(string pattern) =>
        Assert.Throws<ArgumentException>(() => KvKeyPattern.Parse(pattern));

    [Fact]
    public void A_key_that_does_not_match_is_null() => Assert.Null(KvKeyPattern.Parse("watchlist:{id}").Match("position:1"));

    [Fact]
    public void Arrays_of_scalars_expand_into_the_named_column_with_the_key_fields_on_every_row()
    {
        var shaper = new KvRowShaper(new KvShapeOptions { KeyPattern = KvKeyPattern.Parse("watchlist:{chat_id}"), ExpandProperty = "ticker" });
        var rows = shaper.Shape(Entry("watchlist:-1001234567890", "[\"AAPL\",\"MSFT\"]"));
        Assert.Equal(2, rows.Count);
        Assert.Equal("KV key \"watchlist:-1001234567890\"[1]", rows[1].Origin);
        Assert.Equal(["ticker=MSFT", "chat_id=-1001234567890"], rows[1].Properties.Select(p => p.Key + "=" + p.Value));
    }

    [Fact]
    public void Objects_scalars_expiration_metadata_and_key_columns()
    {
        var shaper = new KvRowShaper(new KvShapeOptions { KeyColumn = "name", ExpirationColumn = "expires_at", MetadataColumn = "meta" });
        var record = KvValue.Read("cache", Encoding.UTF8.GetBytes("{\"score\":42}"), 1_800_000_000, "{\"src\":\"cnn\"}");
        var one = Assert.Single(shaper.Shape(record));
        Assert.Equal("KV key \"cache\"", one.Origin);
        var map = one.Properties.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(42L, map["score"]);
        Assert.Equal("cache", map["name"]);
        Assert.Equal(1_800_000_000L, map["expires_at"]);
        Assert.Equal(KvRowShaper.DefaultValueColumn, Assert.Single(new KvRowShaper(new KvShapeOptions()).Shape(Entry("s", "7"))).Properties[0].Key);
    }

    [Fact]
    public void A_field_the_value_holds_differently_and_a_nested_array_are_errors_naming_the_key()
    {
        var shaper = new KvRowShaper(new KvShapeOptions { KeyPattern = KvKeyPattern.Parse("p:{chat_id}") });
        Assert.Single(shaper.Shape(Entry("p:1", "{\"chat_id\":1}"))); // same value: fine
        var differs = Assert.Throws<KvShapeException>(() => shaper.Shape(Entry("p:1", "{\"chat_id\":2}")));
        Assert.Contains("KV key \"p:1\"", differs.Message);
        var nested = Assert.Throws<KvShapeException>(() => shaper.Shape(Entry("p:1", "[[1]]")));
        Assert.Contains("KV key \"p:1\"[0]", nested.Message);
        var notJson = Assert.Throws<KvShapeException>(() => shaper.Shape(Entry("p:1", "{")));
        Assert.StartsWith("invalid JSON", notJson.Reason);
        var noMatch = Assert.Throws<KvShapeException>(() => shaper.Shape(Entry("q:1", "{}")));
        Assert.Contains("does not match -KeyPattern 'p:{chat_id}'", noMatch.Reason);
    }

    [Fact]
    public void AllowNonJson_keeps_text_and_bytes_as_one_row_with_the_key_fields()
    {
        var shaper = new KvRowShaper(new KvShapeOptions { KeyPattern = KvKeyPattern.Parse("note:{chat_id}"), ExpandProperty = "note", AllowNonJson = true });
        var text = Assert.Single(shaper.Shape(Entry("note:7", "[\"not\", json")));
        Assert.Equal(["note=[\"not\", json", "chat_id=7"], text.Properties.Select(p => p.Key + "=" + p.Value));
        var bytes = Assert.Single(shaper.Shape(KvValue.Read("note:8", [0xff, 0x00], null, null)));
        Assert.Equal(new byte[] { 0xff, 0x00 }, bytes.Properties[0].Value);
        // JSON is still parsed: a value that is JSON is shaped as ever
        Assert.Equal(2, shaper.Shape(Entry("note:9", "[\"a\",\"b\"]")).Count);
        var refused = Assert.Throws<KvShapeException>(() => new KvRowShaper(new KvShapeOptions()).Shape(Entry("n", "plain")));
        Assert.Contains("-AllowNonJson", refused.Reason);
    }

    [Fact]
    public void Shape_options_refuse_a_column_named_twice_and_are_null_when_nothing_is_given()
    {
        Assert.Null(KvShapeOptions.Create(null, null, null, null, null, false));
        Assert.True(KvShapeOptions.Create(null, null, null, null, null, true)!.AllowNonJson);
        Assert.Equal(["chat_id", "k"], KvShapeOptions.Create("w:{chat_id}", null, null, null, "k", false)!.KeyFieldColumns);
        var e = Assert.Throws<ArgumentException>(() => KvShapeOptions.Create("w:{chat_id}", "chat_id", null, null, null, false));
        Assert.Contains("\"chat_id\" is named twice", e.Message);
    }

    /// <summary>watchlists(id INTEGER PRIMARY KEY AUTOINCREMENT, chat_id TEXT NOT NULL, ticker TEXT NOT NULL, added INTEGER NOT NULL DEFAULT ..., UNIQUE(chat_id, ticker)).</summary>
    static TableSchema Watchlists() => new(SchemaKind.D1, null, "watchlists", "watchlists",
    [
        new Column("id", null, D1Type.Integer, false) { HasDefault = true },
        new Column("chat_id", null, D1Type.Text, false),
        new Column("ticker", null, D1Type.Text, false),
        new Column("added", null, D1Type.Integer, false) { HasDefault = true },
    ], [0]) { UniqueKeys = [[1, 2]] };

    [Fact]
    public void Columns_the_table_fills_are_left_out_and_rows_match_on_the_unique_key_they_carry()
    {
        var converter = new KvRowConverter(new RowConverter(ConversionOptions.Default),
            new KvShapeOptions { KeyPattern = KvKeyPattern.Parse("watchlist:{chat_id}"), ExpandProperty = "ticker" });
        var target = Watchlists();
        var results = converter.Convert(Entry("watchlist:-1001234567890", "[\"AAPL\",\"MSFT\"]"), "watchlists", target);
        var rows = results.Select(r => r.Row!).ToList();
        Assert.All(results, r => Assert.Null(r.Error));
        var schema = rows[0].GetSchema();
        Assert.Same(schema, rows[1].GetSchema()); // one schema per shape, not per row
        Assert.Equal(["chat_id", "ticker"], schema.Columns.Select(c => c.Name));
        Assert.Equal([0, 1], schema.PrimaryKey);
        Assert.Equal("-1001234567890", rows[0].GetValue("chat_id"));
        Assert.Equal("KV key \"watchlist:-1001234567890\"[0]", rows[0].GetOrigin());
        Assert.StartsWith("KV key \"watchlist:-1001234567890\"[1], chat_id=", rows[1].DescribeKey());
    }

    [Fact]
    public void A_value_that_does_not_fit_its_column_fails_its_element_only_naming_key_and_column()
    {
        var target = new TableSchema(SchemaKind.D1, null, "executions", "executions",
        [
            new Column("id", null, D1Type.Integer, false) { HasDefault = true },
            new Column("chat_id", null, D1Type.Text, false),
            new Column("price", null, D1Type.Real, false),
            new Column("at", null, D1Type.Integer, false),
        ], [0]);
        var converter = new KvRowConverter(new RowConverter(ConversionOptions.Default), new KvShapeOptions { KeyPattern = KvKeyPattern.Parse("h:{chat_id}") });
        var results = converter.Convert(Entry("h:7", "[{\"price\":\"n/a\",\"at\":1},{\"price\":1.5,\"at\":2},{\"price\":2,\"at\":12345678901234567890}, {\"price\":3}]"), "executions", target);
        Assert.Null(results[1].Error);
        Assert.Equal(1.5, results[1].Row!.GetValue("price"));
        Assert.Equal("price", results[0].Error!.Column);
        Assert.StartsWith("KV key \"h:7\"[0]", results[0].Error!.Key);
        Assert.Equal("at", results[2].Error!.Column);
        Assert.Contains("missing", results[3].Error!.Reason);
        Assert.Contains("KV key \"h:7\"[3]", results[3].Error!.Message);
    }

    [Fact]
    public void A_resume_key_is_rebuilt_from_the_checkpoint()
    {
        var pattern = KvKeyPattern.Parse("book:isbn:{isbn}");
        Assert.Equal("book:isbn:978", KvResumeKey.Rebuild(pattern, ["isbn"], ["978"], "Books"));
        Assert.Equal("w:-5", KvResumeKey.Rebuild(KvKeyPattern.Parse("w:{chat_id}"), ["chat_id", "ticker"], [-5L, "A"], "w"));
        Assert.Throws<ArgumentException>(() => KvResumeKey.Rebuild(pattern, ["id"], [1L], "Books"));
    }

    [Fact]
    public void Keys_are_ordered_by_their_utf8_bytes_as_kv_lists_them()
    {
        // In UTF-16 (.NET ordinal) U+1F600 (D83D DE00) sorts before U+FF5E; in UTF-8 (EF BD 9E < F0 9F 98 80), as KV lists, after it.
        var keys = new List<string> { "b", "a", "\uFF5E", "\U0001F600", "a:" };
        keys.Sort(KvKeyOrder.Instance);
        Assert.Equal(["a", "a:", "b", "\uFF5E", "\U0001F600"], keys);
        Assert.True(new KvReadOptions(StartAfter: "a").Wants("a:"));
        Assert.False(new KvReadOptions(StartAfter: "a:").Wants("a:"));
        Assert.True(new KvReadOptions(StartAt: "a:").Wants("a:"));
        Assert.False(new KvReadOptions(Prefix: "b").Wants("a:"));
    }
}

using Migration.Engine.Schema;
using Migration.Engine.Target;
using Xunit;
using static Migration.Engine.Tests.Target.TargetTestSupport;

namespace Migration.Engine.Tests.Target;

public sealed class SqliteTargetValueTests : IDisposable
{
    readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    static readonly TableSchema Values = D1("v", [Col("id", D1Type.Integer, false), Col("t", D1Type.Text), Col("i", D1Type.Integer), Col("r", D1Type.Real), Col("b", D1Type.Blob)], 0);

    public static TheoryData<object?[]> RoundTrips() => new()
    {
        new object?[] { 1L, "line1\r\nline2\nline3\r", long.MinValue, 0.1, new byte[] { 0, 0, 0 } },
        new object?[] { 2L, "emoji 🦆 and ünïcödé, 中文", long.MaxValue, 1e308, Array.Empty<byte>() },
        new object?[] { 3L, "", 0L, -0.5, new byte[] { 0xFF, 0x00, 0x7F } },
        new object?[] { 4L, null, null, null, null },
        new object?[] { 5L, "it's \"quoted\"; DROP TABLE v; --", -1L, double.Epsilon, new byte[] { 0 } },
        new object?[] { 6L, "tab\there\0nul", 9007199254740993L, 0.30000000000000004, new byte[] { 1 } },
        new object?[] { 7L, "0123", 1L, double.MaxValue, null },
        new object?[] { 8L, "   ", 2L, double.PositiveInfinity, null },
    };

    [Theory]
    [MemberData(nameof(RoundTrips))]
    public void Values_round_trip_exactly_with_their_storage_class(object?[] values)
    {
        var path = _dir.File("values.sqlite");

        var outcome = Write(path, new ImportOptions(), [R(Values, values)]);

        Assert.Empty(outcome.Errors);
        var back = Rows(path, "SELECT id, t, i, r, b FROM v");
        Assert.Equal(values, Assert.Single(back));
        var expectedTypes = values.Select(v => v switch { null => "null", long => "integer", double => "real", string => "text", _ => "blob" }).ToArray();
        Assert.Equal(expectedTypes, Rows(path, "SELECT typeof(id), typeof(t), typeof(i), typeof(r), typeof(b) FROM v")[0]);
    }

    [Fact]
    public void Values_larger_than_the_bind_buffer_round_trip_even_when_a_row_outgrows_it_twice()
    {
        // Text and blobs are bound in place from one buffer per row; a row whose values
        // outgrow it must not leave an earlier value of the same row pointing at freed bytes.
        var path = _dir.File("large.sqlite");
        var schema = D1("big", [Col("id", D1Type.Integer, false), Col("a", D1Type.Text), Col("b", D1Type.Blob), Col("c", D1Type.Text)], 0);
        var a = string.Concat(Enumerable.Range(0, 40_000).Select(i => (char)('a' + i % 26))) + "é🦆";
        var b = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray();
        var c = new string('€', 200_000);
        var rows = new List<Row> { R(schema, 1L, a, b, c), R(schema, 2L, "small", new byte[] { 1 }, ""), R(schema, 3L, c, b, a) };

        var outcome = Write(path, new ImportOptions(), rows);

        Assert.Empty(outcome.Errors);
        Assert.Equal(rows.Select(r => r.GetValues()).ToList(), Rows(path, "SELECT id, a, b, c FROM big ORDER BY id"));
    }

    [Fact]
    public void Text_with_an_unpaired_surrogate_is_refused_not_turned_into_a_replacement_character()
    {
        // UTF-8 cannot hold a lone UTF-16 surrogate (JSON "\ud800" parses to one); encoding it
        // would silently store U+FFFD instead.
        var path = _dir.File("surrogate.sqlite");

        var outcome = Write(path, new ImportOptions(),
            [R(Values, 1L, "ok \ud83e\udd86 pair", 1L, null, null), R(Values, 2L, "lone \ud800 high", 2L, null, null), R(Values, 3L, "x\udc00", 3L, null, null)]);

        Assert.Equal([("id=2", "t"), ("id=3", "t")], outcome.Errors.Select(e => (e.Key, e.Column)));
        Assert.All(outcome.Errors, e => Assert.Contains("unpaired UTF-16 surrogate", e.Reason, StringComparison.Ordinal));
        Assert.Contains("character 6", outcome.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Equal(Expect([1L, "ok 🦆 pair"]), Rows(path, "SELECT id, t FROM v"));
    }

    [Fact]
    public void NaN_is_refused_and_named_and_the_other_rows_go_on()
    {
        var path = _dir.File("nan.sqlite");

        var outcome = Write(path, new ImportOptions(), [R(Values, 1L, "a", 1L, double.NaN, null), R(Values, 2L, "b", 2L, 2.0, null)]);

        var e = Assert.Single(outcome.Errors);
        Assert.Equal(("v", "id=1", "r", "NaN"), (e.Table, e.Key, e.Column, e.ValueExcerpt));
        Assert.Contains("NaN", e.Reason, StringComparison.Ordinal);
        Assert.Equal(Expect([2L]), Rows(path, "SELECT id FROM v"));
        Assert.Equal((1L, 1L), (outcome.Summary("v").RowsWritten, outcome.Summary("v").RowsFailed));
    }

    [Fact]
    public void A_value_that_is_not_a_D1_value_is_refused()
    {
        var path = _dir.File("clr.sqlite");

        var outcome = Write(path, new ImportOptions(), [R(Values, 1L, "a", 1, null, null), R(Values, 2L, "b", 2L, null, null)]);

        var e = Assert.Single(outcome.Errors);
        Assert.Equal(("id=1", "i"), (e.Key, e.Column));
        Assert.Contains("System.Int32 is not a D1 value", e.Reason, StringComparison.Ordinal);
        Assert.Equal(Expect([2L]), Rows(path, "SELECT id FROM v"));
    }

    [Fact]
    public void Rows_over_the_size_limit_are_refused_before_the_write()
    {
        var path = _dir.File("size.sqlite");
        var options = new ImportOptions { Limits = new D1Limits { MaxRowBytes = 100 } };
        var schema = D1("s", [Col("id", D1Type.Integer, false), Col("a", D1Type.Text), Col("b", D1Type.Blob)], 0);

        var outcome = Write(path, options,
        [
            R(schema, 1L, new string('x', 40), new byte[40]),          // 88 bytes: fits
            R(schema, 2L, new string('é', 30), new byte[40]),          // 8 + 60 + 40 = 108: the row is over
            R(schema, 3L, null, new byte[101]),                        // one BLOB alone is over
            R(schema, 4L, new string('x', 33), null),                  // bound 8 + 3 x 33 = 107, exactly 41 bytes: fits
        ]);

        Assert.Equal(Expect([1L], [4L]), Rows(path, "SELECT id FROM s ORDER BY id"));
        var row = outcome.Errors.Single(e => e.Key == "id=2");
        Assert.Contains("the row is 108 bytes, over D1's limit of 100", row.Reason, StringComparison.Ordinal);
        var blob = outcome.Errors.Single(e => e.Key == "id=3");
        Assert.Equal(("b", "<101 bytes>"), (blob.Column, blob.ValueExcerpt));
        Assert.Contains("the value is 101 bytes", blob.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_is_written_when_every_row_is_over_the_limit()
    {
        var path = _dir.File("allbig.sqlite");
        var schema = D1("s", [Col("id", D1Type.Integer, false), Col("a", D1Type.Text)], 0);

        var outcome = Write(path, new ImportOptions { Limits = new D1Limits { MaxRowBytes = 10 } }, [R(schema, 1L, "01234567890")]);

        Assert.Empty(Rows(path, "SELECT * FROM s"));
        Assert.Equal((0L, 1L, 0), (outcome.Summary("s").RowsWritten, outcome.Summary("s").RowsFailed, outcome.Summary("s").Batches));
    }

    [Fact]
    public void Values_an_existing_column_would_silently_convert_are_refused()
    {
        var path = _dir.File("affinity.sqlite");
        Exec(path, "CREATE TABLE a (id INTEGER PRIMARY KEY, zip INTEGER, amount REAL, label TEXT, born DATE)");
        var schema = D1("a", [Col("id", D1Type.Integer, false), Col("zip", D1Type.Text), Col("amount", D1Type.Integer), Col("label", D1Type.Real), Col("born", D1Type.Text)], 0);

        var outcome = Write(path, new ImportOptions(),
        [
            R(schema, 1L, "01234", null, null, null),                    // INTEGER affinity would make it 1234
            R(schema, 2L, null, 9007199254740993L, null, null),          // REAL affinity would round it
            R(schema, 3L, null, null, 0.30000000000000004, null),        // TEXT affinity would store "0.3"
            R(schema, 4L, null, null, null, "20240101"),                 // NUMERIC affinity would make it a number
            R(schema, 5L, "N1 2AB", 42L, null, "2024-01-01"),           // text that stays text, an exact integer: fine
        ]);

        Assert.Equal(["zip", "amount", "label", "born"], outcome.Errors.Select(e => e.Column));
        Assert.Equal(Expect([5L, "N1 2AB", 42.0, null, "2024-01-01"]), Rows(path, "SELECT * FROM a"));
    }

    [Fact]
    public void A_refusal_names_a_column_with_a_double_quote_in_it_quoted_as_SQL_would()
    {
        // The reason quoted the column without escaping: "a"b" read as a column "a" followed by b".
        var path = _dir.File("quoted.sqlite");
        Exec(path, "CREATE TABLE q (id INTEGER PRIMARY KEY, \"a\"\"b\" REAL)");
        var schema = D1("q", [Col("id", D1Type.Integer, false), Col("a\"b", D1Type.Integer)], 0);

        var outcome = Write(path, new ImportOptions(), [R(schema, 1L, 9007199254740993L)]);

        var e = Assert.Single(outcome.Errors);
        Assert.Equal("a\"b", e.Column);
        Assert.StartsWith("the column \"a\"\"b\" is REAL", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void NULL_in_an_integer_key_is_refused_rather_than_given_a_new_rowid()
    {
        var path = _dir.File("rowid.sqlite");

        var outcome = Write(path, new ImportOptions(), [R(Values, null, "no id", null, null, null), R(Values, 2L, "id", null, null, null)]);

        var e = Assert.Single(outcome.Errors);
        Assert.Equal(("id", "NULL"), (e.Column, e.ValueExcerpt));
        Assert.Equal(Expect([2L, "id"]), Rows(path, "SELECT id, t FROM v"));
    }
}

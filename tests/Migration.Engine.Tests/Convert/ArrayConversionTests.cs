using Migration.Engine.Convert;
using Migration.Engine.Schema;
using Xunit;

namespace Migration.Engine.Tests.Convert;

/// <summary>Postgres array literals (as array_out prints them) to JSON text.</summary>
public sealed class ArrayConversionTests
{
    static readonly PgType TextArray = Pg.ArrayOf(Pg.Text);

    static string Json(PgType element, string literal, ConversionOptions? o = null) =>
        Assert.IsType<string>(Conv.One(Pg.ArrayOf(element), literal, o));

    [Theory]
    [InlineData("{a,NULL,\"b,c\"}", "[\"a\",null,\"b,c\"]")]
    [InlineData("{\"NULL\",null,NULL,Null}", "[\"NULL\",null,null,null]")]
    [InlineData("{}", "[]")]
    [InlineData("{\"\"}", "[\"\"]")]
    [InlineData("{\"say \\\"hi\\\"\",\"back\\\\slash\"}", "[\"say \\\"hi\\\"\",\"back\\\\slash\"]")]
    [InlineData("{\"{x}\",\"a}b\",\"{\"}", "[\"{x}\",\"a}b\",\"{\"]")]
    [InlineData("{  a b , \"  c  \" ,d}", "[\"a b\",\"  c  \",\"d\"]")]
    [InlineData("{\"\\\\N\",\\\\N}", "[\"\\\\N\",\"\\\\N\"]")]
    [InlineData("{a\\,b,\\NULL}", "[\"a,b\",\"NULL\"]")]
    [InlineData("{\"👨‍👩‍👧\",é,中文}", "[\"👨‍👩‍👧\",\"é\",\"中文\"]")]
    [InlineData("{\"a\nb\",\"c\td\",\"\r\",\"\u0001\"}", "[\"a\\nb\",\"c\\td\",\"\\r\",\"\\u0001\"]")]
    [InlineData("{\"'\",'}", "[\"'\",\"'\"]")]
    [InlineData("{{a,b},{c,NULL}}", "[[\"a\",\"b\"],[\"c\",null]]")]
    [InlineData("{{{x}}}", "[[[\"x\"]]]")]
    [InlineData("{{},{}}", "[[],[]]")]
    public void Text_arrays(string literal, string json)
    {
        Assert.Equal(json, Json(Pg.Text, literal));
        Assert.Equal(D1Type.Text, Conv.TypeOf(TextArray));
    }

    [Fact]
    public void Output_is_valid_json_that_reads_back_to_the_same_elements()
    {
        var json = Json(Pg.Text, "{\"a\\\"b\",\"c\\\\d\",\"e\nf\",NULL,\"😀\",\"x,y\"}");
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var items = doc.RootElement.EnumerateArray().Select(e => e.ValueKind == System.Text.Json.JsonValueKind.Null ? null : e.GetString()).ToArray();
        Assert.Equal(new string?[] { "a\"b", "c\\d", "e\nf", null, "😀", "x,y" }, items);
    }

    [Fact]
    public void Lower_bound_other_than_one_is_an_error_not_a_silent_drop()
    {
        var e = Conv.Fails(Pg.ArrayOf(Pg.Int), "[0:1]={1,2}");
        Assert.Contains("lower bound 0", e.Reason);
        Conv.Fails(Pg.ArrayOf(Pg.Int), "[1:1][-2:-1]={{1,2}}");
        // Lower bound 1 is the default: nothing is lost.
        Assert.Equal("[1,2]", Json(Pg.Int, "[1:2]={1,2}"));
    }

    [Theory]
    [InlineData("{a,b")]
    [InlineData("{a,,b}")]
    [InlineData("{{1},2}")]
    [InlineData("{\"a}")]
    [InlineData("{a}x")]
    [InlineData("a,b")]
    public void Malformed_literals_are_errors(string literal)
    {
        var e = Conv.Fails(TextArray, literal);
        Assert.Contains("malformed", e.Reason);
    }

    [Fact]
    public void Array_value_of_the_wrong_clr_type_is_an_error()
    {
        Conv.Fails(TextArray, new[] { "a" }, excerpt: ValueExcerpt.Of(new[] { "a" }));
    }

    [Fact]
    public void Booleans_are_json_true_false()
    {
        Assert.Equal("[true,false,null]", Json(Pg.Boolean, "{t,f,NULL}"));
        Conv.Fails(Pg.ArrayOf(Pg.Boolean), "{maybe}");
    }

    [Fact]
    public void Integers_are_json_numbers()
    {
        Assert.Equal("[[1,-2],[9223372036854775807,null]]", Json(Pg.BigInt, "{{1,-2},{9223372036854775807,NULL}}"));
        Assert.Equal("[1]", Json(Pg.Int, "{\"1\"}"));
        var e = Conv.Fails(Pg.ArrayOf(Pg.Int), "{1,x}");
        Assert.Contains("element 2", e.Reason);
    }

    [Fact]
    public void Numeric_elements_keep_their_digits_and_scale()
    {
        Assert.Equal("[1.50,-2,0.1234567890123456789,123456789012345678901234567890]",
            Json(Pg.Numeric(), "{1.50,-2,0.1234567890123456789,123456789012345678901234567890}"));
        Conv.Fails(Pg.ArrayOf(Pg.Numeric()), "{1,NaN}");
        Assert.Equal("[1,\"NaN\",\"Infinity\"]", Json(Pg.Numeric(), "{1,NaN,Infinity}", Conv.With(nonFinite: NonFiniteMode.Text)));
        Assert.Equal("[1,null]", Json(Pg.Numeric(), "{1,NaN}", Conv.With(nonFinite: NonFiniteMode.Null)));
    }

    [Fact]
    public void Float_elements_are_numbers_and_non_finite_follows_NonFinite()
    {
        Assert.Equal("[1.1,1e+20,-0,1.5e-07]", Json(Pg.Double, "{1.1,1e+20,-0,1.5e-07}"));
        var e = Conv.Fails(Pg.ArrayOf(Pg.Double), "{1,Infinity}");
        Assert.Contains("NonFinite", e.Reason);
        Assert.Equal("[\"NaN\",\"Infinity\",\"-Infinity\"]", Json(Pg.Real, "{NaN,Infinity,-Infinity}", Conv.With(nonFinite: NonFiniteMode.Text)));
        Assert.Equal("[null,2]", Json(Pg.Real, "{NaN,2}", Conv.With(nonFinite: NonFiniteMode.Null)));
    }

    [Fact]
    public void Json_elements_are_embedded()
    {
        Assert.Equal("[{\"a\": \"é\"},[1, 2],\"s\",null]", Json(Pg.Jsonb, "{\"{\\\"a\\\": \\\"é\\\"}\",\"[1, 2]\",\"\\\"s\\\"\",NULL}"));
        // The JSON string "null" is not the JSON null: it embeds as a string.
        Assert.Equal("[\"null\",null]", Json(Pg.Jsonb, "{\"\\\"null\\\"\",NULL}"));
    }

    [Fact]
    public void A_json_array_with_a_json_null_element_is_written_in_its_text_form()
    {
        // Embedded, the JSON null and the SQL NULL would both be null: every element becomes the
        // string of its JSON text, an SQL NULL element null, inside {"json_text": ...}.
        Assert.Equal("{\"json_text\":[\"null\",null]}", Json(Pg.Jsonb, "{\"null\",NULL}"));
        Assert.Equal("{\"json_text\":[\"null\"]}", Json(Pg.Jsonb, "{\"null\"}"));
        Assert.Equal("[null]", Json(Pg.Jsonb, "{null}")); // unquoted: the SQL NULL element
        Assert.Equal("{\"json_text\":[[\"{\\\"a\\\": 1}\",null],[\"null\",\"\\\"s\\\"\"]]}",
            Json(Pg.Jsonb, "{{\"{\\\"a\\\": 1}\",NULL},{\"null\",\"\\\"s\\\"\"}}"));
        // json keeps its bytes (whitespace) in the text form too.
        Assert.Equal("{\"json_text\":[\" null \",\"[1,  2]\"]}", Json(Pg.Json, "{\" null \",\"[1,  2]\"}"));
        // Arrays without a JSON null element keep the embedded form.
        Assert.Equal("[1,null]", Json(Pg.Jsonb, "{1,NULL}"));
    }

    [Fact]
    public void Timestamp_elements_get_the_scalar_text()
    {
        Assert.Equal("[\"2020-01-01T00:00:00.000000Z\",\"2020-01-01T00:00:00.500000Z\",\"-0043-03-15T00:00:00.000000Z\",\"+10000-01-01T00:00:00.000000Z\",\"infinity\",\"-infinity\",null]",
            Json(Pg.TimestampTz, "{\"2020-01-01 00:00:00+00\",\"2020-01-01 00:00:00.5+00\",\"0044-03-15 00:00:00+00 BC\",\"10000-01-01 00:00:00+00\",infinity,-infinity,NULL}"));
        Assert.Equal("[\"2020-01-01T00:00:00.000000Z\"]", Json(Pg.TimestampTz, "{\"2020-01-01 05:30:00+05:30\"}"));
        Assert.Equal("[\"2020-01-01T12:00:00.123456\"]", Json(Pg.Timestamp, "{\"2020-01-01 12:00:00.123456\"}"));
        Assert.Equal("[\"2020-01-01 12:00:00.000000\"]", Json(Pg.TimestampTz, "{\"2020-01-01 12:00:00+00\"}", Conv.With(TimestampFormat.SqliteDateTime)));
        Conv.Fails(Pg.ArrayOf(Pg.TimestampTz), "{\"2020-02-30 00:00:00+00\"}");
    }

    [Fact]
    public void Timestamp_elements_under_unix_formats_are_numbers()
    {
        var seconds = Conv.With(TimestampFormat.UnixSeconds);
        Assert.Equal("[1577836800,null]", Json(Pg.TimestampTz, "{\"2020-01-01 00:00:00+00\",NULL}", seconds));
        Assert.Equal("[1577836800500]", Json(Pg.TimestampTz, "{\"2020-01-01 00:00:00.5+00\"}", Conv.With(TimestampFormat.UnixMilliseconds)));
        Conv.Fails(Pg.ArrayOf(Pg.TimestampTz), "{\"2020-01-01 00:00:00.5+00\"}", seconds);
        Assert.Equal("[1577836800]", Json(Pg.TimestampTz, "{\"2020-01-01 00:00:00.5+00\"}", Conv.With(TimestampFormat.UnixSeconds, allowLoss: true)));
        Conv.Fails(Pg.ArrayOf(Pg.TimestampTz), "{infinity}", seconds);
    }

    [Fact]
    public void Date_and_time_elements_get_the_scalar_text()
    {
        Assert.Equal("[\"2020-01-01\",\"-0043-03-15\",\"infinity\",null]", Json(Pg.Date, "{2020-01-01,\"0044-03-15 BC\",infinity,NULL}"));
        Assert.Equal("[\"2020-01-01\"]", Json(Pg.Date, "{2020-01-01}", Conv.With(TimestampFormat.UnixSeconds)));
        Assert.Equal("[\"12:30:00.500000\",\"24:00:00.000000\"]", Json(Pg.Time, "{12:30:00.5,24:00:00}"));
    }

    [Fact]
    public void Uuid_elements_are_lower_case_strings()
    {
        Assert.Equal("[\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\",null]", Json(Pg.Uuid, "{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11,NULL}"));
    }

    [Fact]
    public void Other_elements_are_strings_of_postgres_text()
    {
        Assert.Equal("[\"\\\\x0102\",\"\\\\x\"]", Json(Pg.Bytea, "{\"\\\\x0102\",\"\\\\x\"}"));
        Assert.Equal("[\"192.168.0.1/24\"]", Json(Pg.Inet, "{192.168.0.1/24}"));
        Assert.Equal("[\"$1,234.50\"]", Json(Pg.Money, "{\"$1,234.50\"}"));
        Assert.Equal("[\"P1D\"]", Json(Pg.Interval, "{P1D}"));
    }

    [Fact]
    public void Box_arrays_use_the_semicolon_delimiter()
    {
        Assert.Equal("[\"(1,1),(0,0)\",\"(2,2),(1,1)\"]", Json(Pg.Box, "{(1,1),(0,0);(2,2),(1,1)}"));
    }

    [Fact]
    public void Element_errors_name_the_row()
    {
        var e = Conv.Fails(Pg.ArrayOf(Pg.Uuid), "{not-a-uuid}");
        Assert.Contains("element 1", e.Reason);
    }
}

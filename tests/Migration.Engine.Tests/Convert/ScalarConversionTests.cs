using System.Globalization;
using Migration.Engine.Convert;
using Migration.Engine.Schema;
using Xunit;

namespace Migration.Engine.Tests.Convert;

/// <summary>One test group per row of the default mapping table (docs/type-mapping.md), with its edge values.</summary>
public sealed class ScalarConversionTests
{
    [Fact]
    public void Null_stays_null_in_every_family()
    {
        PgType[] types = [Pg.Boolean, Pg.Int, Pg.Double, Pg.Numeric(10, 2), Pg.Numeric(), Pg.Money, Pg.Text, Pg.Uuid,
            Pg.TimestampTz, Pg.Timestamp, Pg.Date, Pg.Time, Pg.Json, Pg.Jsonb, Pg.Bytea, Pg.ArrayOf(Pg.Text), Pg.Inet];
        foreach (var t in types)
            foreach (var o in new[] { ConversionOptions.Default, Conv.With(TimestampFormat.UnixSeconds, NumericMode.Real, NonFiniteMode.Text) })
                Assert.Null(Conv.One(t, null, o));
    }

    [Fact]
    public void Boolean_is_integer_one_or_zero()
    {
        Assert.Equal(D1Type.Integer, Conv.TypeOf(Pg.Boolean));
        Assert.Equal(1L, Conv.One(Pg.Boolean, true));
        Assert.Equal(0L, Conv.One(Pg.Boolean, false));
        Conv.Fails(Pg.Boolean, "t");
    }

    [Fact]
    public void Integers_of_every_width_are_long()
    {
        Assert.Equal(D1Type.Integer, Conv.TypeOf(Pg.BigInt));
        Assert.Equal(-32768L, Conv.One(Pg.SmallInt, short.MinValue));
        Assert.Equal(32767L, Conv.One(Pg.SmallInt, short.MaxValue));
        Assert.Equal(2147483647L, Conv.One(Pg.Int, int.MaxValue));
        Assert.Equal(long.MinValue, Conv.One(Pg.BigInt, long.MinValue));
        Assert.Equal(long.MaxValue, Conv.One(Pg.BigInt, long.MaxValue));
        Assert.Equal(0L, Conv.One(Pg.Int, 0));
        var e = Conv.Fails(Pg.Int, "12");
        Assert.Contains("String", e.Reason);
    }

    [Fact]
    public void Float4_is_widened_through_its_shortest_text()
    {
        Assert.Equal(D1Type.Real, Conv.TypeOf(Pg.Real));
        var v = Assert.IsType<double>(Conv.One(Pg.Real, 1.1f));
        Assert.Equal(1.1, v);
        Assert.NotEqual((double)1.1f, v); // the binary cast would store 1.100000023841858
        Assert.Equal(3.4028235E+38, Conv.One(Pg.Real, float.MaxValue));
        Assert.Equal(1E-45, Conv.One(Pg.Real, float.Epsilon));
        Assert.Equal(16777216.0, Conv.One(Pg.Real, 16777216f));
    }

    [Fact]
    public void Float8_is_stored_as_is()
    {
        Assert.Equal(0.1, Conv.One(Pg.Double, 0.1));
        Assert.Equal(double.MaxValue, Conv.One(Pg.Double, double.MaxValue));
        Assert.Equal(double.Epsilon, Conv.One(Pg.Double, double.Epsilon));
        Assert.Equal(-1.5e-300, Conv.One(Pg.Double, -1.5e-300));
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void Non_finite_floats_follow_NonFinite(double value, string text)
    {
        var e = Conv.Fails(Pg.Double, value);
        Assert.Contains("NonFinite", e.Reason);
        Assert.Equal(text, Conv.One(Pg.Double, value, Conv.With(nonFinite: NonFiniteMode.Text)));
        Assert.Null(Conv.One(Pg.Double, value, Conv.With(nonFinite: NonFiniteMode.Null)));

        var f = (float)value;
        Conv.Fails(Pg.Real, f);
        Assert.Equal(text, Conv.One(Pg.Real, f, Conv.With(nonFinite: NonFiniteMode.Text)));
        Assert.Null(Conv.One(Pg.Real, f, Conv.With(nonFinite: NonFiniteMode.Null)));
    }

    [Fact]
    public void NonFinite_can_be_set_for_one_column()
    {
        var o = new ConversionOptions { ColumnOverrides = new Dictionary<string, ColumnOverride> { ["t.c"] = new(NonFinite: NonFiniteMode.Text) } };
        Assert.Equal("NaN", Conv.One(Pg.Double, double.NaN, o));
    }

    [Fact]
    public void Numeric_up_to_15_digits_is_real_and_exact()
    {
        Assert.Equal(D1Type.Real, Conv.TypeOf(Pg.Numeric(15, 2)));
        Assert.Equal(1234567890123.45, Conv.One(Pg.Numeric(15, 2), 1234567890123.45m));
        Assert.Equal(999999999999999.0, Conv.One(Pg.Numeric(15, 0), 999999999999999m));
        Assert.Equal(-0.000000000000001, Conv.One(Pg.Numeric(15, 15), -0.000000000000001m));
        // The display scale is the documented loss of REAL: 1.5000 reads back as 1.5.
        Assert.Equal(1.5, Conv.One(Pg.Numeric(12, 4), 1.5000m));
        Assert.Equal(0.0, Conv.One(Pg.Numeric(1, 0), 0m));
    }

    [Fact]
    public void Numeric_over_15_digits_or_unconstrained_is_exact_text()
    {
        Assert.Equal(D1Type.Text, Conv.TypeOf(Pg.Numeric(16, 2)));
        Assert.Equal(D1Type.Text, Conv.TypeOf(Pg.Numeric()));
        Assert.Equal("12345678901234.56", Conv.One(Pg.Numeric(16, 2), 12345678901234.56m));
        Assert.Equal("1.5000", Conv.One(Pg.Numeric(20, 4), 1.5000m));
        Assert.Equal("-0.1234567890123456789", Conv.One(Pg.Numeric(20, 19), -0.1234567890123456789m));
        const string huge = "123456789012345678901234567890.123456789012345678901234567890";
        Assert.Equal(huge, Conv.One(Pg.Numeric(), huge));
        Assert.Equal("0.00", Conv.One(Pg.Numeric(), "0.00"));
        Conv.Fails(Pg.Numeric(), "12abc");
    }

    [Fact]
    public void Numeric_text_mode_keeps_digits_and_scale_even_for_small_precision()
    {
        var o = Conv.With(numeric: NumericMode.Text);
        Assert.Equal(D1Type.Text, Conv.TypeOf(Pg.Numeric(10, 4), o));
        Assert.Equal("1.5000", Conv.One(Pg.Numeric(10, 4), 1.5000m, o));
        Assert.Equal("-3", Conv.One(Pg.Numeric(5, 0), -3m, o));
    }

    [Fact]
    public void Numeric_real_mode_refuses_what_a_double_cannot_hold()
    {
        var o = Conv.With(numeric: NumericMode.Real);
        Assert.Equal(D1Type.Real, Conv.TypeOf(Pg.Numeric(), o));
        var e = Conv.Fails(Pg.Numeric(20, 19), 0.1234567890123456789m, o);
        Assert.Contains("exactly", e.Reason);
        Conv.Fails(Pg.Numeric(), "0.1234567890123456789", o);
        Conv.Fails(Pg.Numeric(), "9007199254740993", o); // 2^53 + 1
        Assert.Equal(9007199254740992.0, Conv.One(Pg.Numeric(), "9007199254740992", o));
        Assert.Equal(123.456, Conv.One(Pg.Numeric(), "123.456", o));
        Assert.Equal(0.1, Conv.One(Pg.Numeric(28, 20), 0.10000000000000000000m, o)); // trailing zeros are scale, not digits
        Assert.Equal(1e20, Conv.One(Pg.Numeric(28, 0), 100000000000000000000m, o));
    }

    [Fact]
    public void Decimal_to_double_fast_path_matches_correctly_rounded_parsing()
    {
        var random = new Random(1234);
        for (var i = 0; i < 20000; i++)
        {
            var mantissa = random.NextInt64(0, 999_999_999_999_999);
            var scale = (byte)random.Next(0, 23);
            var m = new decimal((int)(mantissa & 0xFFFFFFFF), (int)(mantissa >> 32), 0, random.Next(2) == 0, scale);
            Assert.True(NumericText.TryToDoubleExact(m, out var d));
            Assert.Equal(double.Parse(m.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), d);
        }
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    public void Numeric_non_finite_follows_NonFinite_in_every_mode(string value)
    {
        foreach (var mode in new[] { NumericMode.Auto, NumericMode.Real, NumericMode.Text })
        {
            Conv.Fails(Pg.Numeric(), value, Conv.With(numeric: mode));
            Assert.Equal(value, Conv.One(Pg.Numeric(), value, Conv.With(numeric: mode, nonFinite: NonFiniteMode.Text)));
            Assert.Null(Conv.One(Pg.Numeric(), value, Conv.With(numeric: mode, nonFinite: NonFiniteMode.Null)));
        }
    }

    [Fact]
    public void NumericAs_can_be_set_for_one_column()
    {
        var o = new ConversionOptions { ColumnOverrides = new Dictionary<string, ColumnOverride> { ["public.t.c"] = new(NumericAs: NumericMode.Text) } };
        Assert.Equal(D1Type.Text, Conv.TypeOf(Pg.Numeric(10, 2), o));
        Assert.Equal("7.10", Conv.One(Pg.Numeric(10, 2), 7.10m, o));
    }

    [Fact]
    public void Money_is_exact_text()
    {
        Assert.Equal(D1Type.Text, Conv.TypeOf(Pg.Money));
        Assert.Equal("12.50", Conv.One(Pg.Money, 12.50m));
        Assert.Equal("-92233720368547758.08", Conv.One(Pg.Money, -92233720368547758.08m));
        Assert.Equal("92233720368547758.07", Conv.One(Pg.Money, 92233720368547758.07m));
        Conv.Fails(Pg.Money, 92233720368547758.07m, Conv.With(numeric: NumericMode.Real));
        Assert.Equal(12.5, Conv.One(Pg.Money, 12.50m, Conv.With(numeric: NumericMode.Real)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("NULL")]
    [InlineData("\\N")]
    [InlineData("null")]
    [InlineData("👨‍👩‍👧 family (ZWJ), é, 中文, 🇺🇦")]
    [InlineData("line1\r\nline2\ttab")]
    [InlineData("it's \"quoted\" \\ back")]
    [InlineData("  leading and trailing  ")]
    public void Text_is_unchanged(string value)
    {
        var v = Conv.One(Pg.Varchar, value);
        Assert.Equal(value, v);
        Assert.NotNull(v);
    }

    [Fact]
    public void Char_n_keeps_its_padding()
    {
        Assert.Equal("ab   ", Conv.One(Pg.Char5, "ab   "));
        Assert.Equal(D1Type.Text, Conv.TypeOf(Pg.Char5));
    }

    [Fact]
    public void Wrong_clr_type_is_an_error_not_a_guess()
    {
        var e = Conv.Fails(Pg.Text, 12);
        Assert.Contains("Int32", e.Reason);
    }

    [Fact]
    public void Uuid_is_lower_case_canonical_text()
    {
        Assert.Equal(D1Type.Text, Conv.TypeOf(Pg.Uuid));
        var g = Guid.Parse("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11");
        Assert.Equal("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", Conv.One(Pg.Uuid, g));
        Assert.Equal("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", Conv.One(Pg.Uuid, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"));
        Assert.Equal("00000000-0000-0000-0000-000000000000", Conv.One(Pg.Uuid, Guid.Empty));
        Conv.Fails(Pg.Uuid, "not-a-uuid");
    }

    [Fact]
    public void Json_is_byte_for_byte_and_json_null_is_not_sql_null()
    {
        const string json = "{\"b\": 1,  \"a\": [1, 2], \"b\": \"é😀\\u00e9\"}\n";
        Assert.Equal(json, Conv.One(Pg.Json, json));
        Assert.Equal("{\"a\": \"👨‍👩‍👧\"}", Conv.One(Pg.Jsonb, "{\"a\": \"👨‍👩‍👧\"}"));
        Assert.Equal("null", Conv.One(Pg.Jsonb, "null"));
        Assert.Null(Conv.One(Pg.Jsonb, null));
        Assert.Equal(D1Type.Text, Conv.TypeOf(Pg.Json));
    }

    [Fact]
    public void Bytea_is_a_blob_of_the_same_bytes()
    {
        Assert.Equal(D1Type.Blob, Conv.TypeOf(Pg.Bytea));
        byte[] bytes = [0, 1, 0x5C, 0x4E, 0xFF, 0];
        Assert.Equal(bytes, Assert.IsType<byte[]>(Conv.One(Pg.Bytea, bytes)));
        Assert.Empty(Assert.IsType<byte[]>(Conv.One(Pg.Bytea, Array.Empty<byte>())));
        var e = Conv.Fails(Pg.Bytea, "\\x00");
        Assert.Contains("Byte[]", e.Reason);
    }

    [Theory]
    [InlineData("192.168.0.1/24")]
    [InlineData("08:00:2b:01:02:03")]
    [InlineData("[1,10)")]
    [InlineData("'a':1 'fat':2")]
    [InlineData("<a>x</a>")]
    [InlineData("happy")]
    [InlineData("101")]
    [InlineData("(1,1),(0,0)")]
    public void Text_form_types_are_postgres_text(string value)
    {
        Assert.Equal(value, Conv.One(Pg.Inet, value));
    }

    [Fact]
    public void Timetz_and_interval_stay_as_postgres_prints_them()
    {
        Assert.Equal("12:00:00+02", Conv.One(Pg.TimeTz, "12:00:00+02"));
        Assert.Equal("P1Y2M3DT4H5M6.5S", Conv.One(Pg.Interval, "P1Y2M3DT4H5M6.5S"));
    }

    [Fact]
    public void Every_type_family_has_a_converter()
    {
        foreach (var f in Enum.GetValues<PgTypeFamily>())
            Assert.True(PgToD1CastRules.Covers(f), f.ToString());
    }

    [Fact]
    public void Value_excerpt_in_errors_is_short_and_single_line()
    {
        var longText = new string('x', 500) + "\nsecret tail";
        var e = Conv.Fails(Pg.Int, longText);
        Assert.DoesNotContain("secret tail", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }
}

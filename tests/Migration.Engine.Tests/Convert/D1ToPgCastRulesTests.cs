using Migration.Engine.Convert;
using Migration.Engine.Convert.D1ToPg;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Xunit;

namespace Migration.Engine.Tests.Convert;

/// <summary>The D1 -> PostgreSQL cast rules, value by value: lossless or a refusal that says why.</summary>
public sealed class D1ToPgCastRulesTests
{
    static readonly PgType Bool = new("boolean", PgTypeFamily.Boolean);
    static readonly PgType Int2 = new("smallint", PgTypeFamily.Integer);
    static readonly PgType Int4 = new("integer", PgTypeFamily.Integer);
    static readonly PgType Float4 = new("real", PgTypeFamily.Float);
    static readonly PgType Float8 = new("double precision", PgTypeFamily.Float);
    static readonly PgType Numeric = new("numeric", PgTypeFamily.Numeric);
    static readonly PgType TimestampTz = new("timestamp with time zone", PgTypeFamily.TimestampTz);
    static readonly PgType Timestamp = new("timestamp without time zone", PgTypeFamily.Timestamp);
    static readonly PgType Date = new("date", PgTypeFamily.Date);
    static readonly PgType Time = new("time without time zone", PgTypeFamily.Time);
    static readonly PgType Jsonb = new("jsonb", PgTypeFamily.Jsonb);
    static readonly PgType Json = new("json", PgTypeFamily.Json);
    static readonly PgType Uuid = new("uuid", PgTypeFamily.Uuid);
    static readonly PgType TextArray = new("text[]", PgTypeFamily.Array, Element: new PgType("text", PgTypeFamily.Text));

    static object? Convert(PgType type, object value, D1ToPgSettings? settings = null, bool id = false) =>
        D1ToPgCastRules.With(settings ?? D1ToPgSettings.Default).For(type, id).Convert(value);

    static string Refusal(PgType type, object value, bool id = false) =>
        Assert.Throws<ValueRejectedException>(() => Convert(type, value, id: id)).Reason;

    /// <summary>The microseconds since 2000-01-01 UTC of a DateTime (test side).</summary>
    static PgTimestamp Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0, int micros = 0) =>
        new(PgTimestamp.FromDateTime(new DateTime(y, mo, d, h, mi, s, DateTimeKind.Utc), true).Microseconds + micros, true);

    [Fact]
    public void Booleans_are_only_0_and_1()
    {
        Assert.Equal(true, Convert(Bool, 1L));
        Assert.Equal(false, Convert(Bool, 0L));
        Assert.Equal("INTEGER 2 is not a boolean (only 0 and 1 are)", Refusal(Bool, 2L));
        Assert.Contains("TEXT", Refusal(Bool, "true"));
    }

    [Fact]
    public void Integers_are_range_checked()
    {
        Assert.Equal((short)-32768, Convert(Int2, -32768L));
        Assert.Contains("does not fit smallint", Refusal(Int2, 32768L));
        Assert.Equal(2147483647, Convert(Int4, 2147483647L));
        Assert.Contains("REAL", Refusal(Int4, 1.5));
    }

    [Fact]
    public void Floats_are_exact_and_keep_the_non_finite_text_forms()
    {
        Assert.Equal(0.1, Convert(Float8, 0.1));
        Assert.Equal(double.NaN, Convert(Float8, "NaN"));
        Assert.Equal(double.NegativeInfinity, Convert(Float8, "-Infinity"));
        Assert.Equal(1.5f, Convert(Float4, 1.5));
        Assert.Contains("not exact as a real", Refusal(Float4, 0.1));
        Assert.Contains("not exact", Refusal(Float8, 9007199254740993L));
    }

    [Fact]
    public void Numerics_keep_their_digits()
    {
        Assert.Equal("0.1", Convert(Numeric, 0.1));
        Assert.Equal("12345678901234567890.123456789", Convert(Numeric, "12345678901234567890.123456789"));
        Assert.Equal("42", Convert(Numeric, 42L));
        Assert.Equal("100000000000000000000", Convert(Numeric, 1e20));
        Assert.Equal("0.0000001", Convert(Numeric, 1e-7));
        Assert.Equal("1E+300", Convert(Numeric, 1e300));
        Assert.Equal("NaN", Convert(Numeric, "NaN"));
        Assert.Contains("is not a number", Refusal(Numeric, "12,5"));
    }

    [Theory]
    [InlineData("2024-01-31T23:59:59.123456Z", 2024, 1, 31, 23, 59, 59, 123456)]
    [InlineData("2024-01-31 23:59:59", 2024, 1, 31, 23, 59, 59, 0)]
    [InlineData("2024-01-31T23:59:59+02:00", 2024, 1, 31, 21, 59, 59, 0)]
    [InlineData("2024-01-31T23:59:59-0130", 2024, 2, 1, 1, 29, 59, 0)]
    [InlineData("2024-01-31T23:59", 2024, 1, 31, 23, 59, 0, 0)]
    [InlineData("2024-01-31", 2024, 1, 31, 0, 0, 0, 0)]
    [InlineData("2024-01-31 23:59:59.5 Z", 2024, 1, 31, 23, 59, 59, 500000)]
    public void Timestamp_spellings_read_as_the_instant(string text, int y, int mo, int d, int h, int mi, int s, int micros) =>
        Assert.Equal(Utc(y, mo, d, h, mi, s, micros), Convert(TimestampTz, text));

    [Fact]
    public void Zoneless_text_is_read_in_the_assumed_zone()
    {
        var oslo = TimeZoneInfo.FindSystemTimeZoneById("Europe/Oslo");
        Assert.Equal(Utc(2024, 7, 1, 10), Convert(TimestampTz, "2024-07-01 12:00:00", new D1ToPgSettings { AssumeTimeZone = oslo }));
        var gap = Assert.Throws<ValueRejectedException>(() => Convert(TimestampTz, "2024-03-31 02:30:00", new D1ToPgSettings { AssumeTimeZone = oslo }));
        Assert.Contains("does not exist in Europe/Oslo", gap.Reason);
    }

    [Fact]
    public void Epoch_seconds_and_milliseconds()
    {
        Assert.Equal(Utc(2024, 1, 23, 8, 53, 20), Convert(TimestampTz, 1706000000L));
        Assert.Equal(Utc(2024, 1, 23, 8, 53, 20, 123000), Convert(TimestampTz, 1706000000123L));
        Assert.Equal(Utc(1970, 1, 2, 3, 46, 40), Convert(TimestampTz, 100000L, new D1ToPgSettings { EpochUnit = EpochUnit.Seconds }));
        Assert.Equal(Utc(1970, 1, 1, 0, 0, 0, 100000), Convert(TimestampTz, 100L, new D1ToPgSettings { EpochUnit = EpochUnit.Milliseconds }));
    }

    [Fact]
    public void This_modules_own_forms_read_back_exactly()
    {
        Assert.Equal(new PgTimestamp(long.MaxValue, true), Convert(TimestampTz, "infinity"));
        Assert.Equal(new PgTimestamp(long.MinValue, false), Convert(Timestamp, "-infinity"));
        Assert.Equal("-0043-03-15T12:00:00.000000Z", Convert(TimestampTz, "-0043-03-15T12:00:00.000000Z")!.ToString());
        Assert.Equal("+10000-01-01T00:00:00.000000Z", Convert(TimestampTz, "+10000-01-01T00:00:00.000000Z")!.ToString());
        Assert.Equal("0000-02-29", Convert(Date, "0000-02-29")!.ToString());
        Assert.Equal("+10000-12-31", Convert(Date, "+10000-12-31")!.ToString());
        Assert.Equal(new PgDate(int.MaxValue), Convert(Date, "infinity"));
        Assert.Equal(TimeSpan.FromDays(1), Convert(Time, "24:00:00.000000"));
        Assert.Equal(new TimeSpan(0, 23, 59, 59, 123, 456), Convert(Time, "23:59:59.123456"));
    }

    [Fact]
    public void Impossible_and_lossy_timestamps_are_refused()
    {
        Assert.Contains("real calendar date", Refusal(TimestampTz, "2023-02-29T00:00:00Z"));
        Assert.Contains("more than six fraction digits", Refusal(TimestampTz, "2024-01-01T00:00:00.1234567Z"));
        Assert.Equal(Utc(2024, 1, 1, 0, 0, 0, 123456), Convert(TimestampTz, "2024-01-01T00:00:00.1234560Z"));
        Assert.Contains("REAL", Refusal(TimestampTz, 2460000.5));
        Assert.Contains("has a time of day", Refusal(Date, "2024-01-01 10:00:00"));
        Assert.Contains("does not start with a date", Refusal(TimestampTz, "31/01/2024"));
    }

    [Fact]
    public void Json_must_be_valid_and_is_kept_as_written()
    {
        Assert.Equal("{\"a\": [1, 2],  \"a\": 3}", Convert(Json, "{\"a\": [1, 2],  \"a\": 3}"));
        Assert.Equal("42", Convert(Jsonb, 42L));
        Assert.StartsWith("invalid JSON", Refusal(Jsonb, "{bad"));
        Assert.StartsWith("invalid JSON", Refusal(Json, ""));
        Assert.Contains("\\u0000", Refusal(Jsonb, "\"a\\u0000b\""));
    }

    [Fact]
    public void Uuids_and_ids_left_for_the_id_map()
    {
        var g = Guid.Parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        Assert.Equal(g, Convert(Uuid, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"));
        Assert.Equal(g, Convert(Uuid, g.ToByteArray(bigEndian: true)));
        Assert.Contains("is not a UUID", Refusal(Uuid, "u_alice"));
        Assert.Equal("u_alice", Convert(Uuid, "u_alice", id: true));
        Assert.Equal("42", Convert(Uuid, 42L, id: true));
    }

    [Fact]
    public void Json_arrays_become_array_literals()
    {
        Assert.Equal("{\"a\",NULL,\"b,c\",\"NULL\",\"q\\\"\\\\\"}", Convert(TextArray, "[\"a\",null,\"b,c\",\"NULL\",\"q\\\"\\\\\"]"));
        Assert.Equal("{{\"1\",\"2\"},{\"3\",\"4\"}}", Convert(TextArray, "[[1,2],[3,4]]"));
        Assert.Equal("{}", Convert(TextArray, "[]"));
        Assert.Equal("{\"null\",NULL}", Convert(TextArray, "{\"json_text\":[\"null\",null]}"));
        Assert.Contains("is not a JSON array", Refusal(TextArray, "{a,b}"));
    }

    [Theory]
    [InlineData("userId", "user_id")]
    [InlineData("emailVerified", "email_verified")]
    [InlineData("HTTPStatus", "http_status")]
    [InlineData("created_at", "created_at")]
    [InlineData("user2Fa", "user2_fa")]
    [InlineData("Id", "id")]
    public void Snake_case(string name, string expected) => Assert.Equal(expected, SnakeCase.Of(name));
}

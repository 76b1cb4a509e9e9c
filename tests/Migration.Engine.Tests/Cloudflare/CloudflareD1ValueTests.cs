using Migration.Engine.Cloudflare;
using Migration.Engine.Tests.Infrastructure;
using Xunit;

namespace Migration.Engine.Tests.Cloudflare;

/// <summary>
/// Every kind of value goes through the real API server (a real local D1) and back exactly,
/// storage class included: D1Parameter on the way in, D1ExactRead on the way out.
/// </summary>
[Collection(CloudflareApiServer.Collection)]
public sealed class CloudflareD1ValueTests(CloudflareApiServer server) : IDisposable
{
    readonly CloudflareApiClient _api = server.Client();
    readonly string _table = "v_" + Guid.NewGuid().ToString("N")[..10];

    D1DatabaseClient Db => _api.D1(server.DatabaseUuids[CloudflareApiServer.Database]);

    /// <summary>Writes each value into an untyped column (no affinity: nothing converts it) and reads all back exactly.</summary>
    async Task<IReadOnlyList<(object? Value, string Type)>> RoundTrip(params object?[] values)
    {
        await Db.QueryAsync(new D1Statement($"CREATE TABLE \"{_table}\" (id INTEGER PRIMARY KEY, v)"), RetrySafety.IdempotentWrite);
        var inserts = values.Select((v, i) => D1Statement.Of($"INSERT INTO \"{_table}\" (id, v) VALUES ({i}, {{0}})", v)).ToList();
        await Db.QueryBatchAsync(inserts, RetrySafety.Write);
        var raw = await Db.RawAsync(new D1Statement($"SELECT {D1ExactRead.Expression("v")}, typeof(v) FROM \"{_table}\" ORDER BY id"));
        return raw[0].Rows.Select(r => (D1ExactRead.Decode(r[0]), r[1].GetString()!)).ToList();
    }

    [Fact]
    public async Task Integers_round_trip_exactly_over_64_bits_and_booleans_arrive_as_1_and_0()
    {
        object?[] values = [long.MinValue, long.MaxValue, (1L << 53) + 1, -(1L << 53) - 1, 0L, -1L, 42, true, false, (byte)255, uint.MaxValue];
        var back = await RoundTrip(values);
        long[] expected = [long.MinValue, long.MaxValue, (1L << 53) + 1, -(1L << 53) - 1, 0, -1, 42, 1, 0, 255, uint.MaxValue];
        Assert.Equal(expected.Length, back.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal("integer", back[i].Type);
            Assert.Equal(expected[i], Assert.IsType<long>(back[i].Value));
        }
    }

    [Fact]
    public async Task Reals_round_trip_bit_for_bit_and_stay_REAL_even_when_whole()
    {
        double[] values = [0.1, 1.0 / 3, 3.0, -1.5, 1e308, double.MaxValue, double.Epsilon, 5e-324, -2.2250738585072014e-308,
            123456789012345678.0, 9007199254740993.0, double.PositiveInfinity, double.NegativeInfinity, (double)1.1f];
        var back = await RoundTrip(values.Cast<object?>().ToArray());
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal("real", back[i].Type);
            Assert.Equal(BitConverter.DoubleToInt64Bits(values[i]), BitConverter.DoubleToInt64Bits(Assert.IsType<double>(back[i].Value)));
        }
    }

    [Fact]
    public async Task Text_with_NUL_CR_emoji_quotes_and_SQL_round_trips_exactly()
    {
        string[] values = ["a\0b", "\0", "line1\r\nline2\r", "emoji 😀 and 🏳️‍🌈", "", "'; DROP TABLE x; --", "\"quoted\" 'single'",
            "i123", "t", "r+", "\u00e9\u0301 combining", new string('x', 1_500_000)];
        var back = await RoundTrip(values.Cast<object?>().ToArray());
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal("text", back[i].Type);
            Assert.Equal(values[i], Assert.IsType<string>(back[i].Value));
        }
    }

    [Fact]
    public async Task Blobs_and_NULL_round_trip_exactly()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var back = await RoundTrip(all, new byte[] { 0 }, null, DBNull.Value);
        Assert.Equal("blob", back[0].Type);
        Assert.Equal(all, Assert.IsType<byte[]>(back[0].Value));
        Assert.Equal(new byte[] { 0 }, Assert.IsType<byte[]>(back[1].Value));
        Assert.Equal(("null", (object?)null), (back[2].Type, back[2].Value));
        Assert.Equal(("null", (object?)null), (back[3].Type, back[3].Value));
    }

    [Fact]
    public async Task Plain_decoding_refuses_an_integer_JSON_may_have_rounded_and_keeps_safe_ones()
    {
        var raw = await Db.RawAsync(new D1Statement("SELECT 9007199254740993 AS big, 9007199254740991 AS safe, -5 AS neg, 2.5 AS r, 'x' AS t, x'00ff' AS b, NULL AS n"));
        var row = raw[0].Rows[0];
        Assert.Throws<D1PrecisionException>(() => D1JsonValue.Decode(row[0]));
        Assert.Equal(9007199254740991L, D1JsonValue.Decode(row[1]));
        Assert.Equal(-5L, D1JsonValue.Decode(row[2]));
        Assert.Equal(2.5, D1JsonValue.Decode(row[3]));
        Assert.Equal("x", D1JsonValue.Decode(row[4]));
        Assert.Equal(new byte[] { 0, 255 }, D1JsonValue.Decode(row[5]));
        Assert.Null(D1JsonValue.Decode(row[6]));
        Assert.Equal(["big", "safe", "neg", "r", "t", "b", "n"], raw[0].Columns);
    }

    [Fact]
    public async Task A_JSON_boolean_is_never_sent_so_true_is_not_stored_as_the_text_true()
    {
        var raw = await Db.RawAsync(D1Statement.Of("SELECT typeof({0}), {0}", true));
        Assert.Equal("integer", raw[0].Rows[0][0].GetString());
        Assert.Equal(1L, D1JsonValue.Decode(raw[0].Rows[0][1]));
    }

    public void Dispose()
    {
        try { Db.QueryAsync(new D1Statement($"DROP TABLE IF EXISTS \"{_table}\""), RetrySafety.IdempotentWrite).GetAwaiter().GetResult(); }
        catch (CloudflareApiException) { /* the next run uses its own table name */ }
        _api.Dispose();
    }
}

using Migration.Engine.Source;
using Migration.Engine.Tests.Infrastructure;
using Npgsql;
using NpgsqlTypes;
using Xunit;

namespace Migration.Engine.Tests.Source;

/// <summary>
/// Key literals and the calendar, checked against Postgres' own parser: a value rendered by
/// PgKeyLiteral and read back raw must be the value we started from, over the whole range.
/// </summary>
[Collection(PgCluster.Collection)]
public sealed class PgKeyLiteralTests(PgCluster pg)
{
    [Fact]
    public void Timestamp_and_date_literals_round_trip_through_postgres()
    {
        var rng = new Random(20240229);
        // Postgres' timestamp range: 4714-11-24 BC .. 294276-12-31, in microseconds since 2000-01-01.
        const long min = -211813488000000000, max = 9223371331199999999;
        var stamps = new List<long> { min, max, 0, -1, 1, long.MaxValue, long.MinValue };
        for (var i = 0; i < 400; i++) stamps.Add(min + (long)(rng.NextDouble() * ((double)max - min)));
        for (var i = 0; i < 100; i++) stamps.Add(rng.NextInt64(-100_000_000_000_000, 100_000_000_000_000));
        const int dmin = -2451545, dmax = 2145031948;
        var dates = new List<int> { dmin, dmax, 0, -1, int.MaxValue, int.MinValue };
        for (var i = 0; i < 300; i++) dates.Add(rng.Next(dmin, dmax));

        using var conn = new NpgsqlConnection(pg.AdminConnectionString);
        conn.Open();
        var sql = "COPY (SELECT " +
                  string.Join(", ", stamps.Select(s => PgKeyLiteral.Render(new PgTimestamp(s, true), new("timestamp with time zone", Schema.PgTypeFamily.TimestampTz)))) + ", " +
                  string.Join(", ", stamps.Select(s => PgKeyLiteral.Render(new PgTimestamp(s, false), new("timestamp without time zone", Schema.PgTypeFamily.Timestamp)))) + ", " +
                  string.Join(", ", dates.Select(d => PgKeyLiteral.Render(new PgDate(d), new("date", Schema.PgTypeFamily.Date)))) +
                  ") TO STDOUT (FORMAT BINARY)";
        using var copy = conn.BeginBinaryExport(sql);
        Assert.NotEqual(-1, copy.StartRow());
        foreach (var s in stamps) Assert.Equal(s, copy.Read<long>(NpgsqlDbType.TimestampTz));
        foreach (var s in stamps) Assert.Equal(s, copy.Read<long>(NpgsqlDbType.Timestamp));
        foreach (var d in dates) Assert.Equal(d, copy.Read<int>(NpgsqlDbType.Date));
    }

    [Fact]
    public void ToString_matches_postgres_iso_output()
    {
        using var conn = new NpgsqlConnection(pg.AdminConnectionString);
        conn.Open();
        using (var set = new NpgsqlCommand("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'", conn)) set.ExecuteNonQuery();
        foreach (var literal in new[] { "0044-03-15 12:00:00.5 BC", "0001-01-01 00:00:00 BC", "0001-01-01", "1999-12-31 23:59:59.999999", "10000-01-01", "294276-12-31 23:59:59.999999", "1582-10-04" })
        {
            using var cmd = new NpgsqlCommand($"SELECT '{literal}'::timestamp", conn);
            using var r = cmd.ExecuteReader();
            r.Read();
            var raw = r.GetFieldValue<long>(0);
            // Postgres: "0044-03-15 12:00:00.5 BC"; ours: ISO 8601 astronomical years ("-0043-03-15T12:00:00.500000").
            var bc = literal.EndsWith(" BC", StringComparison.Ordinal);
            var parts = literal.Replace(" BC", "", StringComparison.Ordinal).Split(' ');
            var year = long.Parse(parts[0].Split('-')[0], System.Globalization.CultureInfo.InvariantCulture);
            var astronomical = bc ? 1 - year : year;
            var expectedYear = astronomical is >= 0 and <= 9999 ? astronomical.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)
                : astronomical < 0 ? "-" + (-astronomical).ToString("D4", System.Globalization.CultureInfo.InvariantCulture)
                : "+" + astronomical.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var time = parts.Length > 1 ? parts[1] : "00:00:00";
            var frac = time.Contains('.') ? time[(time.IndexOf('.') + 1)..] : "";
            var expected = expectedYear + parts[0][parts[0].IndexOf('-', 1)..] + "T" + time.Split('.')[0] + "." + frac.PadRight(6, '0');
            Assert.Equal(expected, new PgTimestamp(raw, false).ToString());
        }
    }

    [Fact]
    public void Text_literals_double_quotes_and_keep_backslashes()
    {
        var t = new Schema.PgType("text", Schema.PgTypeFamily.Text);
        Assert.Equal("'it''s \\ ok'::text", PgKeyLiteral.Render("it's \\ ok", t));
        Assert.Equal("'24:00:00.000000'::time", PgKeyLiteral.Render(TimeSpan.FromDays(1), new("time", Schema.PgTypeFamily.Time)));
        Assert.Equal("'\\x00FF'::bytea", PgKeyLiteral.Render(new byte[] { 0, 255 }, new("bytea", Schema.PgTypeFamily.Bytea)));
        Assert.Throws<ArgumentException>(() => PgKeyLiteral.Render(null, t));
        Assert.Throws<ArgumentException>(() => PgKeyLiteral.Render("nul\0", t));
    }
}

using Migration.Engine.Convert;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Xunit;

namespace Migration.Engine.Tests.Convert;

public sealed class DateTimeConversionTests
{
    static readonly ConversionOptions Sqlite = Conv.With(TimestampFormat.SqliteDateTime);
    static readonly ConversionOptions Seconds = Conv.With(TimestampFormat.UnixSeconds);
    static readonly ConversionOptions Millis = Conv.With(TimestampFormat.UnixMilliseconds);
    static readonly ConversionOptions SecondsLossy = Conv.With(TimestampFormat.UnixSeconds, allowLoss: true);
    static readonly ConversionOptions MillisLossy = Conv.With(TimestampFormat.UnixMilliseconds, allowLoss: true);

    [Fact]
    public void Timestamptz_is_iso_utc_with_microseconds()
    {
        Assert.Equal(D1Type.Text, Conv.TypeOf(Pg.TimestampTz));
        Assert.Equal("2024-01-31T23:59:59.123456Z", Conv.One(Pg.TimestampTz, Pg.Tz(2024, 1, 31, 23, 59, 59, 123456)));
        Assert.Equal("2000-01-01T00:00:00.000000Z", Conv.One(Pg.TimestampTz, new PgTimestamp(0, true)));
        Assert.Equal("1999-12-31T23:59:59.999999Z", Conv.One(Pg.TimestampTz, new PgTimestamp(-1, true)));
    }

    [Fact]
    public void Timestamp_without_zone_has_no_z()
    {
        Assert.Equal("2024-01-31T23:59:59.000001", Conv.One(Pg.Timestamp, Pg.Ts(2024, 1, 31, 23, 59, 59, 1)));
    }

    [Fact]
    public void Range_edges_and_special_values_in_text_formats()
    {
        Assert.Equal("0001-01-01T00:00:00.000000Z", Conv.One(Pg.TimestampTz, Pg.Tz(1, 1, 1)));
        Assert.Equal("9999-12-31T23:59:59.999999Z", Conv.One(Pg.TimestampTz, Pg.Tz(9999, 12, 31, 23, 59, 59, 999999)));
        Assert.Equal("+10000-01-01T00:00:00.000000Z", Conv.One(Pg.TimestampTz, Pg.Tz(10000, 1, 1)));
        Assert.Equal("-0043-03-15T12:00:00.000000Z", Conv.One(Pg.TimestampTz, Pg.Tz(-43, 3, 15, 12))); // 44 BC
        Assert.Equal("0000-12-31T00:00:00.000000", Conv.One(Pg.Timestamp, Pg.Ts(0, 12, 31))); // 1 BC
        Assert.Equal("-4713-11-24T00:00:00.000000Z", Conv.One(Pg.TimestampTz, Pg.Tz(-4713, 11, 24))); // Postgres' minimum
        Assert.Equal("infinity", Conv.One(Pg.TimestampTz, new PgTimestamp(long.MaxValue, true)));
        Assert.Equal("-infinity", Conv.One(Pg.Timestamp, new PgTimestamp(long.MinValue, false)));
        Assert.Equal("infinity", Conv.One(Pg.TimestampTz, new PgTimestamp(long.MaxValue, true), Sqlite));
        Assert.Equal("+10000-01-01 00:00:00.000000", Conv.One(Pg.TimestampTz, Pg.Tz(10000, 1, 1), Sqlite));
    }

    [Fact]
    public void Fast_formatter_agrees_with_PgTimestamp_over_the_whole_range()
    {
        var random = new Random(42);
        var min = Pg.Micros(-4713, 11, 24);
        var max = Pg.Micros(294276, 12, 31, 23, 59, 59, 999999);
        for (var i = 0; i < 50000; i++)
        {
            var micros = random.NextInt64(min, max);
            var tz = new PgTimestamp(micros, true);
            Assert.Equal(tz.ToString(), DateTimeText.FormatTimestamp(micros, 'T', zulu: true));
            Assert.Equal(new PgTimestamp(micros, false).ToString(), DateTimeText.FormatTimestamp(micros, 'T', zulu: false));
            var days = (int)PgCalendar.SplitTimestamp(micros).Days;
            Assert.Equal(new PgDate(days).ToString(), DateTimeText.FormatDate(days));
        }
    }

    [Fact]
    public void Pg_iso_text_round_trips_through_the_parser()
    {
        var random = new Random(7);
        for (var i = 0; i < 20000; i++)
        {
            var micros = random.NextInt64(Pg.Micros(-4713, 11, 24), Pg.Micros(294276, 12, 31));
            var (days, tod) = PgCalendar.SplitTimestamp(micros);
            var (y, m, d) = PgCalendar.CivilFromUnixDays(days + PgCalendar.PgEpochDaysFrom1970);
            // Postgres' ISO output: year >= 1 with " BC" for astronomical year <= 0, fraction without trailing zeros.
            var year = y > 0 ? y : 1 - y;
            var frac = tod % 1_000_000 == 0 ? "" : "." + (tod % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture).TrimEnd('0');
            var time = DateTimeText.FormatTime(tod)[..8] + frac;
            var text = FormattableString.Invariant($"{year:D4}-{m:D2}-{d:D2} {time}+00{(y > 0 ? "" : " BC")}");
            Assert.True(DateTimeText.TryParseTimestamp(text, withTimeZone: true, out var parsed), text);
            Assert.Equal(micros, parsed);
        }
    }

    [Fact]
    public void Sqlite_datetime_layout_has_a_space_and_no_zone()
    {
        Assert.Equal(D1Type.Text, Conv.TypeOf(Pg.TimestampTz, Sqlite));
        Assert.Equal("2024-01-31 23:59:59.123456", Conv.One(Pg.TimestampTz, Pg.Tz(2024, 1, 31, 23, 59, 59, 123456), Sqlite));
        Assert.Equal("2024-01-31 23:59:59.000000", Conv.One(Pg.Timestamp, Pg.Ts(2024, 1, 31, 23, 59, 59), Sqlite));
    }

    [Fact]
    public void Unix_seconds_are_exact_or_an_error()
    {
        Assert.Equal(D1Type.Integer, Conv.TypeOf(Pg.TimestampTz, Seconds));
        Assert.Equal(1706745599L, Conv.One(Pg.TimestampTz, Pg.Tz(2024, 1, 31, 23, 59, 59), Seconds));
        Assert.Equal(0L, Conv.One(Pg.TimestampTz, Pg.Tz(1970, 1, 1), Seconds));
        Assert.Equal(-62135596800L, Conv.One(Pg.TimestampTz, Pg.Tz(1, 1, 1), Seconds));
        // A timestamp without time zone is read as UTC.
        Assert.Equal(1706745599L, Conv.One(Pg.Timestamp, Pg.Ts(2024, 1, 31, 23, 59, 59), Seconds));

        var e = Conv.Fails(Pg.TimestampTz, Pg.Tz(2024, 1, 31, 23, 59, 59, 123456), Seconds);
        Assert.Contains("AllowPrecisionLoss", e.Reason);
        Assert.Equal(1706745599L, Conv.One(Pg.TimestampTz, Pg.Tz(2024, 1, 31, 23, 59, 59, 123456), SecondsLossy));
        // Truncation is toward negative infinity: half a second before the epoch is -1.
        Assert.Equal(-1L, Conv.One(Pg.TimestampTz, Pg.Tz(1969, 12, 31, 23, 59, 59, 500000), SecondsLossy));
    }

    [Fact]
    public void Unix_milliseconds_are_exact_or_an_error()
    {
        Assert.Equal(1706745599123L, Conv.One(Pg.TimestampTz, Pg.Tz(2024, 1, 31, 23, 59, 59, 123000), Millis));
        Assert.Equal(1706745599000L, Conv.One(Pg.TimestampTz, Pg.Tz(2024, 1, 31, 23, 59, 59), Millis));
        Conv.Fails(Pg.TimestampTz, Pg.Tz(2024, 1, 31, 23, 59, 59, 123456), Millis);
        Assert.Equal(1706745599123L, Conv.One(Pg.TimestampTz, Pg.Tz(2024, 1, 31, 23, 59, 59, 123456), MillisLossy));
        Assert.Equal(-1L, Conv.One(Pg.Timestamp, Pg.Ts(1969, 12, 31, 23, 59, 59, 999500), MillisLossy));
    }

    [Fact]
    public void Infinity_has_no_unix_time()
    {
        foreach (var o in new[] { Seconds, Millis, SecondsLossy })
        {
            var e = Conv.Fails(Pg.TimestampTz, new PgTimestamp(long.MaxValue, true), o);
            Assert.Contains("infinity", e.Reason);
            Conv.Fails(Pg.Timestamp, new PgTimestamp(long.MinValue, false), o);
        }
    }

    [Fact]
    public void TimestampFormat_can_be_set_for_one_column()
    {
        var o = new ConversionOptions { ColumnOverrides = new Dictionary<string, ColumnOverride> { ["c"] = new(TimestampFormat: TimestampFormat.UnixSeconds) } };
        Assert.Equal(D1Type.Integer, Conv.TypeOf(Pg.TimestampTz, o));
        Assert.Equal(0L, Conv.One(Pg.TimestampTz, Pg.Tz(1970, 1, 1), o));
    }

    [Fact]
    public void Timestamp_zone_flag_must_match_the_column()
    {
        Conv.Fails(Pg.TimestampTz, Pg.Ts(2024, 1, 1));
        Conv.Fails(Pg.Timestamp, Pg.Tz(2024, 1, 1));
        Conv.Fails(Pg.TimestampTz, DateTime.UtcNow);
    }

    [Fact]
    public void Dates_stay_text_under_every_format()
    {
        foreach (var o in new[] { ConversionOptions.Default, Sqlite, Seconds, Millis })
        {
            Assert.Equal(D1Type.Text, Conv.TypeOf(Pg.Date, o));
            Assert.Equal("2024-02-29", Conv.One(Pg.Date, Pg.Day(2024, 2, 29), o));
            Assert.Equal("0001-01-01", Conv.One(Pg.Date, Pg.Day(1, 1, 1), o));
            Assert.Equal("9999-12-31", Conv.One(Pg.Date, Pg.Day(9999, 12, 31), o));
            Assert.Equal("-0043-03-15", Conv.One(Pg.Date, Pg.Day(-43, 3, 15), o));
            Assert.Equal("+10000-01-01", Conv.One(Pg.Date, Pg.Day(10000, 1, 1), o));
            Assert.Equal("infinity", Conv.One(Pg.Date, new PgDate(int.MaxValue), o));
            Assert.Equal("-infinity", Conv.One(Pg.Date, new PgDate(int.MinValue), o));
        }
        Conv.Fails(Pg.Date, new DateOnly(2024, 1, 1));
    }

    [Fact]
    public void Time_is_text_with_microseconds_and_24_00_is_kept()
    {
        Assert.Equal(D1Type.Text, Conv.TypeOf(Pg.Time));
        Assert.Equal("00:00:00.000000", Conv.One(Pg.Time, TimeSpan.Zero));
        Assert.Equal("12:34:56.789012", Conv.One(Pg.Time, new TimeSpan(0, 12, 34, 56) + TimeSpan.FromTicks(7890120)));
        Assert.Equal("23:59:59.999999", Conv.One(Pg.Time, TimeSpan.FromDays(1) - TimeSpan.FromTicks(10)));
        Assert.Equal("24:00:00.000000", Conv.One(Pg.Time, TimeSpan.FromDays(1)));
        Conv.Fails(Pg.Time, TimeSpan.FromDays(1) + TimeSpan.FromTicks(10));
        Conv.Fails(Pg.Time, TimeSpan.FromTicks(-10));
        Conv.Fails(Pg.Time, TimeSpan.FromTicks(1)); // sub-microsecond: not a Postgres value
    }
}

using Migration.Engine.Convert;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Xunit;

namespace Migration.Engine.Tests.Convert;

/// <summary>Postgres types as the catalog reader describes them.</summary>
internal static class Pg
{
    public static readonly PgType Boolean = new("boolean", PgTypeFamily.Boolean, 16);
    public static readonly PgType SmallInt = new("smallint", PgTypeFamily.Integer, 21);
    public static readonly PgType Int = new("integer", PgTypeFamily.Integer, 23);
    public static readonly PgType BigInt = new("bigint", PgTypeFamily.Integer, 20);
    public static readonly PgType Real = new("real", PgTypeFamily.Float, 700);
    public static readonly PgType Double = new("double precision", PgTypeFamily.Float, 701);
    public static readonly PgType Money = new("money", PgTypeFamily.Money, 790);
    public static readonly PgType Text = new("text", PgTypeFamily.Text, 25);
    public static readonly PgType Varchar = new("character varying(150)", PgTypeFamily.Text, 1043);
    public static readonly PgType Char5 = new("character(5)", PgTypeFamily.Text, 1042);
    public static readonly PgType Uuid = new("uuid", PgTypeFamily.Uuid, 2950);
    public static readonly PgType TimestampTz = new("timestamp with time zone", PgTypeFamily.TimestampTz, 1184);
    public static readonly PgType Timestamp = new("timestamp without time zone", PgTypeFamily.Timestamp, 1114);
    public static readonly PgType Date = new("date", PgTypeFamily.Date, 1082);
    public static readonly PgType Time = new("time without time zone", PgTypeFamily.Time, 1083);
    public static readonly PgType TimeTz = new("time with time zone", PgTypeFamily.TextForm, 1266);
    public static readonly PgType Interval = new("interval", PgTypeFamily.TextForm, 1186);
    public static readonly PgType Json = new("json", PgTypeFamily.Json, 114);
    public static readonly PgType Jsonb = new("jsonb", PgTypeFamily.Jsonb, 3802);
    public static readonly PgType Bytea = new("bytea", PgTypeFamily.Bytea, 17);
    public static readonly PgType Inet = new("inet", PgTypeFamily.TextForm, 869);
    public static readonly PgType Box = new("box", PgTypeFamily.TextForm, 603);

    public static PgType Numeric(int? precision = null, int? scale = null) =>
        new(precision is null ? "numeric" : $"numeric({precision},{scale ?? 0})", PgTypeFamily.Numeric, 1700, precision, scale);

    public static PgType ArrayOf(PgType element) => new(element.Name + "[]", PgTypeFamily.Array, 0, Element: element);

    /// <summary>Raw microseconds since 2000-01-01 for a civil date and time (astronomical year).</summary>
    public static long Micros(long year, int month, int day, int hour = 0, int minute = 0, int second = 0, long micro = 0) =>
        (PgCalendar.UnixDaysFromCivil(year, month, day) - PgCalendar.PgEpochDaysFrom1970) * PgCalendar.MicrosPerDay
        + ((hour * 60L + minute) * 60 + second) * PgCalendar.MicrosPerSecond + micro;

    public static PgTimestamp Tz(long year, int month, int day, int hour = 0, int minute = 0, int second = 0, long micro = 0) =>
        new(Micros(year, month, day, hour, minute, second, micro), hasTimeZone: true);

    public static PgTimestamp Ts(long year, int month, int day, int hour = 0, int minute = 0, int second = 0, long micro = 0) =>
        new(Micros(year, month, day, hour, minute, second, micro), hasTimeZone: false);

    public static PgDate Day(long year, int month, int day) =>
        new((int)(PgCalendar.UnixDaysFromCivil(year, month, day) - PgCalendar.PgEpochDaysFrom1970));
}

/// <summary>Converts single values through a real RowConverter, as the pipeline does.</summary>
internal static class Conv
{
    public const string Table = "public.t";
    public const string Key = "id=42";

    /// <summary>Source table public.t (id integer primary key, c of <paramref name="type"/>).</summary>
    public static TableSchema Source(PgType type) =>
        new(SchemaKind.Postgres, "public", "t", "t",
            [new Column("id", Pg.Int, D1Type.Integer, false), new Column("c", type, D1Type.Text, true)], [0]);

    /// <summary>The D1 value <paramref name="value"/> (a source value of <paramref name="type"/>) converts to.</summary>
    public static object? One(PgType type, object? value, ConversionOptions? options = null)
    {
        var converter = new RowConverter(options ?? ConversionOptions.Default);
        var row = converter.Convert(new Row(Source(type), [42, value]));
        Assert.Equal(42L, row.GetValue(0));
        return row.GetValue(1);
    }

    /// <summary>The D1 column type <paramref name="type"/> maps to under <paramref name="options"/>.</summary>
    public static D1Type TypeOf(PgType type, ConversionOptions? options = null) =>
        new RowConverter(options ?? ConversionOptions.Default).TargetSchemaFor(Source(type)).Columns[1].D1Type;

    /// <summary>
    /// Asserts the conversion fails and the error names the table, the row's key, the column and
    /// the value's excerpt (what an operator needs to find the row).
    /// </summary>
    public static ConversionException Fails(PgType type, object value, ConversionOptions? options = null, string? excerpt = null)
    {
        var converter = new RowConverter(options ?? ConversionOptions.Default);
        var e = Assert.Throws<ConversionException>(() => converter.Convert(new Row(Source(type), [42, value])));
        AssertNames(e, Table, Key, "c", excerpt ?? ValueExcerpt.Of(value));
        return e;
    }

    public static void AssertNames(ConversionException e, string table, string key, string column, string excerpt)
    {
        Assert.Equal(table, e.Table);
        Assert.Equal(key, e.Key);
        Assert.Equal(column, e.Column);
        Assert.Equal(excerpt, e.ValueExcerpt);
        Assert.Contains(table, e.Message);
        Assert.Contains(key, e.Message);
        Assert.Contains(column, e.Message);
        Assert.Contains(excerpt, e.Message);
        Assert.False(string.IsNullOrWhiteSpace(e.Reason));
    }

    public static ConversionOptions With(
        TimestampFormat ts = TimestampFormat.Iso8601, NumericMode numeric = NumericMode.Auto,
        NonFiniteMode nonFinite = NonFiniteMode.Error, bool allowLoss = false) =>
        new() { TimestampFormat = ts, NumericAs = numeric, NonFinite = nonFinite, AllowPrecisionLoss = allowLoss };
}

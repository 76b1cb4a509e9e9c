using System.Text;
using Migration.Engine.Schema;
using Migration.Engine.Source;

namespace Migration.Engine.Convert;

/// <summary>
/// timestamptz and timestamp, under the column's <see cref="TimestampFormat"/>:
/// <list type="bullet">
/// <item>Iso8601 (default): TEXT <c>YYYY-MM-DDTHH:MM:SS.ffffffZ</c> for timestamptz (UTC),
/// without the Z for timestamp. Lossless; sorts as text within years 0000..9999.</item>
/// <item>SqliteDateTime: TEXT <c>YYYY-MM-DD HH:MM:SS.ffffff</c> (UTC for timestamptz): the layout of
/// SQLite's datetime(). Lossless, but the text no longer says whether it was UTC.</item>
/// <item>UnixSeconds / UnixMilliseconds: INTEGER since 1970-01-01 UTC. A timestamp without time
/// zone is taken as UTC. A sub-second (sub-millisecond) part is a rejection unless
/// AllowPrecisionLoss, which truncates toward negative infinity (floor: 1969-12-31 23:59:59.5 ->
/// -1 s). infinity has no Unix form: a rejection.</item>
/// </list>
/// infinity/-infinity are TEXT <c>infinity</c>/<c>-infinity</c> in the text formats; BC and years
/// past 9999 use ISO 8601 expanded years (<c>-0043-03-15</c> is 44 BC, <c>+10000-01-01</c>).
/// These do not sort with the others as text and SQLite's date functions do not read them.
/// Array elements (Postgres ISO text) convert to the same text (a JSON string) or number.
/// </summary>
internal sealed class DateTimeTimestampConverter : ValueConverter
{
    readonly bool _withTimeZone;
    readonly TimestampFormat _format;
    readonly bool _allowPrecisionLoss;

    public DateTimeTimestampConverter(bool withTimeZone, ColumnSettings settings)
    {
        _withTimeZone = withTimeZone;
        _format = settings.TimestampFormat;
        _allowPrecisionLoss = settings.AllowPrecisionLoss;
    }

    public override D1Type Type => _format is TimestampFormat.UnixSeconds or TimestampFormat.UnixMilliseconds ? D1Type.Integer : D1Type.Text;

    public override object? Convert(object value)
    {
        if (value is not PgTimestamp t) throw WrongType(value, "PgTimestamp");
        if (t.HasTimeZone != _withTimeZone)
            throw new ValueRejectedException(_withTimeZone
                ? "a timestamp without time zone arrived for a timestamptz column"
                : "a timestamptz arrived for a timestamp without time zone column");
        return Convert(t.Microseconds);
    }

    /// <summary>The D1 value of raw microseconds: a string, or a boxed long for the Unix formats.</summary>
    object Convert(long micros) => _format switch
    {
        TimestampFormat.UnixSeconds or TimestampFormat.UnixMilliseconds => UnixTime.FromPgMicros(micros, _format, _allowPrecisionLoss),
        TimestampFormat.SqliteDateTime => DateTimeText.FormatTimestamp(micros, ' ', zulu: false),
        _ => DateTimeText.FormatTimestamp(micros, 'T', zulu: _withTimeZone),
    };

    public override void AppendJsonElement(StringBuilder json, ReadOnlySpan<char> text)
    {
        if (!DateTimeText.TryParseTimestamp(text, _withTimeZone, out var micros))
            throw new ValueRejectedException($"\"{text}\" is not a Postgres ISO {(_withTimeZone ? "timestamptz" : "timestamp")}");
        var v = Convert(micros);
        if (v is long l) json.Append(l);
        else JsonText.AppendString(json, (string)v);
    }
}

using Migration.Engine.Schema;
using Migration.Engine.Source;

namespace Migration.Engine.Convert.D1ToPg;

/// <summary>
/// TEXT timestamps (see <see cref="D1DateTimeText"/>) and INTEGER epoch seconds/milliseconds
/// -> timestamptz / timestamp; TEXT dates -> date; TEXT times -> time. Values are Postgres' exact
/// raw forms (<see cref="PgTimestamp"/>, <see cref="PgDate"/>), so infinity, BC dates and years
/// past 9999 (this module's D1 forms) read back exactly. A REAL (a Julian day? fractional
/// seconds?) is refused rather than guessed.
/// </summary>
internal sealed class DateTimeFromD1(PgType type, D1ToPgSettings settings) : FromD1Converter
{
    public override D1Type Type => D1Type.Text;

    public override object? Convert(object value) => type.Family switch
    {
        PgTypeFamily.TimestampTz or PgTypeFamily.Timestamp => value switch
        {
            string s => D1DateTimeText.ParseTimestamp(s, type.Family == PgTypeFamily.TimestampTz, settings.AssumeTimeZone),
            long l => Epoch(l),
            _ => throw Unexpected(value, type.Name),
        },
        PgTypeFamily.Date => value is string d ? D1DateTimeText.ParseDate(d) : throw Unexpected(value, "date"),
        _ => value is string t ? D1DateTimeText.ParseTime(t) : throw Unexpected(value, type.Name),
    };

    PgTimestamp Epoch(long l)
    {
        try { return D1DateTimeText.FromEpoch(l, settings.EpochUnit, type.Family == PgTypeFamily.TimestampTz); }
        catch (OverflowException) { throw new ValueRejectedException($"INTEGER {l} is outside the timestamp range as epoch {settings.EpochUnit}"); }
    }
}

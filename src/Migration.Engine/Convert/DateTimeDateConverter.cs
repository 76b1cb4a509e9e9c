using System.Text;
using Migration.Engine.Schema;
using Migration.Engine.Source;

namespace Migration.Engine.Convert;

/// <summary>
/// date -> TEXT <c>YYYY-MM-DD</c> under every <see cref="TimestampFormat"/> (a date is not an
/// instant, so it is never turned into Unix time). BC dates and years past 9999 use ISO 8601
/// expanded years (<c>-0043-03-15</c> is 44 BC); infinity is TEXT <c>infinity</c>/<c>-infinity</c>.
/// </summary>
internal sealed class DateTimeDateConverter : ValueConverter
{
    public override D1Type Type => D1Type.Text;

    public override object? Convert(object value) =>
        value is PgDate d ? DateTimeText.FormatDate(d.Days) : throw WrongType(value, "PgDate");

    public override void AppendJsonElement(StringBuilder json, ReadOnlySpan<char> text)
    {
        if (!DateTimeText.TryParseDate(text, out var days))
            throw new ValueRejectedException($"\"{text}\" is not a Postgres ISO date");
        JsonText.AppendString(json, DateTimeText.FormatDate(days));
    }
}

using System.Text;
using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>
/// time without time zone -> TEXT <c>HH:MM:SS.ffffff</c>; Postgres' 24:00:00 is kept as
/// <c>24:00:00.000000</c>. (timetz and interval arrive in Postgres' text form and are
/// TextForm columns: TEXT unchanged.)
/// </summary>
internal sealed class DateTimeTimeConverter : ValueConverter
{
    public override D1Type Type => D1Type.Text;

    public override object? Convert(object value)
    {
        if (value is not TimeSpan t) throw WrongType(value, "TimeSpan");
        if (t.Ticks < 0 || t.Ticks > TimeSpan.TicksPerDay) throw new ValueRejectedException("time of day out of range 00:00:00..24:00:00");
        if (t.Ticks % TimeSpan.TicksPerMicrosecond != 0) throw new ValueRejectedException("time has a sub-microsecond part, which Postgres cannot hold");
        return DateTimeText.FormatTime(t.Ticks / TimeSpan.TicksPerMicrosecond);
    }

    public override void AppendJsonElement(StringBuilder json, ReadOnlySpan<char> text)
    {
        if (!DateTimeText.TryParseTime(text, allow24: true, out var micros))
            throw new ValueRejectedException($"\"{text}\" is not a Postgres time");
        JsonText.AppendString(json, DateTimeText.FormatTime(micros));
    }
}

using System.Globalization;
using Migration.Engine.Schema;

namespace Migration.Engine.Convert.D1ToPg;

/// <summary>
/// TEXT -> text/varchar/char and every type Postgres reads from its text form (enum, inet,
/// interval, ranges, ...; the target casts it). An INTEGER or REAL in such a column (SQLite keeps
/// what it was given) becomes its exact decimal text. A BLOB, or a NUL character (Postgres text
/// cannot hold one), is refused.
/// </summary>
internal sealed class TextFromD1 : FromD1Converter
{
    public override D1Type Type => D1Type.Text;

    public override object? Convert(object value) => value switch
    {
        string s when s.Contains('\0') => throw new ValueRejectedException("TEXT with a NUL character: Postgres text cannot hold it"),
        string s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => RealText(d),
        _ => throw Unexpected(value, "text"),
    };
}

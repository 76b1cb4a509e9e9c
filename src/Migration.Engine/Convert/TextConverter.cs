using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>
/// text/varchar/char(n)/name/citext, and every type read in Postgres' own text form (enum,
/// inet, cidr, macaddr, bit, xml, ranges, geometric, tsvector, timetz, interval...) -> TEXT,
/// unchanged: char(n) keeps its padding, '' stays '', the strings 'NULL' and '\N' stay strings.
/// </summary>
internal sealed class TextConverter : ValueConverter
{
    public override D1Type Type => D1Type.Text;

    public override object? Convert(object value) => value as string ?? throw WrongType(value, "String");
}

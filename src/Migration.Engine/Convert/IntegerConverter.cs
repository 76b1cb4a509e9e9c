using System.Text;
using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>smallint/integer/bigint (serial, identity) -> INTEGER; in arrays JSON numbers with Postgres' digits.</summary>
internal sealed class IntegerConverter : ValueConverter
{
    public override D1Type Type => D1Type.Integer;

    public override object? Convert(object value) => value switch
    {
        long l => l,
        int i => (long)i,
        short s => (long)s,
        _ => throw WrongType(value, "Int16, Int32 or Int64"),
    };

    public override void AppendJsonElement(StringBuilder json, ReadOnlySpan<char> text)
    {
        if (!JsonText.IsInteger(text)) throw new ValueRejectedException($"\"{text}\" is not an integer");
        json.Append(text);
    }
}

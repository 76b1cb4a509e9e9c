using System.Text;
using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>
/// json -> TEXT byte for byte as stored (whitespace, key order and duplicate keys kept); jsonb
/// -> TEXT as Postgres prints it. Non-ASCII stays as it is. A JSON null is the TEXT 'null',
/// distinct from SQL NULL. In arrays the element is embedded as raw JSON.
/// </summary>
internal sealed class JsonConverter : ValueConverter
{
    public override D1Type Type => D1Type.Text;

    public override object? Convert(object value) => value as string ?? throw WrongType(value, "String");

    public override void AppendJsonElement(StringBuilder json, ReadOnlySpan<char> text)
    {
        if (text.IsWhiteSpace()) throw new ValueRejectedException("empty json array element");
        json.Append(text);
    }
}

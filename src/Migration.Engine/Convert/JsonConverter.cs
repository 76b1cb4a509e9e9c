using System.Text;
using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>
/// json -> TEXT byte for byte as stored (whitespace, key order and duplicate keys kept); jsonb
/// -> TEXT as Postgres prints it. Non-ASCII stays as it is. A JSON null is the TEXT 'null',
/// distinct from SQL NULL. In arrays the element is embedded as raw JSON; a JSON null element
/// is a rejection there, since it would read the same as a NULL element.
/// </summary>
internal sealed class JsonConverter : ValueConverter
{
    public override D1Type Type => D1Type.Text;

    public override object? Convert(object value) => value as string ?? throw WrongType(value, "String");

    public override void AppendJsonElement(StringBuilder json, ReadOnlySpan<char> text)
    {
        var trimmed = text.Trim();
        if (trimmed.IsEmpty) throw new ValueRejectedException("empty json array element");
        // Embedded, a JSON null element and a NULL element would both be null: refuse rather
        // than merge two different values silently.
        if (trimmed is "null")
            throw new ValueRejectedException("a JSON null element cannot be told apart from a NULL element in the JSON array");
        json.Append(text);
    }
}

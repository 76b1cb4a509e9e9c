using System.Text;
using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>
/// json -> TEXT byte for byte as stored (whitespace, key order and duplicate keys kept); jsonb
/// -> TEXT as Postgres prints it. Non-ASCII stays as it is. A JSON null is the TEXT 'null',
/// distinct from SQL NULL. In arrays the element is embedded as raw JSON; an array with a JSON
/// null element is written in its text form (<see cref="ArrayConverter"/>), since embedded the
/// element would read the same as a NULL element.
/// </summary>
internal sealed class JsonConverter : ValueConverter
{
    public override D1Type Type => D1Type.Text;

    public override object? Convert(object value) => value as string ?? throw WrongType(value, "String");

    public override void AppendJsonElement(StringBuilder json, ReadOnlySpan<char> text)
    {
        var trimmed = text.Trim();
        if (trimmed.IsEmpty) throw new ValueRejectedException("empty json array element");
        // Embedded, a JSON null element and a NULL element would both be null. ArrayConverter
        // asks EmbedsAsNull first and never gets here with one; refuse rather than merge.
        if (EmbedsAsNull(trimmed))
            throw new ValueRejectedException("a JSON null element cannot be told apart from a NULL element in the JSON array");
        json.Append(text);
    }

    public override bool EmbedsAsNull(ReadOnlySpan<char> text) => text.Trim() is "null";
}

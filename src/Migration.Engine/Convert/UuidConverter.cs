using System.Text;
using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>uuid -> TEXT in canonical lower-case form (8-4-4-4-12), as Postgres prints it.</summary>
internal sealed class UuidConverter : ValueConverter
{
    public override D1Type Type => D1Type.Text;

    public override object? Convert(object value) => value switch
    {
        Guid g => g.ToString("D"),
        string s when Guid.TryParse(s, out var g) => g.ToString("D"),
        _ => throw WrongType(value, "Guid"),
    };

    public override void AppendJsonElement(StringBuilder json, ReadOnlySpan<char> text)
    {
        if (!Guid.TryParse(text, out var g)) throw new ValueRejectedException($"\"{text}\" is not a uuid");
        json.Append('"').Append(g.ToString("D")).Append('"');
    }
}

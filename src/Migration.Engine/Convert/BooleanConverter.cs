using System.Text;
using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>boolean -> INTEGER 1/0 (SQLite has no boolean); in arrays JSON true/false.</summary>
internal sealed class BooleanConverter : ValueConverter
{
    // Boxed once: the hot path returns these instead of boxing a new long per value.
    static readonly object One = 1L;
    static readonly object Zero = 0L;

    public override D1Type Type => D1Type.Integer;

    public override object? Convert(object value) =>
        value is bool b ? (b ? One : Zero) : throw WrongType(value, "Boolean");

    public override void AppendJsonElement(StringBuilder json, ReadOnlySpan<char> text)
    {
        // Postgres prints t/f; the long spellings are accepted too since they mean the same.
        if (text is "t" || text.Equals("true", StringComparison.OrdinalIgnoreCase)) json.Append("true");
        else if (text is "f" || text.Equals("false", StringComparison.OrdinalIgnoreCase)) json.Append("false");
        else throw new ValueRejectedException($"\"{text}\" is not a boolean");
    }
}

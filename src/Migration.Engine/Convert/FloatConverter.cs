using System.Globalization;
using System.Text;
using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>
/// real/double precision -> REAL. A real (float4) is widened through its shortest round-trip
/// text, not by a binary cast: 1.1f becomes 1.1, the number Postgres shows, where (double)1.1f
/// would be 1.100000023841858. NaN/±Infinity follow the column's <see cref="NonFiniteMode"/>.
/// </summary>
internal sealed class FloatConverter(NonFiniteMode nonFinite) : ValueConverter
{
    public override D1Type Type => D1Type.Real;

    public override object? Convert(object value) => value switch
    {
        double d => double.IsFinite(d) ? d : NonFiniteValues.Convert(nonFinite, NonFiniteValues.Canonical(d)),
        float f => float.IsFinite(f) ? Widen(f) : NonFiniteValues.Convert(nonFinite, NonFiniteValues.Canonical(f)),
        _ => throw WrongType(value, "Single or Double"),
    };

    /// <summary>The double whose shortest text equals the float's shortest text (1.1f -> 1.1).</summary>
    public static double Widen(float f)
    {
        Span<char> text = stackalloc char[32];
        f.TryFormat(text, out var n, "R", CultureInfo.InvariantCulture);
        return double.Parse(text[..n], NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    public override void AppendJsonElement(StringBuilder json, ReadOnlySpan<char> text)
    {
        // Postgres (12+) prints the shortest round-trip digits, e.g. 1.1, 1e+20, -0: valid JSON numbers.
        if (JsonText.IsNumber(text)) json.Append(text);
        else if (NonFiniteValues.Canonical(text) is { } nf) NonFiniteValues.AppendJson(json, nonFinite, nf);
        else throw new ValueRejectedException($"\"{text}\" is not a floating-point number");
    }
}

using System.Text;

namespace Migration.Engine.Convert;

/// <summary>
/// NaN and ±Infinity (float and numeric) have no D1 REAL form: what happens to them is the
/// column's <see cref="NonFiniteMode"/>, the same for scalars and array elements.
/// </summary>
internal static class NonFiniteValues
{
    /// <summary>Postgres' own spelling of a non-finite value, or null when <paramref name="text"/> is not one.</summary>
    public static string? Canonical(ReadOnlySpan<char> text) =>
        text.Equals("NaN", StringComparison.OrdinalIgnoreCase) ? "NaN"
        : text.Equals("Infinity", StringComparison.OrdinalIgnoreCase) || text.Equals("+Infinity", StringComparison.OrdinalIgnoreCase) ? "Infinity"
        : text.Equals("-Infinity", StringComparison.OrdinalIgnoreCase) ? "-Infinity"
        : null;

    public static string Canonical(double value) =>
        double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";

    /// <summary>The D1 value for a non-finite value: TEXT <c>NaN</c>/<c>Infinity</c>/<c>-Infinity</c>, NULL, or a rejection.</summary>
    public static string? Convert(NonFiniteMode mode, string canonical) => mode switch
    {
        NonFiniteMode.Text => canonical,
        NonFiniteMode.Null => null,
        _ => throw Rejection(canonical),
    };

    /// <summary>A non-finite array element: a JSON string, JSON null, or a rejection.</summary>
    public static void AppendJson(StringBuilder json, NonFiniteMode mode, string canonical)
    {
        switch (mode)
        {
            case NonFiniteMode.Text: JsonText.AppendString(json, canonical); break;
            case NonFiniteMode.Null: json.Append("null"); break;
            default: throw Rejection(canonical);
        }
    }

    static ValueRejectedException Rejection(string canonical) =>
        new($"{canonical} cannot be stored in D1 (REAL has no NaN/Infinity); set NonFinite to Text or Null to allow it");
}

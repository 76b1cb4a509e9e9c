using System.Globalization;
using System.Text.RegularExpressions;
using Migration.Engine.Schema;

namespace Migration.Engine.Convert.D1ToPg;

/// <summary>
/// INTEGER, REAL or TEXT -> numeric/money, exactly, as Postgres' text form (a string, which the
/// Postgres target casts with the column's own type so Postgres applies its scale and range):
/// an INTEGER's digits; a REAL's shortest round-trip digits (<c>0.1</c> is 0.1, the number this
/// module wrote); TEXT that is a number (the exact digits <c>-NumericAs Text</c> writes) or
/// <c>NaN</c>/<c>Infinity</c>/<c>-Infinity</c>. Anything else is refused.
/// </summary>
internal sealed partial class NumericFromD1(PgType type) : FromD1Converter
{
    public override D1Type Type => D1Type.Text;

    public override object? Convert(object value) => value switch
    {
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d when double.IsFinite(d) => Plain(RealText(d)),
        double d => throw new ValueRejectedException($"REAL {d} is not a number {type.Name} holds"),
        string s when Number().IsMatch(s) => s.Trim(),
        string s when type.Family == PgTypeFamily.Numeric && s is "NaN" or "Infinity" or "-Infinity" => s,
        string s => throw new ValueRejectedException($"TEXT \"{ValueExcerpt.Of(s, 40)}\" is not a number"),
        _ => throw Unexpected(value, type.Name),
    };

    /// <summary>The shortest round-trip digits without an exponent where a decimal holds them (1E+20 -> 100000000000000000000), as Postgres prints the number back.</summary>
    static string Plain(string real) =>
        real.Contains('E', StringComparison.Ordinal) && decimal.TryParse(real, NumberStyles.Float, CultureInfo.InvariantCulture, out var m)
            ? m.ToString(CultureInfo.InvariantCulture) : real;

    [GeneratedRegex(@"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Number();
}

using System.Globalization;
using System.Text;
using Migration.Engine.Schema;

namespace Migration.Engine.Convert;

/// <summary>
/// numeric and money. Auto: numeric(p,s) with p 1..15 -> REAL (every such value is exact in a
/// double; the display scale is not kept: 1.50 reads back as 1.5), anything else -> TEXT with
/// the exact digits and scale. Real: always REAL, and a value a double cannot hold exactly is a
/// rejection. Text: always TEXT. NaN/±Infinity follow <see cref="NonFiniteMode"/> in every mode.
/// Source values are decimal (exact, scale kept) or Postgres' numeric text.
/// </summary>
internal sealed class NumericConverter : ValueConverter
{
    /// <summary>The largest precision whose every value a double holds exactly (15 significant digits).</summary>
    public const int MaxRealPrecision = 15;

    readonly bool _real;
    readonly NonFiniteMode _nonFinite;

    public NumericConverter(PgType type, ColumnSettings settings)
    {
        _nonFinite = settings.NonFinite;
        _real = settings.NumericAs switch
        {
            NumericMode.Real => true,
            NumericMode.Text => false,
            // money has no declared precision and up to 19 digits: TEXT under Auto.
            _ => type.Family == PgTypeFamily.Numeric && type.Precision is >= 1 and <= MaxRealPrecision,
        };
    }

    public override D1Type Type => _real ? D1Type.Real : D1Type.Text;

    public override object? Convert(object value)
    {
        if (value is decimal m)
        {
            if (!_real) return m.ToString(CultureInfo.InvariantCulture);
            return NumericText.TryToDoubleExact(m, out var d) ? d : throw Inexact();
        }
        if (value is string s)
        {
            if (NonFiniteValues.Canonical(s) is { } nf) return NonFiniteValues.Convert(_nonFinite, nf);
            if (!IsPgNumeric(s)) throw new ValueRejectedException("not a numeric value");
            if (!_real) return s;
            return NumericText.TryParseExact(s, out var d) ? d : throw Inexact();
        }
        throw WrongType(value, "Decimal or String");
    }

    public override void AppendJsonElement(StringBuilder json, ReadOnlySpan<char> text)
    {
        if (JsonText.IsNumber(text)) json.Append(text);
        else if (NonFiniteValues.Canonical(text) is { } nf) NonFiniteValues.AppendJson(json, _nonFinite, nf);
        // money prints with the server's currency format ($1,234.50): kept as a JSON string.
        else JsonText.AppendString(json, text);
    }

    static ValueRejectedException Inexact() =>
        new("a REAL (double) cannot hold this numeric value exactly; use NumericAs Text (or Auto) to keep its digits");

    /// <summary>Postgres' numeric output: optional minus, digits, optional fraction.</summary>
    static bool IsPgNumeric(string s)
    {
        var i = s.Length > 0 && s[0] == '-' ? 1 : 0;
        var start = i;
        while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
        if (i == start) return false;
        if (i == s.Length) return true;
        if (s[i] != '.') return false;
        var f = ++i;
        while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
        return i == s.Length && i > f;
    }
}

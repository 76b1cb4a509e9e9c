using System.Globalization;

namespace Migration.Engine.Convert;

/// <summary>
/// Decides whether a double holds a decimal value exactly, in the sense that matters for D1:
/// the double's shortest round-trip text is the same number as the source's digits (so reading
/// the REAL back gives the source value; only trailing zeros of the scale are lost).
/// </summary>
internal static class NumericText
{
    const ulong TenPow15 = 1_000_000_000_000_000UL;

    /// <summary>
    /// The double for a decimal when that double holds it exactly; false when it cannot.
    /// Up to 15 significant digits always round-trip (DBL_DIG), and for a mantissa below 2^53
    /// with scale at most 22 the runtime's conversion is one correctly rounded division; other
    /// values take the slow, string-compared path.
    /// </summary>
    public static bool TryToDoubleExact(decimal value, out double result)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var low = (uint)bits[0] | ((ulong)(uint)bits[1] << 32);
        var scale = (bits[3] >> 16) & 0xFF;
        if (bits[2] == 0 && low < TenPow15 && scale <= 22)
        {
            result = (double)value;
            return true;
        }
        return TryParseExact(value.ToString(CultureInfo.InvariantCulture), out result);
    }

    /// <summary>The double for Postgres numeric text (or any decimal text) when it holds the value exactly.</summary>
    public static bool TryParseExact(string digits, out double result)
    {
        if (!double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out result) || !double.IsFinite(result))
            return false;
        return SameValue(digits, result.ToString("R", CultureInfo.InvariantCulture));
    }

    /// <summary>Whether two decimal texts (optional sign, digits, point, exponent) denote the same number.</summary>
    public static bool SameValue(string a, string b)
    {
        var x = Canonicalize(a);
        var y = Canonicalize(b);
        return x.Digits == y.Digits && (x.Digits.Length == 0 || (x.Negative == y.Negative && x.Exponent == y.Exponent));
    }

    /// <summary>value = (-1)^Negative × 0.Digits × 10^Exponent, with no leading or trailing zeros in Digits.</summary>
    static (bool Negative, string Digits, int Exponent) Canonicalize(string s)
    {
        var i = 0;
        var negative = false;
        if (i < s.Length && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
        var digits = new System.Text.StringBuilder(s.Length);
        var point = -1;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsAsciiDigit(c)) digits.Append(c);
            else if (c == '.' && point < 0) point = digits.Length;
            else break;
        }
        if (point < 0) point = digits.Length;
        var exponent = 0;
        if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
            exponent = int.Parse(s.AsSpan(i + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var lead = 0;
        while (lead < digits.Length && digits[lead] == '0') lead++;
        var end = digits.Length;
        while (end > lead && digits[end - 1] == '0') end--;
        var d = digits.ToString(lead, end - lead);
        return (negative, d, point - lead + exponent);
    }
}

using System.Globalization;
using Migration.Engine.Schema;

namespace Migration.Engine.Integrity;

/// <summary>
/// Comparing and showing D1 values (long, double, string, byte[], null) with their storage class:
/// a check must tell <c>'1'</c> from <c>1</c> from <c>1.0</c>, and <c>''</c> from NULL, and so must
/// the person reading its report.
/// </summary>
static class D1Value
{
    /// <summary>Same storage class and same value (REALs compared by their bits).</summary>
    public static bool Same(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (long x, long y) => x == y,
        (double x, double y) => BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits(y),
        (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
        (byte[] x, byte[] y) => x.AsSpan().SequenceEqual(y),
        _ => false,
    };

    /// <summary>A short excerpt: <c>NULL</c>, <c>42</c>, <c>1.0</c>, <c>'text'</c>, <c>x'0a1b…'</c>.</summary>
    public static string Excerpt(object? value) => value switch
    {
        null => "NULL",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => Real(d),
        string s => "'" + ValueExcerpt.Of(s) + "'",
        byte[] b => Blob(b),
        _ => ValueExcerpt.Of(value),
    };

    static string Real(double d)
    {
        var s = d.ToString("R", CultureInfo.InvariantCulture);
        // "1" would read as an INTEGER: a REAL keeps a point so 1.0 vs 1 is visible.
        return s.AsSpan().IndexOfAny(".EIN") >= 0 ? s : s + ".0";
    }

    static string Blob(byte[] b)
    {
        const int shown = 16;
        var hex = System.Convert.ToHexString(b.AsSpan(0, Math.Min(b.Length, shown))).ToLowerInvariant();
        return b.Length > shown ? $"x'{hex}…' ({b.Length} bytes)" : $"x'{hex}'";
    }
}

using System.Globalization;
using System.Text.Json;
using Migration.Engine.Schema;

namespace Migration.Engine.Cloudflare;

/// <summary>
/// Reads values exactly, storage class included, through the API's JSON. A column is selected
/// through <see cref="Expression"/>, which tags what JSON would blur: an INTEGER comes as the
/// text <c>'i'||value</c> (exact over 64 bits), a TEXT as <c>'t'||value</c>, ±Infinity as
/// <c>'r+'</c>/<c>'r-'</c>; any other REAL stays a JSON number (the server writes the shortest
/// text that round-trips, so the double is exact; <c>-0.0</c> arrives as <c>0.0</c>, as JSON
/// writes it); a BLOB stays an array of bytes; NULL stays null. <see cref="Decode"/> undoes it.
/// One result column per table column, so D1's 100-column limit still fits a whole row.
/// </summary>
public static class D1ExactRead
{
    /// <summary>The projection of the column named <paramref name="name"/> (quoted here).</summary>
    public static string Column(string name) => Expression(SqlQuote.Identifier(name));

    /// <summary>The projection of <paramref name="quotedColumn"/> (an already quoted identifier or expression).</summary>
    public static string Expression(string quotedColumn)
    {
        ArgumentException.ThrowIfNullOrEmpty(quotedColumn);
        var c = quotedColumn;
        return $"CASE typeof({c}) WHEN 'integer' THEN 'i' || {c} WHEN 'text' THEN 't' || {c} " +
               $"WHEN 'real' THEN CASE WHEN {c} = 9e999 THEN 'r+' WHEN {c} = -9e999 THEN 'r-' ELSE {c} END ELSE {c} END";
    }

    /// <summary>The value an <see cref="Expression"/> column holds: null, long, double, string or byte[].</summary>
    public static object? Decode(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Number:
                // Only REALs stay numbers in this projection.
                return double.Parse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
            case JsonValueKind.Array:
                return D1JsonValue.Bytes(value);
            case JsonValueKind.String:
                var s = value.GetString()!;
                if (s.Length > 0 && s[0] == 't') return s[1..];
                if (s.Length > 1 && s[0] == 'i' && long.TryParse(s.AsSpan(1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return l;
                if (s == "r+") return double.PositiveInfinity;
                if (s == "r-") return double.NegativeInfinity;
                throw new FormatException($"'{(s.Length > 20 ? s[..20] + "…" : s)}' is not a value of D1ExactRead.Expression.");
            default:
                throw new FormatException($"D1ExactRead.Expression never gives {value.ValueKind}.");
        }
    }
}

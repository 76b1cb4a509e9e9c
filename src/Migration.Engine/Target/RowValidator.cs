using System.Globalization;
using System.Text;
using Migration.Engine.Schema;

namespace Migration.Engine.Target;

/// <summary>
/// The checks a row passes before it is sent to SQLite: only D1 values, no NaN, no NULL in a
/// NOT NULL or key column, within D1's row size, text that UTF-8 can hold, and nothing the
/// column's affinity would silently convert. A row that fails is reported and never written.
/// </summary>
internal static class RowValidator
{
    // Doubles hold every integer up to 2^53 exactly; beyond it a REAL column would round.
    const long MaxExactDoubleInteger = 1L << 53;

    public static RowError? Check(Row row, TableBinding binding, D1Limits limits)
    {
        var values = row.GetValues();
        var notNull = binding.NotNull;
        var affinity = binding.Affinity;
        long sizeBound = 0;
        for (var i = 0; i < values.Length; i++)
        {
            switch (values[i])
            {
                case null:
                    if (notNull[i]) return Error(row, binding, i, "NOT NULL constraint: the value is NULL");
                    break;
                case long l:
                    sizeBound += 8;
                    if (affinity[i] == SqliteAffinity.Real && (l > MaxExactDoubleInteger || l < -MaxExactDoubleInteger))
                        return Error(row, binding, i, $"the column {Quoted(binding, i)} is REAL and would round this integer (beyond ±2^53)");
                    break;
                case double d:
                    if (double.IsNaN(d)) return Error(row, binding, i, "NaN cannot be stored (SQLite would store NULL)");
                    sizeBound += 8;
                    if (affinity[i] == SqliteAffinity.Text)
                        return Error(row, binding, i, $"the column {Quoted(binding, i)} is TEXT and would store this real as rounded text");
                    break;
                case string s:
                    // UTF-8 needs at most 3 bytes per UTF-16 char: the exact count is only taken when this bound is over the limit.
                    sizeBound += (long)s.Length * 3;
                    if (s.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF') && UnpairedSurrogate(s) is var at and >= 0)
                        return Error(row, binding, i, $"the text holds an unpaired UTF-16 surrogate at character {(at + 1).ToString(CultureInfo.InvariantCulture)}; D1 stores UTF-8, which cannot represent it (it would become U+FFFD)");
                    if (affinity[i] is SqliteAffinity.Integer or SqliteAffinity.Real or SqliteAffinity.Numeric && LooksNumeric(s))
                        return Error(row, binding, i, $"the column {Quoted(binding, i)} has {affinity[i].ToString().ToUpperInvariant()} affinity and would convert this text to a number");
                    break;
                case byte[] b:
                    sizeBound += b.Length;
                    break;
                default:
                    return Error(row, binding, i, $"a value of type {values[i]!.GetType().FullName} is not a D1 value (long, double, string, byte[] or null)");
            }
        }
        return sizeBound > limits.MaxRowBytes ? CheckSize(row, binding, limits) : null;
    }

    static RowError? CheckSize(Row row, TableBinding binding, D1Limits limits)
    {
        var values = row.GetValues();
        long total = 0, largest = -1;
        var largestAt = 0;
        for (var i = 0; i < values.Length; i++)
        {
            long size = values[i] switch
            {
                string s => Encoding.UTF8.GetByteCount(s),
                byte[] b => b.Length,
                null => 0,
                _ => 8,
            };
            total += size;
            if (size > largest) { largest = size; largestAt = i; }
        }
        if (largest > limits.MaxRowBytes)
            return Error(row, binding, largestAt, $"the value is {largest.ToString(CultureInfo.InvariantCulture)} bytes, over D1's limit of {limits.MaxRowBytes.ToString(CultureInfo.InvariantCulture)} bytes per string or BLOB");
        if (total > limits.MaxRowBytes)
            return Error(row, binding, largestAt, $"the row is {total.ToString(CultureInfo.InvariantCulture)} bytes, over D1's limit of {limits.MaxRowBytes.ToString(CultureInfo.InvariantCulture)} bytes per row (largest value shown)");
        return null;
    }

    /// <summary>
    /// Whether SQLite's numeric affinity would turn this text into a number: a decimal literal,
    /// optionally signed, with surrounding whitespace. Errs on the side of "yes" (the row is then
    /// refused loudly, never changed silently).
    /// </summary>
    internal static bool LooksNumeric(string s)
    {
        var t = s.AsSpan().Trim(" \t\n\r\f\v");
        if (t.IsEmpty) return false;
        var c = t[0];
        if (!(char.IsAsciiDigit(c) || c is '+' or '-' or '.')) return false;
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
    }

    /// <summary>The index of the first surrogate that is not half of a pair, or -1.</summary>
    internal static int UnpairedSurrogate(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            else if (char.IsSurrogate(s[i])) return i;
        }
        return -1;
    }

    static string Quoted(TableBinding binding, int i) => SqlQuote.Identifier(binding.Schema.Columns[i].Name);

    static RowError Error(Row row, TableBinding binding, int column, string reason) =>
        new(binding.Table, row.DescribeKey(), binding.Schema.Columns[column].Name, reason, ValueExcerpt.Of(row.GetValue(column)));
}

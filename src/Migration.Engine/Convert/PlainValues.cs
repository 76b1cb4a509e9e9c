using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using Migration.Engine.Schema;
using Migration.Engine.Source;

namespace Migration.Engine.Convert;

/// <summary>
/// The rules for plain .NET values (Workers KV JSON read by ConvertFrom-Json, CSV fields,
/// hashtables, computed columns): which D1 type a value implies, and how a value goes into a
/// column of a given D1 type — exactly, or a rejection. "12" goes into INTEGER as 12, "12.5"
/// does not; an integer beyond 2^53 does not go into REAL; booleans are INTEGER 1/0.
/// </summary>
internal static class PlainValues
{
    const long MaxExactDouble = 1L << 53;
    const int MaxDepth = 64;
    static readonly object One = 1L;
    static readonly object Zero = 0L;
    static readonly DateTime PgEpoch = new(2000, 1, 1);

    /// <summary>The D1 type a column gets when the first value seen in it is <paramref name="value"/>.</summary>
    public static D1Type Infer(object? value, ColumnSettings settings) => value switch
    {
        null => D1Type.Text,
        bool or sbyte or byte or short or ushort or int or uint or long or ulong or BigInteger => D1Type.Integer,
        float or double or decimal => D1Type.Real,
        string or char or Guid => D1Type.Text,
        DateTime or DateTimeOffset or PgTimestamp => settings.IsUnixTime ? D1Type.Integer : D1Type.Text,
        DateOnly or PgDate => D1Type.Text,
        byte[] => D1Type.Blob,
        IDictionary or IDictionary<string, object?> or IEnumerable => D1Type.Text,
        _ => throw Unsupported(value),
    };

    /// <summary>The D1 value of <paramref name="value"/> in a column of type <paramref name="type"/>.</summary>
    public static object? Coerce(object? value, D1Type type, ColumnSettings settings)
    {
        if (value is null) return null;
        return type switch
        {
            D1Type.Integer => ToInteger(value, settings),
            D1Type.Real => ToReal(value, settings),
            D1Type.Text => ToText(value, settings),
            _ => value as byte[] ?? throw new ValueRejectedException($"a {value.GetType().Name} cannot go into a BLOB column; only bytes can"),
        };
    }

    static object? ToInteger(object value, ColumnSettings settings)
    {
        switch (value)
        {
            case bool b: return b ? One : Zero;
            case long l: return l;
            case int i: return (long)i;
            case short s: return (long)s;
            case sbyte sb: return (long)sb;
            case byte by: return (long)by;
            case ushort us: return (long)us;
            case uint ui: return (long)ui;
            case ulong ul: return ul <= long.MaxValue ? (long)ul : throw OutOfInteger();
            case BigInteger bi: return bi >= long.MinValue && bi <= long.MaxValue ? (long)bi : throw OutOfInteger();
            case double d: return FromDouble(d);
            case float f: return FromDouble(f);
            case decimal m: return decimal.Truncate(m) == m && m >= long.MinValue && m <= long.MaxValue ? (long)m : throw NotInteger();
            case string s: return ParseInteger(s);
            case DateTime or DateTimeOffset when settings.IsUnixTime:
                return UnixTime.FromPgMicros(ToPgMicros(value, settings), settings.TimestampFormat, settings.AllowPrecisionLoss);
            // A Postgres timestamp taken from an exported row (a computed column, Select-Object):
            // it may be infinity or outside DateTime's range, which the one rule refuses.
            case PgTimestamp t when settings.IsUnixTime:
                return UnixTime.FromPgMicros(t.Microseconds, settings.TimestampFormat, settings.AllowPrecisionLoss);
            default: throw CannotGo(value, "INTEGER");
        }

        static object FromDouble(double d) =>
            double.IsFinite(d) && Math.Floor(d) == d && d >= -9.2233720368547758E18 && d < 9.2233720368547758E18 ? (long)d : throw NotInteger();
    }

    static object ParseInteger(string s)
    {
        if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return l;
        if (decimal.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var m))
            return decimal.Truncate(m) == m && m >= long.MinValue && m <= long.MaxValue ? (long)m : throw NotInteger();
        if (s.Equals("true", StringComparison.OrdinalIgnoreCase)) return One;
        if (s.Equals("false", StringComparison.OrdinalIgnoreCase)) return Zero;
        throw NotInteger();
    }

    static object? ToReal(object value, ColumnSettings settings)
    {
        switch (value)
        {
            case double d: return double.IsFinite(d) ? d : NonFiniteValues.Convert(settings.NonFinite, NonFiniteValues.Canonical(d));
            case float f: return float.IsFinite(f) ? FloatConverter.Widen(f) : NonFiniteValues.Convert(settings.NonFinite, NonFiniteValues.Canonical(f));
            case decimal m: return NumericText.TryToDoubleExact(m, out var md) ? md : throw Inexact();
            case bool b: return b ? 1.0 : 0.0;
            case long l: return FromInteger(l);
            case int i: return (double)i;
            case short s: return (double)s;
            case sbyte sb: return (double)sb;
            case byte by: return (double)by;
            case ushort us: return (double)us;
            case uint ui: return (double)ui;
            case ulong ul: return ul <= MaxExactDouble ? (double)ul : throw BeyondDouble();
            case BigInteger bi: return bi >= -MaxExactDouble && bi <= MaxExactDouble ? (double)bi : throw BeyondDouble();
            case string s:
                if (NonFiniteValues.Canonical(s) is { } nf) return NonFiniteValues.Convert(settings.NonFinite, nf);
                if (!double.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var parsed))
                    throw new ValueRejectedException("not a number");
                return NumericText.TryParseExact(s, out var exact) ? exact : throw Inexact();
            default: throw CannotGo(value, "REAL");
        }

        static object FromInteger(long l) => l >= -MaxExactDouble && l <= MaxExactDouble ? (double)l : throw BeyondDouble();
    }

    static object? ToText(object value, ColumnSettings settings)
    {
        switch (value)
        {
            case string s: return s;
            case char c: return c.ToString();
            case bool b: return b ? "true" : "false";
            case Guid g: return g.ToString("D");
            case double d: return double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : NonFiniteValues.Convert(settings.NonFinite, NonFiniteValues.Canonical(d));
            case float f: return float.IsFinite(f) ? f.ToString("R", CultureInfo.InvariantCulture) : NonFiniteValues.Convert(settings.NonFinite, NonFiniteValues.Canonical(f));
            case DateTime or DateTimeOffset: return DateTimeToText(value, settings);
            case PgTimestamp t: return TimestampText(t.Microseconds, t.HasTimeZone, settings);
            case DateOnly d: return DateTimeText.FormatDate(PgDate.FromDateOnly(d).Days);
            case PgDate d: return DateTimeText.FormatDate(d.Days); // a date is never Unix time
            case byte[]: throw CannotGo(value, "TEXT");
            case IFormattable f when IsNumber(value): return f.ToString(null, CultureInfo.InvariantCulture);
            case IDictionary or IDictionary<string, object?> or IEnumerable: return ToJson(value, settings);
            default: throw Unsupported(value);
        }
    }

    static bool IsNumber(object v) => v is sbyte or byte or short or ushort or int or uint or long or ulong or decimal or BigInteger;

    /// <summary>A nested object or list as compact JSON text; non-ASCII kept as is.</summary>
    public static string ToJson(object value, ColumnSettings settings)
    {
        var sb = new StringBuilder();
        AppendJson(sb, value, settings, 0);
        return sb.ToString();
    }

    static void AppendJson(StringBuilder sb, object? value, ColumnSettings settings, int depth)
    {
        if (depth > MaxDepth) throw new ValueRejectedException($"nested deeper than {MaxDepth} levels (a cycle?)");
        switch (value)
        {
            case null: sb.Append("null"); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case string s: JsonText.AppendString(sb, s); break;
            case char c: JsonText.AppendString(sb, [c]); break;
            case double or float:
                var d = value is float f ? FloatConverter.Widen(f) : (double)value;
                if (double.IsFinite(d)) sb.Append(d.ToString("R", CultureInfo.InvariantCulture));
                else NonFiniteValues.AppendJson(sb, settings.NonFinite, NonFiniteValues.Canonical(d));
                break;
            case Guid or DateTime or DateTimeOffset or DateOnly or PgTimestamp or PgDate: JsonText.AppendString(sb, (string)ToText(value, settings)!); break;
            // JSON has no bytes: base64, the usual JSON spelling.
            case byte[] bytes: JsonText.AppendString(sb, System.Convert.ToBase64String(bytes)); break;
            case IDictionary<string, object?> map:
                sb.Append('{');
                var first = true;
                foreach (var (k, v) in map)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    JsonText.AppendString(sb, k);
                    sb.Append(':');
                    AppendJson(sb, v, settings, depth + 1);
                }
                sb.Append('}');
                break;
            case IDictionary map:
                sb.Append('{');
                var firstEntry = true;
                foreach (DictionaryEntry e in map)
                {
                    if (!firstEntry) sb.Append(',');
                    firstEntry = false;
                    JsonText.AppendString(sb, System.Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "");
                    sb.Append(':');
                    AppendJson(sb, e.Value, settings, depth + 1);
                }
                sb.Append('}');
                break;
            case IFormattable n when IsNumber(value): sb.Append(n.ToString(null, CultureInfo.InvariantCulture)); break;
            case IEnumerable list:
                sb.Append('[');
                var firstItem = true;
                foreach (var item in list)
                {
                    if (!firstItem) sb.Append(',');
                    firstItem = false;
                    AppendJson(sb, item, settings, depth + 1);
                }
                sb.Append(']');
                break;
            default: throw Unsupported(value);
        }
    }

    /// <summary>
    /// A DateTime/DateTimeOffset as timestamp text: UTC with Z for Kind Utc, Local (converted to
    /// UTC) and DateTimeOffset; without Z for Kind Unspecified. SqliteDateTime drops the T and Z.
    /// </summary>
    static string DateTimeToText(object value, ColumnSettings settings)
    {
        var zulu = value is DateTimeOffset || ((DateTime)value).Kind != DateTimeKind.Unspecified;
        return TimestampText(ToPgMicros(value, settings), zulu, settings);
    }

    static string TimestampText(long pgMicros, bool zulu, ColumnSettings settings) =>
        settings.TimestampFormat == TimestampFormat.SqliteDateTime
            ? DateTimeText.FormatTimestamp(pgMicros, ' ', zulu: false)
            : DateTimeText.FormatTimestamp(pgMicros, 'T', zulu);

    /// <summary>Microseconds since 2000-01-01 (UTC when the value knows its zone); a sub-microsecond tick is a rejection unless AllowPrecisionLoss.</summary>
    static long ToPgMicros(object value, ColumnSettings settings)
    {
        var dt = value is DateTimeOffset o ? o.UtcDateTime : ((DateTime)value).Kind == DateTimeKind.Local ? ((DateTime)value).ToUniversalTime() : (DateTime)value;
        if (dt.Ticks % TimeSpan.TicksPerMicrosecond != 0 && !settings.AllowPrecisionLoss)
            throw new ValueRejectedException("has a sub-microsecond part (100 ns ticks) that a timestamp cannot hold; set AllowPrecisionLoss to truncate it");
        // Floor, so a truncated sub-microsecond part always moves the instant earlier.
        var ticks = dt.Ticks - PgEpoch.Ticks;
        var micros = Math.DivRem(ticks, TimeSpan.TicksPerMicrosecond, out var rem);
        return rem < 0 ? micros - 1 : micros;
    }

    static ValueRejectedException NotInteger() => new("not an integer; an INTEGER column takes only whole numbers");
    static ValueRejectedException OutOfInteger() => new("out of INTEGER's 64-bit range");
    static ValueRejectedException BeyondDouble() => new("an integer beyond 2^53 cannot be held exactly by a REAL column");
    static ValueRejectedException Inexact() => new("a REAL (double) cannot hold this value exactly");
    static ValueRejectedException CannotGo(object value, string type) => new($"a {value.GetType().Name} cannot go into a {type} column");
    static ValueRejectedException Unsupported(object value) => new($"values of type {value.GetType().FullName} are not supported");
}

using System.Globalization;
using System.Text.Json;

namespace Migration.Engine.Cloudflare;

/// <summary>
/// A value bound to a <c>?</c> of a D1 statement sent over JSON, encoded so that it arrives
/// exactly. The REST API turns JSON booleans into the TEXT 'true'/'false' and JSON numbers into
/// doubles, so:
/// <list type="bullet">
/// <item>INTEGER (and booleans, as 1/0) travel as decimal text and need <see cref="Placeholder"/>
/// <c>CAST(? AS INTEGER)</c>: exact over the whole 64-bit range;</item>
/// <item>REAL travels as a JSON number written to round-trip (<c>R</c>) behind
/// <c>CAST(? AS REAL)</c>, so 3.0 stays a REAL; ±Infinity (not JSON) as ±1 behind <c>(? * 9e999)</c>;
/// NaN is refused (SQLite would store NULL);</item>
/// <item>TEXT as a JSON string (NUL, CR and emoji included); BLOB as an array of byte values; NULL as null.</item>
/// </list>
/// Write <see cref="Placeholder"/> where the value goes in the SQL; <see cref="D1Statement.Of"/>
/// does it for a template.
/// </summary>
public readonly struct D1Parameter
{
    readonly object? _value;

    D1Parameter(D1ParameterKind kind, object? value)
    {
        Kind = kind;
        _value = value;
    }

    public D1ParameterKind Kind { get; }

    /// <summary>The value as D1 stores it: null, long, double, string or byte[].</summary>
    public object? Value => _value;

    public static D1Parameter Null => new(D1ParameterKind.Null, null);

    public static D1Parameter Integer(long value) => new(D1ParameterKind.Integer, value);

    public static D1Parameter Real(double value) => double.IsNaN(value)
        ? throw new ArgumentException("NaN cannot be stored in D1 (SQLite stores it as NULL); convert it explicitly.", nameof(value))
        : new(D1ParameterKind.Real, value);

    public static D1Parameter Text(string value) => new(D1ParameterKind.Text, value ?? throw new ArgumentNullException(nameof(value)));

    public static D1Parameter Blob(byte[] value) => new(D1ParameterKind.Blob, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>
    /// The parameter for a .NET value: null/DBNull, integral types, bool (1/0), float/double,
    /// string, char, byte[]. Anything else (decimal, dates...) is refused: convert it first, so
    /// that no mapping happens silently here.
    /// </summary>
    public static D1Parameter From(object? value) => value switch
    {
        null or DBNull => Null,
        D1Parameter p => p,
        long l => Integer(l),
        int i => Integer(i),
        short s => Integer(s),
        sbyte sb => Integer(sb),
        byte b => Integer(b),
        ushort us => Integer(us),
        uint ui => Integer(ui),
        ulong ul => ul <= long.MaxValue
            ? Integer((long)ul)
            : throw new ArgumentException($"{ul} is beyond SQLite's 64-bit signed INTEGER.", nameof(value)),
        bool flag => Integer(flag ? 1 : 0),
        double d => Real(d),
        float f => Real(f),
        string text => Text(text),
        char c => Text(c.ToString()),
        byte[] bytes => Blob(bytes),
        ReadOnlyMemory<byte> memory => Blob(memory.ToArray()),
        _ => throw new ArgumentException(
            $"A {value.GetType().Name} cannot be bound to D1 as it is; convert it to long, double, string or byte[] first.", nameof(value)),
    };

    /// <summary>What to write in the SQL where this value goes.</summary>
    public string Placeholder => Kind switch
    {
        D1ParameterKind.Integer => "CAST(? AS INTEGER)",
        D1ParameterKind.Real when double.IsInfinity((double)_value!) => "(? * 9e999)",
        D1ParameterKind.Real => "CAST(? AS REAL)",
        _ => "?",
    };

    /// <summary>The JSON bytes this value adds to a request (for sizing batches).</summary>
    internal void WriteTo(Utf8JsonWriter writer)
    {
        switch (Kind)
        {
            case D1ParameterKind.Null:
                writer.WriteNullValue();
                break;
            case D1ParameterKind.Integer:
                writer.WriteStringValue(((long)_value!).ToString(CultureInfo.InvariantCulture));
                break;
            case D1ParameterKind.Real:
                var d = (double)_value!;
                if (double.IsInfinity(d)) writer.WriteNumberValue(d > 0 ? 1 : -1);
                else writer.WriteRawValue(d.ToString("R", CultureInfo.InvariantCulture), skipInputValidation: true);
                break;
            case D1ParameterKind.Text:
                writer.WriteStringValue((string)_value!);
                break;
            case D1ParameterKind.Blob:
                writer.WriteStartArray();
                foreach (var b in (byte[])_value!) writer.WriteNumberValue(b);
                writer.WriteEndArray();
                break;
        }
    }

    public override string ToString() => Kind + ":" + (_value switch
    {
        null => "NULL",
        byte[] b => $"{b.Length} bytes",
        string s => $"{s.Length} chars",
        _ => System.Convert.ToString(_value, CultureInfo.InvariantCulture),
    });
}

/// <summary>The SQLite storage class a <see cref="D1Parameter"/> arrives as.</summary>
public enum D1ParameterKind
{
    Null,
    Integer,
    Real,
    Text,
    Blob,
}

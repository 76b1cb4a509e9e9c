using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Migration.Engine.Schema;

namespace Migration.Engine.Convert.D1ToPg;

/// <summary>
/// TEXT JSON -> json (byte for byte) / jsonb. The text must be valid JSON: invalid JSON is an
/// error for the row, never NULL and never a string wrapping it. An INTEGER or REAL is the JSON
/// number it is. (jsonb also refuses <c>\u0000</c>, which Postgres cannot store.)
/// </summary>
internal sealed class JsonFromD1(bool binary) : FromD1Converter
{
    static readonly JsonReaderOptions Strict = new() { MaxDepth = 4096, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>
    /// Reads every token of the text with the same reader and options JsonDocument.Parse uses
    /// (one value, nothing after it, strings' escapes and UTF-8 checked) without building a
    /// document: per row, the document's pooled buffers and its disposal cost more than the read.
    /// </summary>
    static void Validate(string text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var buffer = max <= 1024 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var reader = new Utf8JsonReader(buffer[..Encoding.UTF8.GetBytes(text, buffer)], isFinalBlock: true, new JsonReaderState(Strict));
            while (reader.Read()) { }
        }
        catch (JsonException ex)
        {
            throw new ValueRejectedException($"invalid JSON: {ex.Message.Split(" Path:")[0].Split(" LineNumber:")[0]}");
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override D1Type Type => D1Type.Text;

    public override object? Convert(object value)
    {
        var text = value switch
        {
            string s => s,
            long l => l.ToString(CultureInfo.InvariantCulture),
            double d when double.IsFinite(d) => RealText(d),
            _ => throw Unexpected(value, binary ? "jsonb" : "json"),
        };
        Validate(text);
        if (binary && text.Contains("\\u0000", StringComparison.Ordinal))
            throw new ValueRejectedException("JSON with \\u0000: jsonb cannot hold it");
        if (text.Contains('\0')) throw new ValueRejectedException("TEXT with a NUL character: Postgres cannot hold it");
        return text;
    }
}

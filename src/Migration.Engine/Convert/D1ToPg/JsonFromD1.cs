using System.Globalization;
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
    static readonly JsonDocumentOptions Strict = new() { MaxDepth = 4096, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

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
        try
        {
            using var _ = JsonDocument.Parse(text, Strict);
        }
        catch (JsonException ex)
        {
            throw new ValueRejectedException($"invalid JSON: {ex.Message.Split(" Path:")[0].Split(" LineNumber:")[0]}");
        }
        if (binary && text.Contains("\\u0000", StringComparison.Ordinal))
            throw new ValueRejectedException("JSON with \\u0000: jsonb cannot hold it");
        if (text.Contains('\0')) throw new ValueRejectedException("TEXT with a NUL character: Postgres cannot hold it");
        return text;
    }
}

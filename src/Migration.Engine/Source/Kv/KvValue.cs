using System.Text;
using System.Text.Json;
using Migration.Engine.Convert;

namespace Migration.Engine.Source.Kv;

/// <summary>
/// Reads a KV value as stored (bytes) into a <see cref="KvRecord"/>: JSON when it parses (numbers
/// exact: integers as long or BigInteger, other numbers as decimal when that holds their digits,
/// see <see cref="PlainObjectReader"/>), else the UTF-8 text, else the bytes. Nothing is guessed:
/// a string that looks like a date stays a string.
/// </summary>
public static class KvValue
{
    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    static readonly JsonDocumentOptions Strict = new() { MaxDepth = PlainObjectReader.MaxDepth };

    public static KvRecord Read(string key, byte[] value, long? expiration, string? metadataJson)
    {
        ArgumentNullException.ThrowIfNull(value);
        var metadata = metadataJson is null ? null : ParseOrText(metadataJson);
        string text;
        try
        {
            text = StrictUtf8.GetString(value);
        }
        catch (DecoderFallbackException)
        {
            return new KvRecord(key, value, KvValueKind.Binary, expiration, metadata, "the value is not UTF-8 text (binary)");
        }
        try
        {
            using var doc = JsonDocument.Parse(value, Strict);
            return new KvRecord(key, PlainObjectReader.Unwrap(doc.RootElement), KvValueKind.Json, expiration, metadata);
        }
        catch (JsonException e)
        {
            return new KvRecord(key, text, KvValueKind.Text, expiration, metadata, "invalid JSON: " + FirstLine(e.Message));
        }
    }

    /// <summary>A JSON element as plain .NET values (metadata from the API).</summary>
    public static object? FromJson(JsonElement? element) => element is { } e ? PlainObjectReader.Unwrap(e) : null;

    static object? ParseOrText(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, Strict);
            return PlainObjectReader.Unwrap(doc.RootElement);
        }
        catch (JsonException)
        {
            return json;
        }
    }

    static string FirstLine(string s)
    {
        var i = s.IndexOf('\n');
        return i < 0 ? s : s[..i];
    }
}

using System.Text;
using System.Text.Json;

namespace Migration.Engine.Cloudflare;

/// <summary>
/// A key with its value as stored (bytes, exactly), its expiration (Unix seconds) and metadata.
/// </summary>
public sealed record KvEntry(string Key, byte[] Value, long? Expiration, JsonElement? Metadata)
{
    /// <summary>The value as UTF-8 text, or null when the bytes are not valid UTF-8 (a binary value).</summary>
    public string? TryGetText()
    {
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(Value);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}

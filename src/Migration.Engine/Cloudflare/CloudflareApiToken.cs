using System.Runtime.InteropServices;
using System.Security;

namespace Migration.Engine.Cloudflare;

/// <summary>
/// A Cloudflare API token. It is only ever read to build the <c>Authorization</c> header; its
/// <see cref="ToString"/> and every message the client writes show <c>***</c> instead, so a token
/// cannot reach output, logs or error text by accident.
/// </summary>
public sealed class CloudflareApiToken
{
    readonly string _value;

    CloudflareApiToken(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException("The Cloudflare API token is empty.", nameof(value));
        // Wrangler refuses tokens outside Latin-1; control characters (CR, LF) would also let a
        // value inject header lines. The message never repeats the token.
        for (var i = 0; i < value.Length; i++)
            if (value[i] > '\u00ff' || char.IsControl(value[i]) || value[i] == ' ')
                throw new ArgumentException(
                    $"The Cloudflare API token holds a character that cannot go in an HTTP header (position {i + 1}); copy the token again from the dashboard.",
                    nameof(value));
        _value = value;
    }

    /// <summary>A token from plain text (e.g. <c>CLOUDFLARE_API_TOKEN</c>).</summary>
    public static CloudflareApiToken FromString(string token) => new(token ?? throw new ArgumentNullException(nameof(token)));

    /// <summary>A token from a <see cref="SecureString"/> (PowerShell's <c>-ApiToken</c>).</summary>
    public static CloudflareApiToken FromSecureString(SecureString token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var pointer = Marshal.SecureStringToGlobalAllocUnicode(token);
        try
        {
            return new CloudflareApiToken(Marshal.PtrToStringUni(pointer, token.Length));
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }

    /// <summary>The header value; used by the HTTP layer only.</summary>
    internal string BearerHeaderValue => _value;

    /// <summary>
    /// <paramref name="text"/> with any occurrence of the token replaced by <c>***</c>: applied to
    /// every server text the client puts in an exception, in case a server echoes the header.
    /// </summary>
    public string Redact(string? text) =>
        string.IsNullOrEmpty(text) ? text ?? "" : text.Replace(_value, "***", StringComparison.Ordinal);

    public override string ToString() => "***";
}

using System.Security;
using Migration.Engine.Cloudflare;

namespace Migration.PowerShell;

/// <summary>
/// How the cmdlets that talk to Cloudflare's API (Export-KvEntry; the remote D1 target) turn
/// -AccountId, -ApiToken (SecureString), -ApiBaseUri and -WranglerConfig into settings, with the
/// environment wrangler reads (CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_API_TOKEN,
/// CLOUDFLARE_API_BASE_URL) for what is not given, and the config's account_id after the
/// environment's (as wrangler, and as Import-D1Batch -Database: <see cref="RemoteD1Connection"/>).
/// The token is never put in a message.
/// </summary>
public static class CloudflareParameters
{
    /// <summary>Throws <see cref="CloudflareConfigurationException"/> saying what is missing.</summary>
    public static CloudflareSettings Settings(string? accountId, SecureString? apiToken, Uri? apiBaseUri, WranglerConfig? config)
    {
        if (apiBaseUri is not null && apiBaseUri.Scheme != Uri.UriSchemeHttps && apiBaseUri.Scheme != Uri.UriSchemeHttp)
            throw new CloudflareConfigurationException($"-ApiBaseUri is not an http(s) URL: '{apiBaseUri}'.");
        var account = accountId
            ?? Environment.GetEnvironmentVariable("CLOUDFLARE_ACCOUNT_ID") ?? Environment.GetEnvironmentVariable("CF_ACCOUNT_ID")
            ?? config?.AccountId;
        return CloudflareSettings.FromEnvironment(
            account,
            apiToken is null ? null : CloudflareApiToken.FromSecureString(apiToken),
            apiBaseUri);
    }
}

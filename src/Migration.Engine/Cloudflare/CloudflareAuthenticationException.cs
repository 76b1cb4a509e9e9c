namespace Migration.Engine.Cloudflare;

/// <summary>
/// The token was refused (HTTP 401/403, codes 10000, 9106, 7403): wrong, expired, lacking the
/// permission, or for another account. Never retried.
/// </summary>
public sealed class CloudflareAuthenticationException(string operation, int? httpStatus, IReadOnlyList<CloudflareError> errors)
    : CloudflareApiException(operation, httpStatus, errors,
        $"Cloudflare refused the API token for {operation} (HTTP {httpStatus}: {string.Join("; ", errors)}). " +
        "Check CLOUDFLARE_API_TOKEN / -ApiToken, that it has the D1 (Edit) or Workers KV permission, and the account id.");

namespace Migration.Engine.Cloudflare;

/// <summary>
/// How to reach Cloudflare's API: the account, the token, the base URL and the client's limits
/// (timeout, rate, retries). <see cref="FromEnvironment"/> reads the variables wrangler reads.
/// <see cref="ToString"/> never shows the token.
/// </summary>
public sealed class CloudflareSettings
{
    /// <summary>Wrangler's default for <c>CLOUDFLARE_API_BASE_URL</c>.</summary>
    public const string DefaultApiBaseUrl = "https://api.cloudflare.com/client/v4";

    public required string AccountId { get; init; }

    public required CloudflareApiToken ApiToken { get; init; }

    /// <summary>The <c>/client/v4</c> root every route is appended to.</summary>
    public Uri ApiBaseUri { get; init; } = new(DefaultApiBaseUrl);

    /// <summary>
    /// How long one HTTP exchange may take, answer body included. Cloudflare ends a D1 request
    /// at 30 s itself; 45 s leaves it time to say so before the client gives up (ingestr uses 45 s too).
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>
    /// Requests allowed in any <see cref="RateWindow"/>. Cloudflare allows 1,200 per 5 minutes per
    /// token, shared with the dashboard and the user's other tools: 1,000 leaves them 200.
    /// </summary>
    public int RequestsPerWindow { get; init; } = 1000;

    public TimeSpan RateWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Requests that may go at once before the steady rate applies (part of <see cref="RequestsPerWindow"/>).</summary>
    public int Burst { get; init; } = 20;

    /// <summary>Attempts per request, the first included, for failures that are safe to repeat.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>First back-off after a failed attempt; doubled each time up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>
    /// A 429 whose <c>retry-after</c> asks for longer than this fails at once instead of waiting
    /// (Cloudflare blocks a token for 5 minutes when it exceeds its limit).
    /// </summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(6);

    /// <summary>Told about every HTTP exchange (for progress: requests, bytes, rate); never sees the token.</summary>
    public Action<CloudflareRequestInfo>? OnRequest { get; init; }

    /// <summary>
    /// Settings from explicit values, else the environment as wrangler reads it:
    /// <c>CLOUDFLARE_ACCOUNT_ID</c> (or <c>CF_ACCOUNT_ID</c>), <c>CLOUDFLARE_API_TOKEN</c> (or
    /// <c>CF_API_TOKEN</c>), <c>CLOUDFLARE_API_BASE_URL</c> (or <c>CF_API_BASE_URL</c>, default
    /// <see cref="DefaultApiBaseUrl"/>). <paramref name="environment"/> defaults to the process environment.
    /// </summary>
    public static CloudflareSettings FromEnvironment(
        string? accountId = null,
        CloudflareApiToken? apiToken = null,
        Uri? apiBaseUri = null,
        Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var account = NonEmpty(accountId) ?? Variable(environment, "CLOUDFLARE_ACCOUNT_ID", "CF_ACCOUNT_ID")
            ?? throw new CloudflareConfigurationException(
                "No Cloudflare account id: pass one (-AccountId) or set CLOUDFLARE_ACCOUNT_ID.");
        var token = apiToken
            ?? (Variable(environment, "CLOUDFLARE_API_TOKEN", "CF_API_TOKEN") is { } t
                ? CloudflareApiToken.FromString(t)
                : throw new CloudflareConfigurationException(
                    "No Cloudflare API token: pass one (-ApiToken, a SecureString) or set CLOUDFLARE_API_TOKEN."));
        return new CloudflareSettings
        {
            AccountId = account,
            ApiToken = token,
            ApiBaseUri = apiBaseUri ?? ApiBaseUriFrom(environment),
        };
    }

    /// <summary><c>CLOUDFLARE_API_BASE_URL</c> (or <c>CF_API_BASE_URL</c>) as wrangler reads it, else the default.</summary>
    public static Uri ApiBaseUriFrom(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var text = Variable(environment, "CLOUDFLARE_API_BASE_URL", "CF_API_BASE_URL") ?? DefaultApiBaseUrl;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri
            : throw new CloudflareConfigurationException($"CLOUDFLARE_API_BASE_URL is not an http(s) URL: '{text}'.");
    }

    static string? Variable(Func<string, string?> environment, string name, string alias) =>
        NonEmpty(environment(name)) ?? NonEmpty(environment(alias));

    static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    public override string ToString() => $"Cloudflare account {AccountId} at {ApiBaseUri} (token ***)";
}

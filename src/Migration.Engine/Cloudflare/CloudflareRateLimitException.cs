namespace Migration.Engine.Cloudflare;

/// <summary>
/// Still rate limited (HTTP 429) after the allowed attempts, or asked to wait longer than
/// <see cref="CloudflareSettings.MaxRetryAfter"/>. A 429 is not executed, so nothing was applied.
/// </summary>
public sealed class CloudflareRateLimitException(string operation, IReadOnlyList<CloudflareError> errors, TimeSpan? retryAfter)
    : CloudflareApiException(operation, 429, errors,
        $"Cloudflare's rate limit refused {operation}{(retryAfter is { } r ? $" (retry after {r.TotalSeconds:0} s)" : "")}; " +
        "other tools using the same token share the limit of 1,200 requests per 5 minutes.")
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

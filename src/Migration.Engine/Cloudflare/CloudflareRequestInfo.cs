namespace Migration.Engine.Cloudflare;

/// <summary>
/// One HTTP exchange with the API, as reported to <see cref="CloudflareSettings.OnRequest"/>:
/// what was asked (method and route, never the token), how it ended, and its size and duration.
/// <see cref="Status"/> is null when no answer came (timeout, reset).
/// </summary>
public sealed record CloudflareRequestInfo(
    string Operation,
    int Attempt,
    int? Status,
    long BytesSent,
    long BytesReceived,
    TimeSpan Duration,
    string? Failure);

namespace Migration.Engine.Cloudflare;

/// <summary>
/// One logical API call, re-sent as a new HTTP message on each attempt. <see cref="Authenticated"/>
/// is false for the presigned upload and download URLs the API hands out: the token is only ever
/// sent to the API's own base URL.
/// </summary>
internal sealed record CloudflareRequest(
    HttpMethod Method,
    Uri Uri,
    string Operation,
    RetrySafety Safety,
    byte[]? Body = null,
    string? ContentType = null,
    bool Authenticated = true);

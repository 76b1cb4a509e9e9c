using System.Net.Http.Headers;

namespace Migration.Engine.Cloudflare;

/// <summary>An answer read whole within the request's timeout: status, headers and body bytes.</summary>
internal sealed record CloudflareResponse(int Status, HttpResponseHeaders Headers, HttpContentHeaders ContentHeaders, byte[] Body)
{
    public bool IsSuccessStatus => Status is >= 200 and < 300;

    /// <summary>A response header's first value (e.g. <c>etag</c>, <c>expiration</c>, <c>retry-after</c>).</summary>
    public string? Header(string name) =>
        Headers.TryGetValues(name, out var values) || ContentHeaders.TryGetValues(name, out values) ? values.FirstOrDefault() : null;
}

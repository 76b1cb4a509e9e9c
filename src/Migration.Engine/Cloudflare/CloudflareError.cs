namespace Migration.Engine.Cloudflare;

/// <summary>One entry of the v4 envelope's <c>errors</c>: Cloudflare's numeric code and its message.</summary>
public sealed record CloudflareError(int Code, string Message)
{
    public override string ToString() => $"{Message} [code: {Code}]";
}

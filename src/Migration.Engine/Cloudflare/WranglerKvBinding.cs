namespace Migration.Engine.Cloudflare;

/// <summary>A <c>kv_namespaces</c> entry of a wrangler config.</summary>
public sealed record WranglerKvBinding(string Binding, string? Id, string? PreviewId);

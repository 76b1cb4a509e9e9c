namespace Migration.Engine.Cloudflare;

/// <summary>Settings or a wrangler config that cannot work (nothing was sent to Cloudflare).</summary>
public sealed class CloudflareConfigurationException(string message, Exception? inner = null) : Exception(message, inner);

namespace Migration.Engine.Cloudflare;

/// <summary>A <c>d1_databases</c> entry of a wrangler config.</summary>
public sealed record WranglerD1Binding(string Binding, string? DatabaseName, string? DatabaseId, string? PreviewDatabaseId);

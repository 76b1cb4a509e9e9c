namespace Migration.Engine.Cloudflare;

/// <summary>A Workers KV namespace: its id (what the API and wrangler configs use) and title.</summary>
public sealed record KvNamespaceInfo(string Id, string Title);

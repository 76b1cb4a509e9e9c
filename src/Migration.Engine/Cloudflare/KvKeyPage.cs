namespace Migration.Engine.Cloudflare;

/// <summary>One page of a key listing; <see cref="Cursor"/> is null after the last page (pass it back to go on, e.g. on resume).</summary>
public sealed record KvKeyPage(IReadOnlyList<KvKey> Keys, string? Cursor);

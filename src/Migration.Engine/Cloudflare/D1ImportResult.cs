namespace Migration.Engine.Cloudflare;

/// <summary>
/// A completed import: statements run, the Time Travel bookmark right after it
/// (<see cref="FinalBookmark"/>), its meta and every message the server sent.
/// </summary>
public sealed record D1ImportResult(long NumQueries, string? FinalBookmark, D1QueryMeta Meta, IReadOnlyList<string> Messages, string Etag);

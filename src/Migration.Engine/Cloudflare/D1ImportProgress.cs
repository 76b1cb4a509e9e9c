namespace Migration.Engine.Cloudflare;

/// <summary>
/// What an import or export reports while it runs: the stage (<c>upload</c>, <c>ingest</c>,
/// <c>poll</c>), the server's status (<c>active</c>, <c>complete</c>...) and the messages it has
/// not reported before ("Processed 5000 queries.").
/// </summary>
public sealed record D1ImportProgress(string Stage, string? Status, IReadOnlyList<string> Messages, int Polls);

namespace Migration.Engine.Cloudflare;

/// <summary>A Time Travel restore: the bookmark restored, the one before it (restoring it undoes the restore), and the server's message.</summary>
public sealed record D1RestoreResult(string Bookmark, string? PreviousBookmark, string? Message);

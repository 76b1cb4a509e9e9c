namespace Migration.Engine.Cloudflare;

/// <summary>A finished export: the dump's file name, the bookmark it was taken at, and the bytes written.</summary>
public sealed record D1ExportResult(string Filename, string? AtBookmark, long Bytes, IReadOnlyList<string> Messages);

namespace Migration.Engine.Cloudflare;

/// <summary><c>dump_options</c> of an export: no schema, no data, only some tables (empty: all).</summary>
public sealed record D1ExportOptions(bool NoSchema = false, bool NoData = false, IReadOnlyList<string>? Tables = null);

namespace Migration.Engine.Journal;

/// <summary>
/// Where a run stands in one table: the key of the last row it committed there (D1 values, in
/// key order; null for a table without a key), which Export-PgTable -ResumeFrom continues after.
/// </summary>
public sealed record ResumePoint(long RunId, string Table, string? SourceTable, IReadOnlyList<object?>? LastKey);

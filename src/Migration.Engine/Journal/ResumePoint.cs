namespace Migration.Engine.Journal;

/// <summary>
/// Where a run stands in one table: the key of the last row it committed there (D1 values, in
/// key order; null for a table without a key), which Export-PgTable -ResumeFrom continues after.
/// </summary>
/// <param name="KeyColumns">The names of the key columns <paramref name="LastKey"/> holds the values of, in the same order (empty for a table without a key).</param>
public sealed record ResumePoint(long RunId, string Table, string? SourceTable, IReadOnlyList<object?>? LastKey, IReadOnlyList<string>? KeyColumns = null);

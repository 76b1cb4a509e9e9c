namespace Migration.Engine.Journal;

/// <summary>One run as its journal records it (Get-MigrationRun emits these).</summary>
public sealed record MigrationRunInfo(
    string Path,
    long RunId,
    RunStatus State,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    string? Source,
    IReadOnlyList<string> Tables,
    string Options,
    long RowsWritten,
    long RowsSkipped,
    long RowsFailed,
    long RowsQuarantined,
    int Attempts,
    string? BackupPath,
    DateTimeOffset? UndoneAt,
    string? Message,
    IReadOnlyList<RunTableProgress> TableProgress)
{
    /// <summary>
    /// The engine's view of <see cref="Status"/>. Internal so that the public shape holds only the
    /// name: PowerShell's ConvertTo-Json writes an enum property as its number unless the caller
    /// remembers -EnumsAsStrings.
    /// </summary>
    internal RunStatus State { get; init; } = State;

    /// <summary>
    /// The run's tables: as the run declared them up front (the CLI does), else the tables it
    /// wrote to, in load order (Import-D1Batch learns its tables from the rows).
    /// </summary>
    public IReadOnlyList<string> Tables { get; init; } = Tables.Count > 0 ? Tables : TableProgress.Select(p => p.Table).ToArray();

    // Arrays, not collection expressions: the compiler's read-only list implements its indexer
    // explicitly, and PowerShell then treats $run.TableProgress[0] as the whole list.

    /// <summary>Each table's progress, carrying this run's <see cref="Path"/> so it pipes on like the run does.</summary>
    public IReadOnlyList<RunTableProgress> TableProgress { get; init; } = TableProgress.Select(p => p with { Path = Path }).ToArray();

    /// <summary>Running, Completed, CompletedWithRefusedTables, Failed or Undone (the name of a <see cref="RunStatus"/>).</summary>
    public string Status => State.ToString();

    public override string ToString() => $"Run {RunId} ({Status}) in {Path}";
}

/// <summary>One table's progress within a run: the checkpoint a resumed run continues after.</summary>
public sealed record RunTableProgress(
    long RunId,
    string Table,
    string? SourceTable,
    bool Created,
    int Batches,
    long RowsWritten,
    long RowsSkipped,
    long RowsFailed,
    string? LastKey)
{
    /// <summary>The D1 file the run wrote (with <see cref="RunId"/>, what Undo-Migration and Test-MigrationIntegrity bind from the pipeline).</summary>
    public string? Path { get; init; }

    public override string ToString() =>
        $"{Table}: {RowsWritten} rows in {Batches} batches{(RowsSkipped > 0 ? $", {RowsSkipped} skipped" : "")}{(RowsFailed > 0 ? $", {RowsFailed} refused" : "")}{(Created ? ", created" : "")}{(LastKey is null ? "" : $", last key {LastKey}")}";
}

/// <summary>A row a run could not convert or write, kept in the journal's quarantine table.</summary>
public sealed record QuarantinedRow(
    long RunId,
    string Table,
    string Key,
    string? Column,
    string Stage,
    string Reason,
    string ValueExcerpt,
    DateTimeOffset RecordedAt);

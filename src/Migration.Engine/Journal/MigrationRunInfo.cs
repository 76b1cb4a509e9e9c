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

    /// <summary>Running, Completed, Failed or Undone (the name of a <see cref="RunStatus"/>).</summary>
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
    string? LastKey);

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

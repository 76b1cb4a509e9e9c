namespace Migration.Engine.Target;

/// <summary>One committed batch (Import-D1Batch -PassThru emits these).</summary>
public sealed record BatchResult(string Table, int BatchNumber, int RowsWritten, int RowsSkipped, int RowsFailed, TimeSpan Elapsed);

/// <summary>A row the target refused (constraint, over a limit). The others of its batch were written.</summary>
public sealed record RowError(string Table, string Key, string? Column, string Reason, string ValueExcerpt);

/// <summary>The end-of-run figures for one table.</summary>
public sealed record TableSummary(string Table, long RowsWritten, long RowsSkipped, long RowsFailed, int Batches, TimeSpan Elapsed)
{
    /// <summary>Rows whose parent row was missing (each also reported as an <see cref="OrphanRow"/> or a row error).</summary>
    public long RowsOrphaned { get; init; }

    /// <summary>Why the table was refused up front (null: it was loaded). Its rows were not written.</summary>
    public string? Refused { get; init; }

    /// <summary>Rows of a refused table that arrived and were not written.</summary>
    public long RowsNotWritten { get; init; }

    /// <summary><c>Loaded</c>, or <c>Refused</c> for a table refused up front.</summary>
    public string Status => Refused is null ? "Loaded" : "Refused";

    public double RowsPerSecond => Elapsed.TotalSeconds > 0 ? RowsWritten / Elapsed.TotalSeconds : 0;

    /// <summary>The D1 file written (Import-D1Batch sets it, so a summary pipes on to Get-MigrationRun, Undo-Migration, Test-MigrationIntegrity).</summary>
    public string? Path { get; init; }

    /// <summary>The journal's run that wrote it; null without a journal (-NoJournal, -WhatIf).</summary>
    public long? RunId { get; init; }
}

namespace Migration.Engine.Target;

/// <summary>How rows are written to a D1 target.</summary>
public sealed record ImportOptions
{
    /// <summary>Rows per batch; each batch is one transaction.</summary>
    public int BatchSize { get; init; } = 1000;
    public OnConflict OnConflict { get; init; } = OnConflict.Abort;
    public D1Limits Limits { get; init; } = D1Limits.Default;
    /// <summary>Counts and validates what would be written, and writes nothing (-WhatIf, dry runs).</summary>
    public bool DryRun { get; init; }
    /// <summary>What happens to rows whose parent row is missing (tables created from a full definition).</summary>
    public OrphanPolicy OrphanPolicy { get; init; } = OrphanPolicy.Fail;

    /// <summary>
    /// The first refused row stops the load (-ErrorAction Stop): the batch it is in is rolled
    /// back, nothing after it is written, and <see cref="RowRefusedException"/> is thrown from
    /// the next <see cref="SqliteTarget.Add"/> or <see cref="SqliteTarget.Complete"/> (after the
    /// <see cref="SqliteTarget.RowFailed"/> event for the row). Batches committed before it stay.
    /// Otherwise a refused row is reported and the others go on.
    /// </summary>
    public bool StopAtFirstRefusal { get; init; }
}

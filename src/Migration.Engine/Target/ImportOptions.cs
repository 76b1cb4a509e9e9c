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

    /// <summary>A remote D1's write path per table (<see cref="D1WriteMethod"/>); ignored by the other targets.</summary>
    public D1WriteMethod Method { get; init; } = D1WriteMethod.Auto;

    /// <summary>
    /// Rows per chunk of the import path (a remote D1). Users saw imports die after about
    /// 100,000 statements of one row each (workers-sdk #11958; #7554 at ~300k, #4407 around
    /// 100 MB): 25,000 rows is a quarter of the smallest of those, and with
    /// <see cref="ImportChunkBytes"/> keeps each chunk a few seconds of D1's work, so a chunk
    /// that fails costs little to redo and a resume loses at most one chunk.
    /// </summary>
    public int ImportChunkRows { get; init; } = 25_000;

    /// <summary>SQL bytes per import chunk, at most (8 MB: well under the ~100 MB files that ran wrangler out of memory in #4407).</summary>
    public long ImportChunkBytes { get; init; } = 8_000_000;
}

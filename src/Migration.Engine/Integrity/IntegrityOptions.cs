using Migration.Engine.Convert;

namespace Migration.Engine.Integrity;

/// <summary>What to check and how. <see cref="Conversion"/> must be the options the migration used.</summary>
public sealed record IntegrityOptions
{
    public IntegrityCheck Checks { get; init; } = IntegrityCheck.All;

    /// <summary>The mapping the migration used (table and column maps, exclusions, formats): the checksum compares converted values.</summary>
    public ConversionOptions Conversion { get; init; } = ConversionOptions.Default;

    /// <summary>Random source rows per table for <see cref="IntegrityCheck.Sample"/>.</summary>
    public int SampleSize { get; init; } = 100;

    /// <summary>The seed of the random sample; null: a different sample each run.</summary>
    public int? SampleSeed { get; init; }

    /// <summary>Differences listed per result (the counts in Details still cover everything found).</summary>
    public int MaxDifferences { get; init; } = 10;

    /// <summary>
    /// Buckets of the content digest. More buckets: more memory for the digest (32 bytes each per
    /// side) and fewer rows re-read per differing bucket when a checksum fails.
    /// </summary>
    public int ChecksumBuckets { get; init; } = 4096;
}

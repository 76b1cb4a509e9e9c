namespace Migration.Engine.Integrity;

/// <summary>
/// The outcome of one check on one table. A failed check is a result with <see cref="Passed"/>
/// false, not an error; <see cref="Differences"/> lists the first differences found (at most
/// <see cref="IntegrityOptions.MaxDifferences"/>).
/// </summary>
public sealed class IntegrityResult
{
    public IntegrityResult(string table, IntegrityCheck check, bool passed, string expected, string actual, string details,
        IReadOnlyList<IntegrityDifference>? differences = null)
    {
        Table = table;
        Kind = check;
        Passed = passed;
        Expected = expected;
        Actual = actual;
        Details = details;
        Differences = differences ?? [];
    }

    /// <summary>The target table's name.</summary>
    public string Table { get; }
    /// <summary>The check's name (RowCount, Checksum, ...): a name, so ConvertTo-Json writes it without -EnumsAsStrings.</summary>
    public string Check => Kind.ToString();
    /// <summary>The check as the engine knows it; internal so that the public shape holds only the name.</summary>
    internal IntegrityCheck Kind { get; }
    public bool Passed { get; }
    /// <summary>What the source (or the rule) says, e.g. a row count or a content hash.</summary>
    public string Expected { get; }
    /// <summary>What the target holds.</summary>
    public string Actual { get; }
    /// <summary>A short human summary.</summary>
    public string Details { get; }
    public IReadOnlyList<IntegrityDifference> Differences { get; }

    public override string ToString() => $"{Table} {Check}: {(Passed ? "passed" : "FAILED")} ({Details})";
}

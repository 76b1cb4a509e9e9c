namespace Migration.Engine.Preflight;

/// <summary>
/// One refused table, with every reason found for it and the parameters that would fix them:
/// the error a cmdlet reports for that table while the other tables go on.
/// </summary>
public sealed class TableRefusedException : Exception
{
    public TableRefusedException(IReadOnlyList<PreflightProblem> problems)
        : base(Describe(problems))
    {
        Problems = problems;
        Table = problems[0].Table;
        D1Table = problems[0].D1Table;
        FixParameters = [.. problems.Select(p => p.FixParameter).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The source table (<c>schema.table</c> or the plain name).</summary>
    public string Table { get; }

    /// <summary>The D1 table it was to become, when the mapping got that far.</summary>
    public string? D1Table { get; }

    public IReadOnlyList<PreflightProblem> Problems { get; }

    /// <summary>The parameters (without the dash) that would fix it.</summary>
    public IReadOnlyList<string> FixParameters { get; }

    static string Describe(IReadOnlyList<PreflightProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (problems.Count == 0) throw new ArgumentException("A refusal needs at least one problem.", nameof(problems));
        var first = problems[0];
        return $"Table {first.TableDescription} cannot go to D1 as mapped: "
            + string.Join("; ", problems.Select(p => $"{p.Reason} (fix with -{p.FixParameter})")) + ".";
    }
}

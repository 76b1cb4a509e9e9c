using Migration.Engine.Schema;

namespace Migration.Engine.Preflight;

/// <summary>
/// What a preflight found for a whole set of tables: every problem (in load order), which tables
/// are refused, and the D1 schemas of the tables that may load.
/// </summary>
public sealed class PreflightReport
{
    readonly HashSet<string> _refusedSources = new(StringComparer.Ordinal);
    readonly HashSet<string> _refusedD1 = new(StringComparer.OrdinalIgnoreCase);

    internal PreflightReport(IReadOnlyList<PreflightProblem> problems, IReadOnlyList<TableSchema> accepted)
    {
        Problems = problems;
        Accepted = accepted;
        foreach (var p in problems.Where(p => p.RefusesTable))
        {
            _refusedSources.Add(p.Table);
            if (p.D1Table is not null) _refusedD1.Add(p.D1Table);
        }
    }

    /// <summary>Every problem, refusals and notes, in the set's load order.</summary>
    public IReadOnlyList<PreflightProblem> Problems { get; }

    /// <summary>The problems that refuse a table.</summary>
    public IEnumerable<PreflightProblem> Refusals => Problems.Where(p => p.RefusesTable);

    /// <summary>The D1 schemas of the tables not refused, in load order.</summary>
    public IReadOnlyList<TableSchema> Accepted { get; }

    public bool HasRefusals => _refusedSources.Count > 0;

    /// <summary>The refused tables, by source name, in load order, with all their reasons.</summary>
    public IReadOnlyList<(string Table, string? D1Table, IReadOnlyList<PreflightProblem> Problems)> RefusedTables =>
        [.. Refusals.GroupBy(p => p.Table, StringComparer.Ordinal).Select(g => (g.Key, g.First().D1Table, (IReadOnlyList<PreflightProblem>)[.. g]))];

    /// <summary>One exception per refused table, in load order (what a cmdlet reports while the others go on).</summary>
    public IReadOnlyList<TableRefusedException> RefusedTableErrors => [.. RefusedTables.Select(t => new TableRefusedException(t.Problems))];

    /// <summary>Whether the source table (its <see cref="TableSchema.SourceDisplayName"/>) is refused.</summary>
    public bool IsRefusedSource(string sourceDisplayName) => _refusedSources.Contains(sourceDisplayName);

    /// <summary>Whether the D1 table is refused (SQLite names compare without regard to case).</summary>
    public bool IsRefusedD1(string d1Table) => _refusedD1.Contains(d1Table);

    /// <summary>All refusals in one message: one line per problem, so one error can list every one.</summary>
    public string Describe()
    {
        var refusals = Refusals.ToList();
        var tables = refusals.Select(p => p.Table).Distinct(StringComparer.Ordinal).Count();
        return $"{tables} table{(tables == 1 ? "" : "s")} cannot go to D1 as mapped ({refusals.Count} problem{(refusals.Count == 1 ? "" : "s")}); nothing was written:"
            + string.Concat(refusals.Select(p => "\n  " + p));
    }
}

using System.Management.Automation;
using Migration.Engine.Convert;
using Migration.Engine.Preflight;
using Migration.Engine.Schema;

namespace Migration.PowerShell;

/// <summary>
/// Runs the engine preflight once for each set of tables a converting cmdlet meets (the whole
/// export the first row belongs to), and remembers which source tables it refused, so their
/// rows are dropped and counted rather than converted.
/// </summary>
public sealed class ConversionPreflight(RowConverter converter)
{
    readonly HashSet<object> _met = new(ReferenceEqualityComparer.Instance);
    readonly HashSet<TableSchema> _refused = new(ReferenceEqualityComparer.Instance);
    readonly Dictionary<string, long> _dropped = new(StringComparer.Ordinal);

    /// <summary>What was found when a set was met for the first time.</summary>
    public sealed record Finding(PreflightReport Report, IReadOnlyList<UnmatchedName> Unmatched);

    /// <summary>
    /// The preflight of the set <paramref name="source"/> belongs to (or of the table alone), the
    /// first time that set is met; null afterwards.
    /// </summary>
    public Finding? Meet(TableSchema source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var set = source.Definition?.Set;
        if (!_met.Add((object?)set ?? source)) return null;
        var tables = set?.Tables ?? [source];
        var report = MigrationPreflight.Check(tables, converter);
        foreach (var t in tables)
            if (report.Refusals.Any(p => IsConversionRefusal(p) && p.Table == t.SourceDisplayName)) _refused.Add(t);
        // The names are checked against the whole set; a table met alone (no set) cannot tell what other tables a name is for.
        var unmatched = set is null ? [] : MigrationPreflight.UnmatchedNames(tables, converter.Options);
        return new Finding(report, unmatched);
    }

    /// <summary>Refusals the converter itself must make (it cannot produce the table's rows); D1's own refusals are the importer's.</summary>
    public static bool IsConversionRefusal(PreflightProblem p) => p.Kind is PreflightProblemKind.Mapping or PreflightProblemKind.UnmappedType;

    /// <summary>Whether rows of this source table are refused; counts the row when it is.</summary>
    public bool Drop(TableSchema source)
    {
        if (_refused.Count == 0 || !IsRefused(source)) return false;
        _dropped[source.SourceDisplayName] = _dropped.GetValueOrDefault(source.SourceDisplayName) + 1;
        return true;
    }

    bool IsRefused(TableSchema source)
    {
        if (_refused.Contains(source)) return true;
        // A schema met alone, or one equal by name to a refused member of its set.
        foreach (var r in _refused)
            if (string.Equals(r.SourceDisplayName, source.SourceDisplayName, StringComparison.Ordinal) && ReferenceEquals(r.Definition?.Set, source.Definition?.Set)) return true;
        return false;
    }

    /// <summary>Rows dropped per refused source table.</summary>
    public IReadOnlyDictionary<string, long> Dropped => _dropped;

    /// <summary>
    /// What the preflight found for a set of tables, before any of its rows goes out: unmatched
    /// names stop the command (a parameter mistake); a table the mapping cannot apply to is one
    /// error for that table, or under -ErrorAction Stop every problem of the set in one error.
    /// </summary>
    public static void Report(PSCmdlet cmdlet, Finding finding, bool allowUnmatched)
    {
        if (finding.Unmatched.Count > 0 && !allowUnmatched)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(
                new ArgumentException(UnmatchedMessage(finding.Unmatched)),
                "UnmatchedName", ErrorCategory.InvalidArgument, finding.Unmatched.Select(u => u.Name).ToArray()));
            return;
        }
        var refusals = finding.Report.Refusals.Where(IsConversionRefusal).ToList();
        if (refusals.Count == 0) return;
        if (ErrorActionStop.IsRequested(cmdlet))
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(new PreflightException(finding.Report), "TablesRefused", ErrorCategory.InvalidData, null));
            return;
        }
        foreach (var refused in finding.Report.RefusedTableErrors.Where(e => e.Problems.Any(IsConversionRefusal)))
            cmdlet.WriteError(new ErrorRecord(refused, "TableRefused", ErrorCategory.InvalidData, refused.Table));
    }

    /// <summary>Every unmatched name in one message, with the switch that allows them.</summary>
    internal static string UnmatchedMessage(IReadOnlyList<UnmatchedName> unmatched) =>
        string.Join("; ", unmatched) + ". Nothing was converted. Correct the name, or add -AllowUnmatchedName if it is meant for tables not in this migration.";
}

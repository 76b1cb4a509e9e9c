using Migration.Engine.Preflight;

namespace Migration.Cli;

/// <summary>
/// The preflight's findings in the CLI's words: its option names (<c>--map</c> for -TableMap)
/// in every message, and the two ways a refusal is handled: stop before anything is written,
/// or one line per refused table on stderr while the others go on.
/// </summary>
static class CliPreflight
{
    /// <summary>The CLI option for a cmdlet parameter the engine names as a fix.</summary>
    public static string Option(string parameter) => parameter switch
    {
        "TableMap" => "--map",
        "ColumnMap" => "--column-map",
        "Exclude" => "--exclude",
        "ExcludeTable" => "--exclude-table",
        "OrphanPolicy" => "--orphan-policy",
        "MaxRowBytes" => "--exclude",
        // No CLI option sets these per column or adds columns; the nearest is leaving the column out.
        _ => "--exclude",
    };

    public static string Describe(PreflightProblem p) => $"Table {p.TableDescription}: {p.Reason} (fix with {Option(p.FixParameter)})";

    public static string Describe(UnmatchedName u) =>
        $"{Option(u.Parameter)} \"{u.Name}\" matches no {u.What} of the tables being migrated{(u.Closest is null ? "" : $"; did you mean \"{u.Closest}\"?")}";

    /// <summary>Unmatched names are a parameter mistake: an ArgumentException (exit code 64) before anything is written, unless allowed.</summary>
    public static void ThrowIfUnmatched(IReadOnlyList<UnmatchedName> unmatched, bool allowed)
    {
        if (unmatched.Count == 0 || allowed) return;
        throw new ArgumentException(string.Join("\n", unmatched.Select(Describe))
            + "\nNothing was written. Correct the name, or add --allow-unmatched-name if it is meant for tables not in this migration.");
    }

    /// <summary>
    /// Under <paramref name="stop"/> every refusal in one exception (nothing written); else one
    /// stderr line per refused table. Returns whether any table was refused.
    /// </summary>
    public static bool Report(PreflightReport report, bool stop)
    {
        if (!report.HasRefusals) return false;
        if (stop)
        {
            var refusals = report.Refusals.ToList();
            var tables = refusals.Select(p => p.Table).Distinct(StringComparer.Ordinal).Count();
            throw new PreflightStopException($"{tables} table{(tables == 1 ? "" : "s")} cannot go to D1 as mapped; nothing was written:"
                + string.Concat(refusals.Select(p => "\n  " + Describe(p))));
        }
        foreach (var (table, d1, problems) in report.RefusedTables)
            Console.Error.WriteLine($"refused: table {problems[0].TableDescription}: " + string.Join("; ", problems.Select(p => $"{p.Reason} (fix with {Option(p.FixParameter)})")) + "; its rows are not written.");
        foreach (var note in report.Problems.Where(p => !p.RefusesTable))
            Console.Error.WriteLine($"note: table {note.TableDescription}: {note.Reason}.");
        return true;
    }
}

/// <summary>Every refusal of a preflight, stopping the command before any write (exit code 3).</summary>
sealed class PreflightStopException(string message) : Exception(message);

using Migration.Engine.Journal;

namespace Migration.Engine.Integrity;

/// <summary>
/// The tables a journal run wrote, as source tables with their D1 names: what an integrity check
/// compares when it is not told which tables (the run's last completed run, or a named one), so
/// a run is checked exactly as it was written. Tables the run loaded from plain objects have no
/// source to compare and are left out, each with a warning.
/// </summary>
public sealed record RunTables(long RunId, IReadOnlyList<string> Tables, IReadOnlyDictionary<string, string> TableMap)
{
    /// <summary>Throws <see cref="ArgumentException"/> when the journal has no such run, or the run loaded no source table.</summary>
    /// <param name="runs">The journal's runs: only run <paramref name="runId"/> when it is above 0, else all of them.</param>
    /// <param name="where">The database, as messages name it.</param>
    /// <param name="warn">Told of each table that is left out.</param>
    public static RunTables Of(IReadOnlyList<MigrationRunInfo> runs, long runId, string where, Action<string> warn)
    {
        var run = runId > 0
            ? runs.FirstOrDefault() ?? throw new ArgumentException($"There is no run {runId} in {where}.")
            : runs.LastOrDefault(r => r.State == RunStatus.Completed)
                ?? throw new ArgumentException($"{where} has no completed run in its journal to take the tables from: name the source tables with -Table or -TableMap.");
        var tables = new List<string>();
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var t in run.TableProgress)
        {
            if (t.SourceTable is null)
            {
                warn($"Table {t.Table} of run {run.RunId} was not loaded from Postgres (no source table in the journal); it is not checked.");
                continue;
            }
            tables.Add(t.SourceTable);
            map[t.SourceTable] = t.Table;
        }
        if (tables.Count == 0) throw new ArgumentException($"Run {run.RunId} in {where} loaded no table from Postgres; name the source tables with -Table or -TableMap.");
        return new RunTables(run.RunId, tables, map);
    }

    /// <summary>"source -> d1" for each table, in the run's order.</summary>
    public string Pairs => string.Join(", ", Tables.Select(t => $"{t} -> {TableMap[t]}"));
}

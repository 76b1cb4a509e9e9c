using System.Globalization;
using Migration.Engine.Journal;

namespace Migration.Cli;

/// <summary><c>migration runs</c>: Get-MigrationRun in one process, the runbook's status step.</summary>
static class RunsCommand
{
    public static int Run(CliArguments a)
    {
        a.AllowOnly(["path", "run-id"]);
        var path = Path.GetFullPath(a.Required("path"));
        var runId = a.One("run-id") is { } id ? long.Parse(id, NumberStyles.None, CultureInfo.InvariantCulture) : (long?)null;
        var runs = MigrationJournal.GetRuns(path, runId);
        if (runs.Count == 0)
        {
            Console.WriteLine(runId is null ? $"No runs recorded in {path}." : $"No run {runId} in {path}.");
            return runId is null ? 0 : 2;
        }
        foreach (var r in runs)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Run {r.RunId}  {r.Status,-9}  started {r.StartedAt:u}  {(r.FinishedAt is { } f ? $"finished {f:u}" : "not finished")}  attempts {r.Attempts}  written {r.RowsWritten}  skipped {r.RowsSkipped}  quarantined {r.RowsQuarantined}"));
            if (r.Source is not null) Console.WriteLine($"    source {r.Source}; {r.Options}");
            if (r.BackupPath is not null) Console.WriteLine($"    backup {r.BackupPath}");
            if (r.Message is not null) Console.WriteLine($"    {r.Message}");
            foreach (var t in r.TableProgress)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"    {t.Table,-20} {(t.Created ? "created " : "existing")} batches {t.Batches,6}  written {t.RowsWritten,10}  failed {t.RowsFailed,6}  last key {t.LastKey ?? "-"}"));
        }
        return 0;
    }
}

using System.Management.Automation;
using Migration.Engine.Journal;

namespace Migration.PowerShell.Commands;

/// <summary>
/// Get-MigrationRun: the runs journaled in a D1 database file, with each table's progress (the
/// runbook's status step), or with -Quarantine the rows a run could not convert or write.
/// </summary>
[Cmdlet(VerbsCommon.Get, "MigrationRun", DefaultParameterSetName = PathSet)]
[OutputType(typeof(MigrationRunInfo), typeof(QuarantinedRow))]
public sealed class GetMigrationRunCommand : JournalRunCmdlet
{

    /// <summary>The quarantined rows of the run(s) instead of the runs.</summary>
    [Parameter]
    public SwitchParameter Quarantine { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var path in ResolveDatabases()) Emit(path);
    }

    void Emit(string path)
    {
        IReadOnlyList<MigrationRunInfo> runs;
        try
        {
            runs = MigrationJournal.GetRuns(path, HasRunId ? RunId : null);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            // One unreadable file (not SQLite, locked) is that file's error; the other files go on.
            WriteError(new ErrorRecord(ex, "JournalReadFailed", ErrorCategory.ReadError, path));
            return;
        }
        if (Last.IsPresent && runs.Count > 0) runs = [runs[^1]];
        if (runs.Count == 0 && HasRunId)
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"There is no run {RunId} in {path}."), "RunNotFound", ErrorCategory.ObjectNotFound, RunId));
            return;
        }
        foreach (var run in runs)
        {
            if (!Quarantine.IsPresent)
            {
                WriteObject(run);
                continue;
            }
            foreach (var row in MigrationJournal.GetQuarantine(path, run.RunId)) WriteObject(row);
        }
    }
}

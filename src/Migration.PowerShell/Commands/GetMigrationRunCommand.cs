using System.Management.Automation;
using Migration.Engine.Journal;

namespace Migration.PowerShell.Commands;

/// <summary>
/// Get-MigrationRun: the runs journaled in a D1 database file, with each table's progress (the
/// runbook's status step), or with -Quarantine the rows a run could not convert or write.
/// </summary>
[Cmdlet(VerbsCommon.Get, "MigrationRun", DefaultParameterSetName = PathSet)]
[OutputType(typeof(MigrationRunInfo), typeof(QuarantinedRow))]
public sealed class GetMigrationRunCommand : PSCmdlet
{
    const string PathSet = "Path";
    const string LiteralPathSet = "LiteralPath";

    /// <summary>The database file; wildcards must match exactly one file.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The database file, taken literally (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = "";

    /// <summary>Only this run.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1L, long.MaxValue)]
    public long RunId { get; set; }

    /// <summary>Only the newest run.</summary>
    [Parameter]
    public SwitchParameter Last { get; set; }

    /// <summary>The quarantined rows of the run(s) instead of the runs.</summary>
    [Parameter]
    public SwitchParameter Quarantine { get; set; }

    protected override void ProcessRecord()
    {
        string path;
        try
        {
            path = ParameterSetName == LiteralPathSet
                ? FileSystemPaths.ResolveExisting(this, LiteralPath, literal: true)
                : FileSystemPaths.ResolveExisting(this, Path, literal: false);
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "InvalidPath", ErrorCategory.InvalidArgument, ParameterSetName == LiteralPathSet ? LiteralPath : Path));
            return;
        }

        IReadOnlyList<MigrationRunInfo> runs;
        try
        {
            runs = MigrationJournal.GetRuns(path, MyInvocation.BoundParameters.ContainsKey(nameof(RunId)) ? RunId : null);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "JournalReadFailed", ErrorCategory.ReadError, path));
            return;
        }
        if (Last.IsPresent && runs.Count > 0) runs = [runs[^1]];
        if (runs.Count == 0 && MyInvocation.BoundParameters.ContainsKey(nameof(RunId)))
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

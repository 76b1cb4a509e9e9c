using System.Management.Automation;
using Migration.Engine.Journal;
using Migration.Engine.Session;
using Migration.Engine.Target;

namespace Migration.PowerShell;

/// <summary>
/// What a D1 -> PostgreSQL session reports, as Import-PgTable writes it: the run started or
/// resumed (verbose), each refused row a non-terminating error naming table, key, column and
/// value, each orphan a warning (refused ones are errors already), each committed batch a verbose
/// line and a progress record (and a BatchResult with -PassThru). It decides nothing.
/// </summary>
internal sealed class PgImportReport(PSCmdlet cmdlet, string target, bool passThru) : IMigrationObserver
{
    /// <summary>Activity 2: Export-D1Table upstream in the same pipeline reports as activity 1.</summary>
    readonly ProgressRecord _progress = new(2, "Import-PgTable", "Starting");
    long _written;
    long _runId;

    /// <summary>Orphan rows left out under -OrphanPolicy Skip (in the run's quarantine).</summary>
    public long OrphansSkipped { get; private set; }

    public void RunStarted(IJournaledRun run)
    {
        _runId = run.RunId;
        cmdlet.WriteVerbose($"{(run.IsResumed ? "Resuming" : "Started")} run {run.RunId} in {target}.");
    }

    public void RowFailed(RowError e) => cmdlet.WriteError(new ErrorRecord(
        new InvalidOperationException($"Table {e.Table}, row {e.Key}, column {e.Column ?? "(none)"}: {e.Reason} (value: {e.ValueExcerpt})"),
        "RowRejected", ErrorCategory.WriteError, e));

    public void OrphanFound(OrphanRow orphan)
    {
        if (orphan.Action == "Skipped") OrphansSkipped++;
        if (orphan.Action != "Refused") cmdlet.WriteWarning(orphan.ToString());
    }

    public void BatchCommitted(BatchResult b)
    {
        cmdlet.WriteVerbose($"{b.Table}: batch {b.BatchNumber} committed ({b.RowsWritten} written, {b.RowsSkipped} skipped, {b.RowsFailed} refused).");
        _written += b.RowsWritten;
        // One record per committed batch (a few per second at most): rows are not counted here one by one.
        _progress.StatusDescription = $"{b.Table}: batch {b.BatchNumber} committed; {_written} rows written in run {_runId}";
        cmdlet.WriteProgress(_progress);
        if (passThru) cmdlet.WriteObject(b);
    }

    public void Completed(IReadOnlyList<TableSummary> summaries)
    {
        _progress.RecordType = ProgressRecordType.Completed;
        cmdlet.WriteProgress(_progress);
    }
}

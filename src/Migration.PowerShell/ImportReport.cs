using System.Management.Automation;
using Migration.Engine.Convert;
using Migration.Engine.Journal;
using Migration.Engine.Preflight;
using Migration.Engine.Schema;
using Migration.Engine.Session;
using Migration.Engine.Target;

namespace Migration.PowerShell;

/// <summary>
/// What a <see cref="MigrationSession"/> reports, as Import-D1Batch writes it: refused and
/// unconvertible rows as non-terminating errors, orphans and schema losses as warnings, batches
/// (-PassThru) and per-table summaries as objects, -WhatIf lines in a dry run, throttled
/// progress. Also maps the session's stopping exceptions to the cmdlet's terminating errors.
/// </summary>
public sealed class ImportReport(PSCmdlet cmdlet, Func<object> input, string path, bool dryRun, bool passThru, Func<long?> runId) : IMigrationObserver
{
    readonly ProgressThrottle _throttle = ProgressThrottle.Default();
    readonly ProgressRecord _progress = new(2, "Import-D1Batch", "starting");
    readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    readonly RowEstimate _estimate = new();
    long _rows;

    /// <summary>
    /// Runs one session step; when the load cannot go on, ends the command with the cause. A row
    /// refused under -ErrorAction Stop was reported as itself (its error record) and ends as
    /// RowRejected; anything else as <paramref name="errorId"/>. The session marks the run Failed (resumable).
    /// </summary>
    public void Run(Action step, string errorId = "ImportFailed", ErrorCategory category = ErrorCategory.WriteError)
    {
        ArgumentNullException.ThrowIfNull(step);
        try
        {
            step();
        }
        catch (MaxErrorsExceededException ex)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(ex.Message), "MaxErrorsExceeded", ErrorCategory.LimitsExceeded, path));
        }
        catch (PreflightException refused)
        {
            // -ErrorAction Stop: every table D1 cannot take, in one error, before anything of the set was written.
            cmdlet.ThrowTerminatingError(new ErrorRecord(refused, "TablesRefused", ErrorCategory.InvalidData, path));
        }
        catch (RowRefusedException refused)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(refused.Message, refused), "RowRejected", ErrorCategory.WriteError, refused.Error));
        }
        // PowerShell's own (a WriteError under -ErrorAction Stop, a stopped pipeline) go on as they are.
        catch (Exception ex) when (ex is not RuntimeException)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(ex, errorId, category, path));
        }
    }

    public void RunStarted(IJournaledRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        cmdlet.WriteVerbose(run.IsResumed ? $"Resuming run {run.RunId} (attempt {run.Attempts}) in {path}." : $"Run {run.RunId} started in {path}.");
        foreach (var table in run.RestartedTables)
            cmdlet.WriteWarning($"Table {table} has no primary key, so it has no checkpoint: the rows run {run.RunId} wrote there were taken out and it is written again from its start. Send it whole.");
    }

    /// <summary>One error per refused table (its Table, Problems and FixParameters say what and how to fix); the other tables go on.</summary>
    public void TableRefused(TableRefusedException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        cmdlet.WriteError(new ErrorRecord(refusal, "TableRefused", ErrorCategory.InvalidData, refusal.D1Table ?? refusal.Table));
    }

    public void ConversionFailed(string table, ConversionException error) =>
        cmdlet.WriteError(new ErrorRecord(error, "ConversionFailed", ErrorCategory.InvalidData, input()));

    public void RowFailed(RowError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        cmdlet.WriteError(new ErrorRecord(new InvalidOperationException($"Table {error.Table}, row {error.Key}, column {error.Column ?? "(none)"}: {error.Reason} (value: {error.ValueExcerpt})"),
            "RowRejected", ErrorCategory.WriteError, error));
    }

    public void BatchCommitted(BatchResult batch)
    {
        if (passThru) cmdlet.WriteObject(batch);
    }

    /// <summary>A refused orphan is also a row error (written above); skipped and nulled ones are warnings.</summary>
    public void OrphanFound(OrphanRow orphan)
    {
        ArgumentNullException.ThrowIfNull(orphan);
        if (orphan.Action != "Refused") cmdlet.WriteWarning(orphan.ToString());
    }

    public void DefinitionWarning(SchemaWarning warning) => cmdlet.WriteWarning(warning?.ToString());

    public void TargetWarning(SchemaWarning warning) => cmdlet.WriteWarning(warning?.ToString());

    public void Verbose(string message) => cmdlet.WriteVerbose(message);

    public void TableStarted(TableSchema table, string plan)
    {
        ArgumentNullException.ThrowIfNull(table);
        cmdlet.WriteVerbose(plan);
        _estimate.TableStarted(table);
    }

    public void RowSent(string table, long rowsInTable)
    {
        // The session reports every row once, so a running count is the run's total.
        _rows++;
        if (!_throttle.ShouldReport()) return;
        var seconds = _clock.Elapsed.TotalSeconds;
        var rate = seconds > 0 ? _rows / seconds : 0;
        var verb = dryRun ? "checked (dry run)" : "sent";
        var ofTable = _estimate.OfTable(table) is { } t ? $" of ~{Math.Max(t, rowsInTable):N0}" : "";
        var total = _estimate.Total is { } all ? Math.Max(all, _rows) : (long?)null;
        var ofAll = total is { } n ? $" of ~{n:N0}" : "";
        var left = total is { } m && rate > 0 ? $", ~{(m - _rows) / rate:N0} s left" : "";
        _progress.StatusDescription = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{table}: {rowsInTable:N0}{ofTable} rows {verb}; {_rows:N0}{ofAll} in all, {rate:N0} rows/s, {seconds:N0} s{left}");
        // Estimates come from the source's statistics: shown as such, never past 100%.
        _progress.PercentComplete = total is { } p && p > 0 ? (int)Math.Min(100, _rows * 100 / p) : -1;
        _progress.SecondsRemaining = total is { } r && rate > 0 ? (int)Math.Min(int.MaxValue, (r - _rows) / rate) : -1;
        cmdlet.WriteProgress(_progress);
    }

    /// <summary>
    /// The remote side, drawn under the rows' bar: rows written, requests, bytes and rate so far,
    /// and what just happened (a batch, a chunk, D1's own import messages). One record per event:
    /// they come per batch or chunk, not per row.
    /// </summary>
    public void TargetProgress(TargetProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        // A new record each time (a host may keep the records it was given, as a runspace's Streams.Progress does).
        _remote = new ProgressRecord(3, $"Import-D1Batch: {path}", progress.ToString())
        {
            ParentActivityId = _progress.ActivityId,
            CurrentOperation = progress.Message ?? _remote?.CurrentOperation,
        };
        cmdlet.WriteProgress(_remote);
    }

    ProgressRecord? _remote;

    public void Completed(IReadOnlyList<TableSummary> summaries)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        if (_remote is not null)
            cmdlet.WriteProgress(new ProgressRecord(_remote.ActivityId, _remote.Activity, _remote.StatusDescription)
            {
                ParentActivityId = _remote.ParentActivityId,
                CurrentOperation = _remote.CurrentOperation,
                RecordType = ProgressRecordType.Completed,
            });
        _progress.RecordType = ProgressRecordType.Completed;
        cmdlet.WriteProgress(_progress);
        foreach (var summary in summaries)
        {
            if (dryRun)
            {
                // Prints "What if: Performing the operation "..." on target "..."" and writes nothing.
                cmdlet.ShouldProcess(
                    $"table \"{summary.Table}\" in \"{path}\"",
                    summary.Refused is not null
                        ? $"Refuse the table ({summary.RowsNotWritten} rows not written): {summary.Refused}"
                        : $"Write {summary.RowsWritten} rows in {summary.Batches} batches ({summary.RowsSkipped} skipped, {summary.RowsFailed} refused)");
            }
            cmdlet.WriteObject(summary with { Path = path, RunId = runId() });
        }
    }
}

using System.Management.Automation;
using Migration.Engine.Journal;
using Migration.Engine.Target;
using Migration.Engine.Target.Sqlite;

namespace Migration.PowerShell.Commands;

/// <summary>
/// Undo-Migration: returns a D1 database file to its state before a run (rows the run inserted
/// deleted, rows it replaced or updated restored, tables it created dropped; or, with
/// -RestoreBackup, the run's backup copied back). Runs come by -RunId, -Last, or from
/// Get-MigrationRun on the pipeline. -WhatIf lists per table what would be done.
/// </summary>
[Cmdlet(VerbsCommon.Undo, "Migration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = PathSet)]
[OutputType(typeof(UndoAction))]
public sealed class UndoMigrationCommand : JournalRunCmdlet
{

    /// <summary>Copy the run's backup (Import-D1Batch -Backup) back over the file instead of reverting the journal.</summary>
    [Parameter]
    public SwitchParameter RestoreBackup { get; set; }

    /// <summary>
    /// A remote D1 run: restore the D1 Time Travel bookmark the run recorded before its first
    /// write. This reverts EVERY write to the database since, not only the run's.
    /// </summary>
    [Parameter]
    public SwitchParameter TimeTravel { get; set; }

    /// <summary>No confirmation prompt, and undo even when a newer run wrote to the same tables.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == PostgresSet)
        {
            UndoPostgres();
            return;
        }
        using var remote = RemoteDatabase() is { } name ? OpenRemote(name) : null;
        if (remote is not null && RestoreBackup.IsPresent)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-RestoreBackup applies to D1 files; a remote D1 run is undone from its journal."), "NoBackup", ErrorCategory.InvalidArgument, null));
            return;
        }
        if (TimeTravel.IsPresent && (remote is null || RestoreBackup.IsPresent))
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(remote is null
                    ? "-TimeTravel applies to a remote D1 (-Database, or a run from Get-MigrationRun -Database); a D1 file is undone from its journal or -RestoreBackup."
                    : "Give -TimeTravel or -RestoreBackup, not both."),
                "TimeTravelNotApplicable", ErrorCategory.InvalidArgument, null));
            return;
        }
        var path = remote?.Database.Location ?? ResolveDatabase();
        var undo = remote?.Database.Undo ?? new LocalUndoLog(path);

        var hasRunId = HasRunId;
        if (hasRunId == Last.IsPresent)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("Give -RunId (or pipe runs from Get-MigrationRun) or -Last, not both."),
                "RunRequired", ErrorCategory.InvalidArgument, null));
            return;
        }
        long runId;
        UndoPlan plan;
        try
        {
            runId = hasRunId ? RunId : undo.LastRun() ?? throw new InvalidOperationException($"There is no run to undo in {path}.");
            plan = undo.Plan(runId);
        }
        catch (InvalidOperationException ex)
        {
            WriteError(new ErrorRecord(ex, "RunNotFound", ErrorCategory.ObjectNotFound, hasRunId ? RunId : path));
            return;
        }
        if (TimeTravel.IsPresent)
        {
            TimeTravelUndo.Run(this, remote!.Database, path, runId, plan);
            return;
        }
        if (plan.AlreadyUndone)
        {
            WriteVerbose($"Run {runId} in {path} is undone already; nothing to do.");
            return;
        }
        if (!Force.IsPresent && plan.Refusal(RestoreBackup.IsPresent) is { } refusal)
        {
            // A newer run on the same tables, or a table found empty that now holds rows the run did not write.
            WriteError(new ErrorRecord(new InvalidOperationException(refusal),
                plan.BlockedByNewerRuns ? "NewerRunExists" : "TableChangedSinceRun", ErrorCategory.ResourceUnavailable, runId));
            return;
        }

        var what = RestoreBackup.IsPresent
            ? $"restore the backup {plan.Run.BackupPath ?? "(none)"} over the whole file"
            : plan.Actions.Count == 0 ? "mark the run undone (it changed no rows)" : string.Join("; ", plan.Actions.Select(a => $"table {a.Table}: {a.Description}"));
        if (WhatIfRequested())
        {
            // One line per table, so the operator sees exactly what would be deleted, restored and dropped.
            if (RestoreBackup.IsPresent || plan.Actions.Count == 0) ShouldProcess($"run {runId} in \"{path}\"", what);
            else foreach (var a in plan.Actions) ShouldProcess($"table \"{a.Table}\" in \"{path}\" (run {runId})", a.Description);
            return;
        }
        if (!Force.IsPresent && !ShouldProcess($"run {runId} in \"{path}\"", $"Undo ({what})")) return;

        IReadOnlyList<UndoAction> done;
        try
        {
            done = RestoreBackup.IsPresent ? MigrationUndo.RestoreBackup(path, runId, Force.IsPresent) : undo.Undo(runId, Force.IsPresent);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteError(new ErrorRecord(ex, "UndoFailed", ErrorCategory.WriteError, runId));
            return;
        }
        foreach (var action in done) WriteObject(action);
    }

    /// <summary>Undoes an Import-PgTable run (D1 -> PostgreSQL): deletes the rows its batches wrote and its id-map entries.</summary>
    void UndoPostgres()
    {
        if (HasRunId == Last.IsPresent)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("Give -RunId or -Last, not both."), "RunRequired", ErrorCategory.InvalidArgument, null));
            return;
        }
        if (RestoreBackup.IsPresent)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-RestoreBackup applies to D1 files; a Postgres run is undone from its journal."), "NoBackup", ErrorCategory.InvalidArgument, null));
            return;
        }
        var settings = PgSettings();
        var undo = new Engine.Target.Postgres.PgUndo(settings, JournalSchema);
        long runId;
        IReadOnlyList<UndoAction> plan;
        try
        {
            runId = HasRunId ? RunId : undo.Last() ?? throw new InvalidOperationException($"There is no run to undo in {settings.Describe()}.");
            plan = undo.Plan(runId);
        }
        catch (InvalidOperationException ex)
        {
            WriteError(new ErrorRecord(ex, "RunNotFound", ErrorCategory.ObjectNotFound, HasRunId ? RunId : settings.Describe()));
            return;
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteError(PgError(ex, "UndoFailed", ErrorCategory.ReadError, settings.Describe()));
            return;
        }
        if (WhatIfRequested())
        {
            foreach (var a in plan) ShouldProcess($"table \"{a.Table}\" in {settings.Describe()} (run {runId})", a.Description);
            if (plan.Count == 0) ShouldProcess($"run {runId} in {settings.Describe()}", "mark the run undone (it wrote no rows)");
            return;
        }
        var what = plan.Count == 0 ? "mark the run undone" : string.Join("; ", plan.Select(a => $"table {a.Table}: {a.Description}"));
        if (!Force.IsPresent && !ShouldProcess($"run {runId} in {settings.Describe()}", $"Undo ({what})")) return;
        try
        {
            foreach (var action in undo.Undo(runId)) WriteObject(action);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteError(PgError(ex, "UndoFailed", ErrorCategory.WriteError, runId));
        }
    }

    /// <summary>-WhatIf given, or $WhatIfPreference set: -Force must not turn a what-if into a real undo.</summary>
    internal bool WhatIfRequested()
    {
        if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w)) return w is SwitchParameter s ? s.IsPresent : w is true;
        return LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"));
    }
}

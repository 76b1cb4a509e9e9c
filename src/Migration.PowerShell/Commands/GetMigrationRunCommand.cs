using System.Management.Automation;
using Migration.Engine.Journal;

namespace Migration.PowerShell.Commands;

/// <summary>
/// Get-MigrationRun: the runs journaled in a D1 database file or a remote D1 (-Database), with each table's progress (the
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
        if (ParameterSetName == PostgresSet)
        {
            EmitPostgres();
            return;
        }
        if (RemoteDatabase() is { } remote)
        {
            using var connection = OpenRemote(remote);
            Emit(connection.Database.Location, () => connection.Database.GetRuns(HasRunId ? RunId : null), connection.Database.GetQuarantine);
            return;
        }
        foreach (var path in ResolveDatabases())
            Emit(path, () => MigrationJournal.GetRuns(path, HasRunId ? RunId : null), id => MigrationJournal.GetQuarantine(path, id));
    }

    /// <summary>The runs of Import-PgTable journaled in a Postgres database (D1 -> PostgreSQL).</summary>
    void EmitPostgres()
    {
        var settings = PgSettings();
        var journal = new Engine.Target.Postgres.PgJournal(JournalSchema);
        try
        {
            using var connection = settings.OpenConnection();
            var runs = journal.ReadRuns(connection, settings.Describe(), HasRunId ? RunId : null);
            if (runs.Count == 0 && HasRunId)
            {
                WriteError(new ErrorRecord(new ItemNotFoundException($"There is no run {RunId} in {settings.Describe()}."), "RunNotFound", ErrorCategory.ObjectNotFound, RunId));
                return;
            }
            if (Last.IsPresent && runs.Count > 0) runs = [runs[0]];
            foreach (var run in runs.Reverse())
            {
                if (!Quarantine.IsPresent) WriteObject(run);
                else foreach (var row in journal.ReadQuarantine(connection, run.RunId)) WriteObject(row);
            }
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteError(PgError(ex, "JournalReadFailed", ErrorCategory.ReadError, settings.Describe()));
        }
    }

    void Emit(string path, Func<IReadOnlyList<MigrationRunInfo>> getRuns, Func<long, IReadOnlyList<QuarantinedRow>> getQuarantine)
    {
        IReadOnlyList<MigrationRunInfo> runs;
        try
        {
            runs = getRuns();
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
            foreach (var row in getQuarantine(run.RunId)) WriteObject(row);
        }
    }
}

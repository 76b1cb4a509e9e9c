using System.Management.Automation;
using Migration.Engine.Journal;
using Migration.Engine.Schema;
using Migration.Engine.Session;
using Migration.Engine.Source;
using Migration.Engine.Target;
using Migration.Engine.Target.Postgres;

namespace Migration.PowerShell.Commands;

/// <summary>
/// Import-PgTable: writes Postgres rows (from ConvertTo-PgRow) into the existing tables of a
/// Postgres database by binary COPY, in batches, each batch and its journal entry in one
/// transaction (journal in the target database, schema <c>migration_journal</c>). -Resume
/// continues the newest unfinished run exactly once; -IdMap gives non-UUID text ids new UUIDs
/// and rewrites the foreign keys that point at them; -OrphanPolicy decides what a row whose
/// parent is missing does (skipped rows are quarantined and reported). With -WhatIf nothing is
/// written: the rows are counted per table.
/// </summary>
[Cmdlet(VerbsData.Import, "PgTable", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(TableSummary), typeof(BatchResult))]
public sealed class ImportPgTableCommand : PSCmdlet, IDisposable
{
    MigrationSession? _session;
    PgImportReport? _report;
    bool _dryRun;
    bool _nothingToDo;
    readonly Dictionary<string, long> _dryCounts = new(StringComparer.Ordinal);

    /// <summary>A Postgres row from ConvertTo-PgRow, or a RejectedRow (quarantined).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public PSObject InputObject { get; set; } = null!;

    /// <summary>The target database; parts left out come from PG* variables. Never shown in output or errors.</summary>
    [Parameter]
    public string? ConnectionString { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Rows per batch; each batch is one transaction.</summary>
    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int BatchSize { get; set; } = new PgTargetOptions().BatchSize;

    /// <summary>None (a non-UUID text id in a uuid column is an error), Generate (new random UUIDs), Deterministic (UUIDv5 of table and old id).</summary>
    [Parameter]
    public IdMapMode IdMap { get; set; } = IdMapMode.None;

    /// <summary>A row whose parent row is missing: Fail (a row error), Skip (quarantined and reported), Null (its key written NULL when nullable).</summary>
    [Parameter]
    public OrphanPolicy OrphanPolicy { get; set; } = OrphanPolicy.Fail;

    /// <summary>Continue the newest unfinished run (or -RunId): rows at or before each table's checkpoint are not written again.</summary>
    [Parameter]
    public SwitchParameter Resume { get; set; }

    [Parameter]
    [ValidateRange(1L, long.MaxValue)]
    public long RunId { get; set; }

    /// <summary>The schema of the journal in the target database.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string JournalSchema { get; set; } = PgJournal.DefaultSchema;

    /// <summary>
    /// Do not check foreign keys row by row while loading; validate each one with one query at
    /// the end of the run (as pgloader does), which fails the run naming the rows that have no
    /// parent. Faster on tables with foreign keys; needs the right to set session_replication_role.
    /// </summary>
    [Parameter]
    public SwitchParameter DeferForeignKeys { get; set; }

    /// <summary>Also output each committed batch (BatchResult).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void BeginProcessing()
    {
        if (MyInvocation.BoundParameters.ContainsKey(nameof(RunId)) && !Resume.IsPresent)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-RunId names the run to resume: give -Resume with it."), "RunIdWithoutResume", ErrorCategory.InvalidArgument, RunId));
            return;
        }
        var credential = Credential?.GetNetworkCredential();
        var settings = PgConnectionErrors.Settings(this, ConnectionString, credential);
        if (!ShouldProcess(settings.Describe(), "Import rows (binary COPY, journaled)"))
        {
            _dryRun = true;
            return;
        }
        _report = new PgImportReport(this, settings.Describe(), PassThru.IsPresent);
        try
        {
            var database = new PgDatabase(settings, new PgTargetOptions { BatchSize = BatchSize, IdMap = IdMap, OrphanPolicy = OrphanPolicy, JournalSchema = JournalSchema, DeferForeignKeys = DeferForeignKeys.IsPresent });
            _session = new MigrationSession(database, new SessionOptions
            {
                Import = new ImportOptions { BatchSize = BatchSize, OrphanPolicy = OrphanPolicy, StopAtFirstRefusal = ErrorActionStop.IsRequested(this) },
                Source = "Export-D1Table",
                Resume = Resume.IsPresent,
                RunId = MyInvocation.BoundParameters.ContainsKey(nameof(RunId)) ? RunId : null,
            }, _report);
            if (!_session.Start())
            {
                _nothingToDo = true;
                WriteWarning($"Run {_session.Run!.RunId} in {settings.Describe()} completed already: nothing to resume.");
            }
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowTerminatingError(PgConnectionErrors.Failure(ex, ex.Message, "StartFailed",
                ex is ArgumentException ? ErrorCategory.InvalidArgument : ErrorCategory.InvalidOperation, null, ConnectionString, credential));
        }
    }

    protected override void ProcessRecord()
    {
        // The common case, one Postgres row from ConvertTo-PgRow, without InputItems' enumerator.
        if (InputObject.BaseObject is Row single && single.GetSchema().Kind == SchemaKind.Postgres)
        {
            Add(single);
            return;
        }
        foreach (var item in InputItems.Of(InputObject))
        {
            switch (item.BaseObject)
            {
                case Row row when row.GetSchema().Kind == SchemaKind.Postgres:
                    Add(row);
                    break;
                case RejectedRow r:
                    if (!_dryRun && !_nothingToDo) _session!.Rejected(r);
                    break;
                default:
                    ThrowTerminatingError(new ErrorRecord(new ArgumentException("Import-PgTable takes Postgres rows from ConvertTo-PgRow (and RejectedRow objects from its -IncludeRejected)."), "NotAPgRow", ErrorCategory.InvalidArgument, item));
                    return;
            }
        }
    }

    void Add(Row row)
    {
        if (_dryRun) { _dryCounts[row.GetSchema().Name] = _dryCounts.GetValueOrDefault(row.GetSchema().Name) + 1; return; }
        if (_nothingToDo) return;
        try { _session!.Add(row); }
        catch (Exception ex) when (ex is not PipelineStoppedException and not ActionPreferenceStopException)
        {
            _session!.Fail(ex.Message);
            ThrowTerminatingError(new ErrorRecord(ex, "ImportFailed", ErrorCategory.WriteError, row.GetSchema().Name));
        }
    }

    protected override void EndProcessing()
    {
        if (_dryRun)
        {
            foreach (var (table, n) in _dryCounts) WriteObject(new TableSummary(table, 0, n, 0, 0, TimeSpan.Zero));
            return;
        }
        if (_nothingToDo || _session is null) return;
        IReadOnlyList<TableSummary> summaries;
        try { summaries = _session.Complete(); }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            _session.Fail(ex.Message);
            ThrowTerminatingError(new ErrorRecord(ex, "ImportFailed", ErrorCategory.WriteError, null));
            return;
        }
        var run = _session.Run!;
        if (run.RowsAlreadyWritten > 0) WriteVerbose($"{run.RowsAlreadyWritten} rows were committed by an earlier attempt and not written again.");
        if (_report!.OrphansSkipped > 0)
            WriteWarning($"{_report.OrphansSkipped} orphan row(s) skipped; they are in run {run.RunId}'s quarantine (Get-MigrationRun -ConnectionString ... -RunId {run.RunId} -Quarantine).");
        foreach (var s in summaries) WriteObject(s);
    }

    public void Dispose()
    {
        // However the pipeline ends: what was committed stays, the open batch is abandoned, and a
        // run that did not complete is marked Failed (resumable).
        _session?.Dispose();
        _session = null;
    }
}

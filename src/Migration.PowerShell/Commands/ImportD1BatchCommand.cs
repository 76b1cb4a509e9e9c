using System.Collections.Concurrent;
using System.Management.Automation;
using Migration.Engine.Convert;
using Migration.Engine.Journal;
using Migration.Engine.Schema;
using Migration.Engine.Target;

namespace Migration.PowerShell.Commands;

/// <summary>
/// Import-D1Batch: writes D1 rows into a local D1 database file (a new file, an existing SQLite
/// file, or the state file of <c>wrangler d1 execute --local</c>) in batches, one transaction per
/// batch. A refused row is a non-terminating error and the others go on. With -WhatIf the engine
/// runs dry: everything is counted and validated, nothing is written.
/// </summary>
/// <remarks>
/// Every real run is journaled in the file itself (see Migration.Engine.Journal): one run row,
/// one row per committed batch with its last key and checksum (committed in the batch's own
/// transaction), and every refused or unconvertible row in the quarantine. That is what
/// -Resume continues from and what Undo-Migration takes back.
/// </remarks>
[Cmdlet(VerbsData.Import, "D1Batch", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PathSet)]
[OutputType(typeof(TableSummary), typeof(BatchResult))]
public sealed class ImportD1BatchCommand : PSCmdlet, IDisposable
{
    const string PathSet = "Path";
    const string LiteralPathSet = "LiteralPath";

    readonly ConcurrentQueue<object> _events = new();
    readonly Dictionary<string, long> _rowsPerTable = new(StringComparer.Ordinal);
    readonly HashSet<string> _warnedTables = new(StringComparer.OrdinalIgnoreCase);
    readonly ProgressThrottle _throttle = ProgressThrottle.Default();
    readonly ProgressRecord _progress = new(2, "Import-D1Batch", "starting");
    string _path = "";
    bool _dryRun;
    bool _declined;
    D1RowProducer? _producer;
    SqliteTarget? _target;
    MigrationRun? _run;
    ErrorLogCsv? _errorLog;
    bool _runFinished;
    bool _discard;
    long _errors;
    volatile bool _stopping;

    /// <summary>A D1 row (from ConvertTo-D1Row), a Postgres row (converted with the default policy) or a plain object (needs -TableName).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public PSObject InputObject { get; set; } = null!;

    /// <summary>The database file; wildcards must match exactly one file. A missing file is created.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The database file, taken literally (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = "";

    /// <summary>The table plain objects belong to.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TableName { get; set; }

    /// <summary>Rows per batch; each batch is one transaction.</summary>
    [Parameter]
    [ValidateRange(1, 100_000)]
    public int BatchSize { get; set; } = new ImportOptions().BatchSize;

    /// <summary>What happens when the key already holds a row.</summary>
    [Parameter]
    public OnConflict OnConflict { get; set; } = new ImportOptions().OnConflict;

    /// <summary>Largest row (bytes of strings and BLOBs) D1 is taken to accept.</summary>
    [Parameter]
    [ValidateRange(1L, long.MaxValue)]
    public long MaxRowBytes { get; set; } = D1Limits.Default.MaxRowBytes;

    /// <summary>
    /// What happens to a row whose foreign key names a missing parent row (tables created from
    /// the source's definition): Fail (a row error), Skip (left out and reported), Null (the key
    /// written NULL when its columns allow it, and reported).
    /// </summary>
    [Parameter]
    public OrphanPolicy OrphanPolicy { get; set; } = new ImportOptions().OrphanPolicy;

    /// <summary>Emit one BatchResult per committed batch.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Continue the newest unfinished run in the file: rows it already committed are not written again.</summary>
    [Parameter]
    public SwitchParameter Resume { get; set; }

    /// <summary>Continue this run (implies -Resume).</summary>
    [Parameter]
    [ValidateRange(1L, long.MaxValue)]
    public long RunId { get; set; }

    /// <summary>Stop the run (terminating error, run marked Failed and resumable) once more than this many rows failed.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int MaxErrors { get; set; } = int.MaxValue;

    /// <summary>Also write every failed row to this CSV file (created or replaced).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ErrorLog { get; set; }

    /// <summary>Copy the database first (SQLite backup API) to &lt;file&gt;.&lt;UTC time&gt;.bak; Undo-Migration -RestoreBackup restores it.</summary>
    [Parameter]
    public SwitchParameter Backup { get; set; }

    /// <summary>Write no journal (no resume, no undo): for a throwaway file.</summary>
    [Parameter]
    public SwitchParameter NoJournal { get; set; }

    protected override void BeginProcessing()
    {
        try
        {
            _path = ParameterSetName == LiteralPathSet
                ? FileSystemPaths.Resolve(this, LiteralPath, literal: true)
                : FileSystemPaths.Resolve(this, Path, literal: false);
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "InvalidPath", ErrorCategory.InvalidArgument, ParameterSetName == LiteralPathSet ? LiteralPath : Path));
            return;
        }

        // One decision for the whole run (not one prompt per row). Under -WhatIf PowerShell
        // answers false with reason WhatIf: the engine then runs dry and the per-table figures
        // are reported through ShouldProcess at the end.
        var proceed = ShouldProcess(
            $"Writing rows into the D1 database \"{_path}\".",
            $"Write rows into the D1 database \"{_path}\"?",
            "Import-D1Batch",
            out var reason);
        _dryRun = !proceed && reason == ShouldProcessReason.WhatIf;
        _declined = !proceed && !_dryRun;
        // Plain objects are coerced to an existing table's column types.
        _producer = new D1RowProducer(ConversionOptions.Default, _path);
        if (_declined) return;
        StartRun();
    }

    /// <summary>Starts or resumes the journaled run (not in a dry run, nor with -NoJournal) and opens the error log.</summary>
    void StartRun()
    {
        var resume = Resume.IsPresent || MyInvocation.BoundParameters.ContainsKey(nameof(RunId));
        if (NoJournal.IsPresent && (resume || Backup.IsPresent))
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Resume, -RunId and -Backup need the journal; they cannot go with -NoJournal."),
                "JournalRequired", ErrorCategory.InvalidArgument, null));
            return;
        }
        try
        {
            if (ErrorLog is not null && !_dryRun) _errorLog = new ErrorLogCsv(FileSystemPaths.Resolve(this, ErrorLog, literal: true));
            if (_dryRun || NoJournal.IsPresent) return;
            _run = MigrationJournal.Start(_path, new RunStart
            {
                Source = "Import-D1Batch",
                Options = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"BatchSize={BatchSize} OnConflict={OnConflict} MaxRowBytes={MaxRowBytes}"),
                Resume = resume,
                RunId = MyInvocation.BoundParameters.ContainsKey(nameof(RunId)) ? RunId : null,
                BackupPath = Backup.IsPresent ? _path + "." + DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture) + ".bak" : null,
            });
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "RunStartFailed", ErrorCategory.OpenError, _path));
            return;
        }
        if (_run is { IsResumed: true, StatusAtStart: RunStatus.Completed })
        {
            WriteWarning($"Run {_run.RunId} in {_path} completed already; there is nothing to resume and no row is written.");
            _discard = true;
            return;
        }
        WriteVerbose(_run.IsResumed ? $"Resuming run {_run.RunId} (attempt {_run.Attempts}) in {_path}." : $"Run {_run.RunId} started in {_path}.");
        foreach (var table in _run.RestartedTables)
            WriteWarning($"Table {table} has no primary key, so it has no checkpoint: the rows run {_run.RunId} wrote there were taken out and it is written again from its start. Send it whole.");
    }

    protected override void ProcessRecord()
    {
        if (_declined || _stopping || _discard) return;
        if (InputObject.BaseObject is RejectedRow rejected)
        {
            // ConvertTo-D1Row -IncludeRejected already wrote the error record: here it is quarantined and counted.
            _run?.Quarantine(rejected.Table, rejected.Key, rejected.Column, rejected.Reason, rejected.ValueExcerpt, QuarantineStage.Convert);
            _errorLog?.Write(_run?.RunId, rejected.Table, rejected.Key, rejected.Column, QuarantineStage.Convert, rejected.Reason, rejected.ValueExcerpt);
            CountError();
            return;
        }
        if (!D1RowProducer.IsRow(InputObject) && TableName is null)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException("Import-D1Batch got a plain object (not a row): give -TableName, the table it belongs to."),
                "TableNameRequired", ErrorCategory.InvalidArgument, InputObject));
            return;
        }
        Row row;
        try
        {
            row = _producer!.ToD1Row(InputObject, TableName);
        }
        catch (ConversionException ex)
        {
            var meantFor = _producer!.TargetTableName(InputObject, TableName) ?? ex.Table;
            _run?.Quarantine(meantFor, ex.Key, ex.Column, ex.Reason, ex.ValueExcerpt, QuarantineStage.Convert);
            _errorLog?.Write(_run?.RunId, meantFor, ex.Key, ex.Column, QuarantineStage.Convert, ex.Reason, ex.ValueExcerpt);
            WriteError(new ErrorRecord(ex, "ConversionFailed", ErrorCategory.InvalidData, InputObject));
            CountError();
            return;
        }

        WarnAboutSchema(row.GetSchema());
        var target = Target();
        if (_run is not null && _run.IsAlreadyWritten(row)) return;
        try
        {
            target.Add(row);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            Stop(ex);
            return;
        }
        var table = row.GetSchema().Name;
        _rowsPerTable[table] = _rowsPerTable.GetValueOrDefault(table) + 1;
        Drain();
        if (_throttle.ShouldReport())
        {
            _progress.StatusDescription = $"{table}: {_rowsPerTable[table]} rows{(_dryRun ? " checked (dry run)" : " sent")}";
            WriteProgress(_progress);
        }
    }

    protected override void EndProcessing()
    {
        if (_declined || _discard) return;
        if (_target is null)
        {
            // No row came: a run that was started still ends, so it is not left looking unfinished.
            FinishRun(null);
            return;
        }
        IReadOnlyList<TableSummary> summaries;
        try
        {
            summaries = _target.Complete();
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            Stop(ex);
            return;
        }
        // Refused rows are reported (and counted against -MaxErrors) before the run is marked Completed.
        Drain();
        FinishRun(null);
        // Closed before the summaries go out, so a command downstream can open the file.
        _target.Dispose();
        _target = null;
        _progress.RecordType = ProgressRecordType.Completed;
        WriteProgress(_progress);
        foreach (var summary in summaries)
        {
            if (_dryRun)
            {
                // Prints "What if: Performing the operation "..." on target "..."" and writes nothing.
                ShouldProcess(
                    $"table \"{summary.Table}\" in \"{_path}\"",
                    $"Write {summary.RowsWritten} rows in {summary.Batches} batches ({summary.RowsSkipped} skipped, {summary.RowsFailed} refused)");
            }
            WriteObject(summary);
        }
    }

    protected override void StopProcessing() => _stopping = true;

    public void Dispose()
    {
        // Runs after the pipeline ends however it ends: what was committed stays, the open
        // batch is abandoned, and a run that did not complete is marked Failed (resumable).
        _target?.Dispose();
        _target = null;
        if (!_runFinished && _run is not null)
        {
            try { FinishRun(_stopping ? "stopped (Ctrl+C or a downstream command)" : "stopped by an error; resume with -Resume"); }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or InvalidOperationException)
            {
                // The journal still says Running, which resumes the same way.
            }
        }
        _run?.Dispose();
        _run = null;
        _errorLog?.Dispose();
        _errorLog = null;
    }

    /// <summary>
    /// The load cannot go on. A row refused under -ErrorAction Stop is reported as itself
    /// (RowRejected, through the queued error record); anything else as ImportFailed. The run is
    /// marked Failed when the command is disposed, so -Resume continues after what was committed.
    /// </summary>
    void Stop(Exception ex)
    {
        if (ex is RowRefusedException refused)
        {
            Drain(); // writes the row's error record; under -ErrorAction Stop that ends the pipeline here
            ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(refused.Message, refused), "RowRejected", ErrorCategory.WriteError, refused.Error));
        }
        ThrowTerminatingError(new ErrorRecord(ex, "ImportFailed", ErrorCategory.WriteError, _path));
    }

    /// <summary>Marks the run Completed (no reason) or Failed (a reason), once.</summary>
    void FinishRun(string? failure)
    {
        if (_run is null || _runFinished) return;
        _runFinished = true;
        if (failure is null) _run.Complete();
        else _run.Fail(failure);
    }

    /// <summary>Counts a failed row; past -MaxErrors the run stops (it stays resumable).</summary>
    void CountError()
    {
        if (++_errors <= MaxErrors) return;
        _target?.Dispose();
        _target = null;
        var message = $"More than {MaxErrors} rows failed (-MaxErrors {MaxErrors}): the run stopped. What was committed stays; fix the cause and run again with -Resume.";
        if (_run is not null) FinishRun(message);
        ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(message), "MaxErrorsExceeded", ErrorCategory.LimitsExceeded, _path));
    }

    SqliteTarget Target()
    {
        if (_target is not null) return _target;
        var options = new ImportOptions
        {
            BatchSize = BatchSize,
            OnConflict = OnConflict,
            Limits = D1Limits.Default with { MaxRowBytes = MaxRowBytes },
            DryRun = _dryRun,
            OrphanPolicy = OrphanPolicy,
            StopAtFirstRefusal = ErrorActionStop.IsRequested(this),
        };
        try
        {
            _target = _run is null ? SqliteTarget.Open(_path, options) : _run.OpenTarget(options);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "TargetOpenFailed", ErrorCategory.OpenError, _path));
            throw;
        }
        // The engine may raise these from inside Add/Complete; they are queued and written out
        // from the pipeline thread (Drain), the only thread that may call WriteObject/WriteError.
        _target.BatchCommitted += b => _events.Enqueue(b);
        _target.RowFailed += e => _events.Enqueue(e);
        _target.OrphanFound += o => _events.Enqueue(o);
        _target.SchemaWarningRaised += w => _events.Enqueue(w);
        _target.Log += m => _events.Enqueue(new VerboseLine(m));
        return _target;
    }

    sealed record VerboseLine(string Text);

    /// <summary>
    /// What the D1 schema does not carry from the source (from the table's mapped definition) is
    /// said once per table, before its first row is written; for a whole-database export, for
    /// every table of it at once.
    /// </summary>
    void WarnAboutSchema(TableSchema schema)
    {
        if (schema.Definition is null || _warnedTables.Contains(schema.Name)) return;
        IEnumerable<TableSchema> tables = schema.Definition.Set is { } set ? set.Tables : [schema];
        foreach (var t in tables)
        {
            if (!_warnedTables.Add(t.Name)) continue;
            foreach (var w in t.Definition?.Warnings ?? []) WriteWarning(w.ToString());
        }
    }

    void Drain()
    {
        while (_events.TryDequeue(out var item))
        {
            switch (item)
            {
                case RowError e:
                    var message = $"Table {e.Table}, row {e.Key}, column {e.Column ?? "(none)"}: {e.Reason} (value: {e.ValueExcerpt})";
                    _errorLog?.Write(_run?.RunId, e.Table, e.Key, e.Column, QuarantineStage.Write, e.Reason, e.ValueExcerpt);
                    WriteError(new ErrorRecord(new InvalidOperationException(message), "RowRejected", ErrorCategory.WriteError, e));
                    CountError();
                    break;

                case BatchResult b when PassThru.IsPresent:
                    WriteObject(b);
                    break;
                // A refused orphan is also a RowError (written above); skipped and nulled ones are warnings.
                case OrphanRow o when o.Action != "Refused":
                    WriteWarning(o.ToString());
                    break;
                case SchemaWarning w:
                    WriteWarning(w.ToString());
                    break;
                case VerboseLine v:
                    WriteVerbose(v.Text);
                    break;
            }
        }
    }
}

using System.Collections.Concurrent;
using System.Management.Automation;
using Migration.Engine.Convert;
using Migration.Engine.Schema;
using Migration.Engine.Target;

namespace Migration.PowerShell.Commands;

/// <summary>
/// Import-D1Batch: writes D1 rows into a local D1 database file (a new file, an existing SQLite
/// file, or the state file of <c>wrangler d1 execute --local</c>) in batches, one transaction per
/// batch. A refused row is a non-terminating error and the others go on. With -WhatIf the engine
/// runs dry: everything is counted and validated, nothing is written.
/// </summary>
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
    }

    protected override void ProcessRecord()
    {
        if (_declined || _stopping) return;
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
            WriteError(new ErrorRecord(ex, "ConversionFailed", ErrorCategory.InvalidData, InputObject));
            return;
        }

        WarnAboutSchema(row.GetSchema());
        var target = Target();
        try
        {
            target.Add(row);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "ImportFailed", ErrorCategory.WriteError, _path));
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
        if (_declined || _target is null) return;
        IReadOnlyList<TableSummary> summaries;
        try
        {
            summaries = _target.Complete();
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "ImportFailed", ErrorCategory.WriteError, _path));
            return;
        }
        Drain();
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
        // batch is abandoned.
        _target?.Dispose();
        _target = null;
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
        };
        try
        {
            _target = SqliteTarget.Open(_path, options);
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
                    WriteError(new ErrorRecord(new InvalidOperationException(message), "RowRejected", ErrorCategory.WriteError, e));
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

using System.Management.Automation;
using Migration.Engine.Journal;
using Migration.Engine.Schema;
using Migration.Engine.Session;
using Migration.Engine.Target;
using Migration.PowerShell.Commands;

namespace Migration.PowerShell;

/// <summary>
/// One Import-D1Batch pipeline from its first record to its end: the destination
/// (<see cref="D1ImportDestination"/>), the engine's <see cref="MigrationSession"/> that runs the
/// import (journal, resume, quarantine, -MaxErrors, error log), the rows made from the records
/// (<see cref="D1RowProducer"/>) and what is reported (<see cref="ImportReport"/>). The session
/// starts with the first record (or at the end for an empty input), after that record passed
/// the parameter checks: a mistake found there changes nothing on disk.
/// </summary>
internal sealed class D1BatchImport : IDisposable
{
    readonly ImportD1BatchCommand _cmdlet;
    readonly D1ImportDestination _destination;
    readonly D1RowProducer _producer;
    readonly ImportReport _report;
    MigrationSession? _session;
    bool _discard;
    /// <summary>The item being imported (one element when -InputObject holds a collection), for error records.</summary>
    PSObject? _current;

    D1BatchImport(ImportD1BatchCommand cmdlet, D1ImportDestination destination)
    {
        _cmdlet = cmdlet;
        _destination = destination;
        _producer = destination.Producer();
        _report = new ImportReport(cmdlet, () => _current ?? cmdlet.InputObject, destination.Location, destination.DryRun,
            cmdlet.PassThru.IsPresent && !destination.IsSqlFile, () => _session?.Run?.RunId);
        _toRow = ToRow;
        _openTarget = OpenTarget;
        _add = Add;
    }

    /// <summary>The import the cmdlet's parameters describe; null when the user declined it (nothing is done).</summary>
    public static D1BatchImport? Begin(ImportD1BatchCommand cmdlet)
    {
        var destination = D1ImportDestination.Open(cmdlet);
        if (!destination.Declined) return new D1BatchImport(cmdlet, destination);
        destination.Dispose();
        return null;
    }

    /// <summary>False once nothing more is to be written (the resumed run had completed already).</summary>
    public bool Accepting => !_discard;

    public void Import(PSObject input)
    {
        _current = input;
        var tableName = _cmdlet.TableName;
        if (!D1RowProducer.IsRow(input) && input.BaseObject is not RejectedRow && tableName is null)
        {
            _cmdlet.ThrowTerminatingError(new ErrorRecord(
                new ArgumentException("Import-D1Batch got a plain object (not a row): give -TableName, the table it belongs to."),
                "TableNameRequired", ErrorCategory.InvalidArgument, input));
            return;
        }
        if (_session is null && _destination.Remote is not null && !_cmdlet.Resuming) CheckImportMethod(input, tableName);
        if (!StartSession()) return;
        // The steps are delegates made once (_toRow, _openTarget, _add) over fields, not lambdas
        // per record: a closure and three delegates per row were ~250 bytes of the pipeline's
        // garbage per row in pwsh (measured by allocation ticks at 111k rows).
        _tableName = tableName;
        _row = null;
        _report.Run(_toRow);
        if (_row is null) return;
        _report.Run(_openTarget, "TargetOpenFailed", ErrorCategory.OpenError);
        _report.Run(_add);
        _row = null;
    }

    /// <summary>A -Method mistake is refused before the run starts: no run row, nothing written.</summary>
    void CheckImportMethod(PSObject input, string? tableName)
    {
        var remote = _destination.Remote!;
        var schema = input.BaseObject is Row first && first.GetSchema().Kind == SchemaKind.D1 ? first.GetSchema() : null;
        string[] tables = schema is not null ? [.. schema.TablesLoadedWith()]
            : input.BaseObject is Row or RejectedRow || tableName is null ? [] : [tableName];
        // Their definitions (foreign keys) too: the set in load order, or the table alone.
        IReadOnlyList<TableSchema>? schemas = schema is null ? null : schema.Definition?.Set is { IsLoadOrder: true } set ? set.Tables : [schema];
        _report.Run(() => remote.Database.CheckImportMethod(tables, new ImportOptions { Method = _cmdlet.Method, DryRun = _destination.DryRun, OrphanPolicy = _cmdlet.OrphanPolicy }, schemas),
            "RemoteD1Parameters", ErrorCategory.InvalidArgument);
    }

    readonly Action _toRow, _openTarget, _add;
    string? _tableName;
    Row? _row;

    void ToRow() => _row = _producer.ToD1Row(_current!, _tableName, _session!);

    void OpenTarget() => _session!.OpenTarget();

    void Add() => _session!.Add(_row!);

    /// <summary>Writes what is buffered and finishes the run; with -SqlPath -PassThru, emits the files written.</summary>
    public void End()
    {
        if (_discard || !StartSession()) return;
        _report.Run(() => _session!.Complete());
        if (_destination.IsSqlFile && _cmdlet.PassThru.IsPresent)
            foreach (var file in _destination.FilesWritten) _cmdlet.WriteObject(new FileInfo(file));
    }

    /// <summary>Starts or resumes the journaled run; false when there is nothing to write (the run completed already).</summary>
    bool StartSession() => _session is not null ? !_discard : StartNewSession();

    // Apart from StartSession, which runs per record: the closure below is allocated on entry.
    bool StartNewSession()
    {
        var started = false;
        _report.Run(() =>
        {
            _session = new MigrationSession(_destination.Database(), _destination.Options(), _report);
            started = _session.Start();
        }, "RunStartFailed", ErrorCategory.OpenError);
        if (started) return true;
        _cmdlet.WriteWarning($"Run {_session!.Run!.RunId} in {_destination.Location} completed already; there is nothing to resume and no row is written.");
        _discard = true;
        return false;
    }

    /// <summary>
    /// Runs after the pipeline ends however it ends: what was committed stays, the open batch is
    /// abandoned, and a run that did not complete is marked Failed (resumable).
    /// </summary>
    public void Abandon(bool stopping)
    {
        _session?.Abandon(stopping ? "stopped (Ctrl+C or a downstream command)" : "stopped by an error; resume with -Resume");
        Dispose();
    }

    public void Dispose()
    {
        _session?.Dispose();
        _session = null;
        _destination.Dispose();
    }
}

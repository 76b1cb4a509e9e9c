using Migration.Engine.Convert;
using Migration.Engine.Journal;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Migration.Engine.Target;

namespace Migration.Engine.Session;

/// <summary>
/// One migration run into a target, from start to finish: starts or resumes the journaled run,
/// writes converted rows (skipping those an earlier attempt committed), quarantines and counts
/// every row that fails (conversion or target), keeps the optional CSV error log, stops past the
/// error limit, and finishes the run as Completed or Failed (resumable). It reports through an
/// <see cref="IMigrationObserver"/>; the front ends (Import-D1Batch, the CLI, tests) only bind,
/// validate and report.
/// </summary>
/// <remarks>
/// Two ways to feed it. Push: <see cref="Add"/> one converted row at a time (Import-D1Batch
/// gets rows from the pipeline), <see cref="ConversionFailed"/> / <see cref="Rejected"/> for
/// rows that did not convert, then <see cref="Complete"/>. Pull: <see cref="Transfer"/> reads
/// tables from an <see cref="IRowSource"/>, each after the run's checkpoint, and converts them.
/// Whatever ends the session early, <see cref="Dispose"/> leaves what was committed, abandons
/// the open batch and marks the run Failed, so a resume continues after the last commit.
/// </remarks>
public sealed class MigrationSession : IDisposable
{
    readonly ITargetDatabase _database;
    readonly SessionOptions _options;
    readonly IMigrationObserver _observer;

    /// <summary>The target's events, reported once the target call returned (an observer may throw; the target must not be inside a call then).</summary>
    readonly Queue<object> _events = new();
    readonly HashSet<string> _warnedTables = new(StringComparer.OrdinalIgnoreCase);
    readonly Dictionary<string, long> _rowsPerTable = new(StringComparer.Ordinal);
    TableSchema? _lastWarned;
    MigrationRun? _run;
    ErrorLogCsv? _errorLog;
    IRowTarget? _target;
    bool _finished;
    bool _disposed;
    long _conversionErrors;
    long _rowErrors;

    /// <param name="path">A local target database (a full filesystem path).</param>
    public MigrationSession(string path, SessionOptions options, IMigrationObserver observer)
        : this(new LocalD1Database(path), options, observer)
    {
    }

    /// <param name="database">Where the rows go, with its journal and its undo.</param>
    public MigrationSession(ITargetDatabase database, SessionOptions options, IMigrationObserver observer)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(observer);
        _database = database;
        _options = options;
        _observer = observer;
    }

    /// <summary>The journaled run (null in a dry run, without a journal, or before <see cref="Start"/>).</summary>
    public MigrationRun? Run => _run;

    public bool DryRun => _options.Import.DryRun;

    /// <summary>Rows that failed to convert (quarantined).</summary>
    public long ConversionErrors => _conversionErrors;

    /// <summary>Rows the target refused (quarantined).</summary>
    public long RowErrors => _rowErrors;

    /// <summary>The backup name <c>-Backup</c> uses: the file's path with the UTC time and <c>.bak</c>.</summary>
    public static string DefaultBackupPath(string path, DateTime utcNow) =>
        path + "." + utcNow.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture) + ".bak";

    /// <summary>
    /// Opens the error log and starts (or resumes) the journaled run; in a dry run, or without a
    /// journal, there is no run. False when the run to resume had completed already: nothing is
    /// to be written, and the run is left as it is.
    /// </summary>
    public bool Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_errorLog is not null || _run is not null) throw new InvalidOperationException("The session has started already.");
        if (_options.ErrorLogPath is { } log && !DryRun) _errorLog = new ErrorLogCsv(log);
        if (DryRun || !_options.Journal) return true;
        _run = _database.StartRun(new RunStart
        {
            Source = _options.Source,
            Tables = _options.Tables,
            Options = _options.OptionsText(),
            Resume = _options.Resume,
            RunId = _options.RunId,
            BackupPath = _options.BackupPath,
        });
        if (_run is { IsResumed: true, StatusAtStart: RunStatus.Completed })
        {
            _finished = true;
            return false;
        }
        _observer.RunStarted(_run);
        return true;
    }

    /// <summary>
    /// Opens the target (journaled by the run, if any) unless it is open. <see cref="Add"/> opens
    /// it at the first row; a caller that wants an unusable target to fail early calls this first.
    /// </summary>
    public void OpenTarget()
    {
        if (_target is not null) return;
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished) throw new InvalidOperationException("The session has finished; no more rows can be written.");
        var target = _database.Open(_options.Import, _run, _options.ObserveJournal);
        target.BatchCommitted += _events.Enqueue;
        target.RowFailed += _events.Enqueue;
        target.OrphanFound += _events.Enqueue;
        target.SchemaWarningRaised += _events.Enqueue;
        target.Log += m => _events.Enqueue(new VerboseLine(m));
        _target = target;
    }

    /// <summary>
    /// Writes one converted row (target kind), unless a resumed run's earlier attempt committed
    /// it. The table's definition warnings are reported before its first row.
    /// </summary>
    /// <exception cref="RowRefusedException">StopAtFirstRefusal and a row was refused (reported first).</exception>
    /// <exception cref="MaxErrorsExceededException">More rows failed than allowed; the run is Failed.</exception>
    public void Add(Row row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var schema = row.GetSchema();
        if (!ReferenceEquals(schema, _lastWarned)) WarnAboutDefinition(schema);
        OpenTarget();
        if (_run is not null && _run.IsAlreadyWritten(row)) return;
        try
        {
            _target!.Add(row);
        }
        catch (RowRefusedException)
        {
            Report(); // the refused row's own error comes before the exception that stops the run
            throw;
        }
        var table = schema.Name;
        var sent = _rowsPerTable[table] = _rowsPerTable.GetValueOrDefault(table) + 1;
        Report();
        _observer.RowSent(table, sent);
    }

    /// <summary>A row that failed to convert: quarantined (for <paramref name="table"/>, the target table it was meant for), reported and counted.</summary>
    public void ConversionFailed(string table, ConversionException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Quarantine(table, error.Key, error.Column, error.Reason, error.ValueExcerpt, QuarantineStage.Convert);
        _observer.ConversionFailed(table, error);
        CountError(ref _conversionErrors);
    }

    /// <summary>A row that failed to convert upstream and was reported there (ConvertTo-D1Row -IncludeRejected): quarantined and counted.</summary>
    public void Rejected(RejectedRow rejected)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        Quarantine(rejected.Table, rejected.Key, rejected.Column, rejected.Reason, rejected.ValueExcerpt, QuarantineStage.Convert);
        CountError(ref _conversionErrors);
    }

    /// <summary>
    /// Pull: reads each table from the source (after the run's checkpoint for it), converts and
    /// writes its rows, then completes. Every table is checked against the target's limits, and
    /// its definition warnings reported, before anything is read.
    /// </summary>
    public IReadOnlyList<TableSummary> Transfer(IRowSource source, IReadOnlyList<TableSchema> tables, RowConverter converter)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(converter);
        var targets = tables.Select(converter.TargetSchemaFor).ToList();
        D1Ddl.CheckTables(targets, _options.Import.Limits);
        foreach (var t in targets) WarnAboutDefinition(t);
        OpenTarget();
        for (var i = 0; i < tables.Count; i++)
        {
            var table = targets[i].Name;
            // Keyset: a resumed run reads only what comes after the table's checkpoint.
            foreach (var row in source.Export(tables[i], _run?.ResumeKey(table)))
            {
                Row converted;
                try { converted = converter.Convert(row); }
                catch (ConversionException ex)
                {
                    ConversionFailed(table, ex);
                    continue;
                }
                Add(converted);
            }
        }
        return Complete();
    }

    /// <summary>
    /// Writes what is buffered, reports the rows refused at the end (counted against the limit
    /// before the run is marked Completed), marks the run Completed and closes the target (so a
    /// command downstream can open the file). Returns one summary per table; none when no row came.
    /// </summary>
    public IReadOnlyList<TableSummary> Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_target is null)
        {
            // No row came: a run that was started still ends, so it is not left looking unfinished.
            Finish(null);
            return [];
        }
        IReadOnlyList<TableSummary> summaries;
        try
        {
            summaries = _target.Complete();
        }
        catch (RowRefusedException)
        {
            Report();
            throw;
        }
        Report();
        Finish(null);
        _target.Dispose();
        _target = null;
        _observer.Completed(summaries);
        return summaries;
    }

    /// <summary>Marks the run Failed with a reason (the target is closed first; its open batch is abandoned). Once.</summary>
    public void Fail(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        CloseTarget();
        Finish(reason);
    }

    /// <summary>
    /// Like <see cref="Fail"/>, from a cleanup path: when even the journal cannot be updated the
    /// run stays Running, which resumes the same way.
    /// </summary>
    public void Abandon(string reason)
    {
        try { Fail(reason); }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or InvalidOperationException)
        {
            // The journal still says Running, which resumes the same way.
        }
    }

    /// <summary>Whatever ended the session early: what was committed stays and the run is marked Failed (resumable).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        if (!_finished && _run is not null) Abandon("stopped before it completed; resume it");
        _disposed = true;
        CloseTarget();
        _run?.Dispose();
        _run = null;
        _errorLog?.Dispose();
        _errorLog = null;
    }

    void CloseTarget()
    {
        _target?.Dispose();
        _target = null;
    }

    /// <summary>Marks the run Completed (no reason) or Failed (a reason), once.</summary>
    void Finish(string? failure)
    {
        if (_run is null || _finished) return;
        _finished = true;
        if (failure is null) _run.Complete();
        else _run.Fail(failure);
    }

    void Quarantine(string table, string key, string? column, string reason, string excerpt, QuarantineStage stage)
    {
        _run?.Quarantine(table, key, column, reason, excerpt, stage);
        _errorLog?.Write(_run?.RunId, table, key, column, stage, reason, excerpt);
    }

    /// <summary>Counts a failed row; past the limit the target is closed (its open batch abandoned) and the run stops, Failed and resumable.</summary>
    void CountError(ref long counter)
    {
        counter++;
        var max = _options.MaxErrors;
        if (_conversionErrors + _rowErrors <= max) return;
        CloseTarget();
        var message = $"More than {max} rows failed ({_options.MaxErrorsOption} {max}): the run stopped. What was committed stays; fix the cause and run again with {_options.ResumeOption}.";
        Finish(message);
        throw new MaxErrorsExceededException(message, max);
    }

    /// <summary>
    /// What the target's table does not carry from the source is said once per table, before
    /// its first row; for a whole-database set, for every table of it at once.
    /// </summary>
    void WarnAboutDefinition(TableSchema schema)
    {
        _lastWarned = schema;
        if (schema.Definition is null || _warnedTables.Contains(schema.Name)) return;
        IEnumerable<TableSchema> tables = schema.Definition.Set is { } set ? set.Tables : [schema];
        foreach (var t in tables)
        {
            if (!_warnedTables.Add(t.Name)) continue;
            foreach (var w in t.Definition?.Warnings ?? []) _observer.DefinitionWarning(w);
        }
    }

    /// <summary>Reports the target's queued events; a refused row is logged, reported and counted (which may stop the run).</summary>
    void Report()
    {
        while (_events.TryDequeue(out var item))
        {
            switch (item)
            {
                case RowError e:
                    _errorLog?.Write(_run?.RunId, e.Table, e.Key, e.Column, QuarantineStage.Write, e.Reason, e.ValueExcerpt);
                    _observer.RowFailed(e);
                    CountError(ref _rowErrors);
                    break;
                case BatchResult b:
                    _observer.BatchCommitted(b);
                    break;
                case OrphanRow o:
                    _observer.OrphanFound(o);
                    break;
                case SchemaWarning w:
                    _observer.TargetWarning(w);
                    break;
                case VerboseLine v:
                    _observer.Verbose(v.Text);
                    break;
            }
        }
    }

    sealed record VerboseLine(string Text);
}

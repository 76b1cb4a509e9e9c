using System.Globalization;
using System.Runtime.InteropServices;
using Migration.Engine.Convert;
using Migration.Engine.Journal;
using Migration.Engine.Preflight;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Migration.Engine.Target;
using Migration.Engine.Target.Sqlite;

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
/// Before the first row of each set of tables, the whole set is checked (<see cref="MigrationPreflight"/>):
/// a table D1 cannot take is refused on its own (reported once, its rows counted and not
/// written, its children's keys to it left to the orphan policy) and the run ends
/// <see cref="RunStatus.CompletedWithRefusedTables"/>; with <see cref="ImportOptions.StopAtFirstRefusal"/>
/// a <see cref="PreflightException"/> listing every problem stops it before anything of the set is written.
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
    /// <summary>The sets (or lone schemas) already checked by the preflight.</summary>
    readonly HashSet<object> _preflighted = new(ReferenceEqualityComparer.Instance);
    /// <summary>
    /// Refused tables by source name (<see cref="TableSchema.SourceDisplayName"/>: two source
    /// tables refused for becoming one D1 table are two refusals), in the order refused, with
    /// the rows that arrived for them.
    /// </summary>
    readonly Dictionary<string, RefusedTable> _refused = new(StringComparer.Ordinal);
    readonly List<string> _refusedOrder = [];
    readonly HashSet<PreflightProblem> _noted = [];

    sealed class RefusedTable(TableRefusedException refusal)
    {
        public TableRefusedException Refusal { get; } = refusal;
        public long Rows { get; set; }
    }

    IJournaledRun? _run;
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
    public IJournaledRun? Run => _run;

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
        if (_run is { IsResumed: true } && _run.StatusAtStart.IsComplete())
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
        target.Progress += _events.Enqueue;
        target.Refuse(_refused.Values.Select(r => r.Refusal.D1Table).OfType<string>());
        _target = target;
    }

    /// <summary>The tables refused so far (source names), in the order refused.</summary>
    public IReadOnlyList<string> RefusedTables => _refusedOrder;

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
        if (!ReferenceEquals(schema, _lastWarned))
        {
            Preflight(schema);
            WarnAboutDefinition(schema);
        }
        if (_refused.Count > 0 && _refused.TryGetValue(schema.SourceDisplayName, out var refused))
        {
            refused.Rows++;
            return;
        }
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
        catch (TargetSchemaException ex) when (!_options.Import.StopAtFirstRefusal && !_rowsPerTable.ContainsKey(schema.Name))
        {
            // The table already in the target cannot take these rows (found at its first row, before
            // any of it is written): that table is refused and its rows counted, the others go on,
            // as with the preflight's refusals. Under StopAtFirstRefusal the exception stops the run.
            Refuse(new PreflightReport([new PreflightProblem(schema.SourceDisplayName, schema.Name, PreflightProblemKind.ExistingTable, ex.Reason, ex.FixParameter)], []));
            _refused[schema.SourceDisplayName].Rows++;
            return;
        }
        var table = schema.Name;
        // One hash lookup per row (this is the per-row path), not a read and then a write.
        var sent = ++CollectionsMarshal.GetValueRefOrAddDefault(_rowsPerTable, table, out _);
        if (sent == 1) _observer.TableStarted(schema, PlanOf(schema));
        Report();
        _observer.RowSent(table, sent);
    }

    /// <summary>What the load of <paramref name="schema"/> will do, in one line for -Verbose.</summary>
    string PlanOf(TableSchema schema)
    {
        var import = _options.Import;
        var from = schema.Source is null ? "" : $" (from {schema.Source.SourceDisplayName})";
        var key = schema.HasPrimaryKey ? $"key ({string.Join(", ", schema.PrimaryKey.Select(k => schema.Columns[k].Name))})" : "no primary key";
        var estimate = schema.EstimatedRows is { } n ? string.Create(CultureInfo.InvariantCulture, $"~{n:N0} rows (the source's estimate)") : "row count unknown";
        var resume = _run?.ResumeKey(schema.Name) is { } after ? $"; resuming after key ({string.Join(", ", after)})" : "";
        var mode = import.DryRun ? "dry run, nothing written" : $"-OnConflict {import.OnConflict}, batches of {import.BatchSize}";
        return $"{schema.Name}{from}: {schema.Columns.Count} columns, {key}, {estimate}; {mode}{resume}.";
    }

    /// <summary>A row that failed to convert: quarantined (for <paramref name="table"/>, the target table it was meant for), reported and counted.</summary>
    public void ConversionFailed(string table, ConversionException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Quarantine(table, error.Table, error.Key, error.Column, error.Reason, error.ValueExcerpt, QuarantineStage.Convert);
        _observer.ConversionFailed(table, error);
        CountError(ref _conversionErrors);
    }

    /// <summary>A row that failed to convert upstream and was reported there (ConvertTo-D1Row -IncludeRejected): quarantined and counted.</summary>
    public void Rejected(RejectedRow rejected)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        Quarantine(rejected.Table, rejected.SourceTable, rejected.Key, rejected.Column, rejected.Reason, rejected.ValueExcerpt, QuarantineStage.Convert);
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
        Refuse(MigrationPreflight.Check(tables, converter, _options.Import.Limits));
        var targets = new TableSchema?[tables.Count];
        for (var i = 0; i < tables.Count; i++)
        {
            if (IsRefused(tables[i])) continue;
            var t = targets[i] = converter.TargetSchemaFor(tables[i]);
            _preflighted.Add((object?)t.Definition?.Set ?? t); // checked above, with the source's mapping
            WarnAboutDefinition(t);
        }
        OpenTarget();
        for (var i = 0; i < tables.Count; i++)
        {
            if (targets[i] is null)
            {
                // Refused: its rows are read only to be counted as not written.
                _refused[tables[i].SourceDisplayName].Rows += source.Export(tables[i]).LongCount();
                continue;
            }
            var table = targets[i]!.Name;
            // Keyset: a resumed run reads only what comes after the table's checkpoint.
            Pump(source.Export(tables[i], _run?.ResumeKey(table)), table, converter.Convert);
        }
        return Complete();
    }

    /// <summary>
    /// Pull, D1 -> Postgres (the CLI's <c>migrate --direction D1ToPostgres</c>; in pwsh the same as
    /// Export-D1Table | ConvertTo-PgRow | Import-PgTable): the tables are read in the target's
    /// foreign-key order (parents first, as ConvertTo-PgRow sends them), each on a reader thread
    /// of its own a few hundred rows ahead, converted and written. A row that does not convert is
    /// quarantined and counted, the others go on. A resumed run reads each table again and the
    /// target skips what an earlier attempt committed, exactly as the pipeline's resume does.
    /// The caller checks the mapping first (<see cref="PgRowConverter.CheckMapping"/>), before
    /// <see cref="Start"/>, so that a mistake in it journals nothing.
    /// </summary>
    public IReadOnlyList<TableSummary> Transfer(IRowSource source, IReadOnlyList<TableSchema> tables, PgRowConverter converter)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(converter);
        var byName = tables.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var name in new TargetLoadOrder(tables, converter.TargetTableFor).Order)
        {
            var table = byName[name];
            var target = converter.TargetSchemaFor(table).Name;
            _observer.Verbose($"{table.Name} -> {target}.");
            using var reader = new ReadAhead<Row>(() => source.Export(table), threadName: "Migration D1 reader");
            Pump(reader.Items(), target, converter.Convert);
        }
        return Complete();
    }

    /// <summary>One table's rows of a pull: each converted and written; one that does not convert quarantined and counted.</summary>
    void Pump(IEnumerable<Row> rows, string table, Func<Row, Row> convert)
    {
        foreach (var row in rows)
        {
            Row converted;
            try { converted = convert(row); }
            catch (ConversionException ex)
            {
                ConversionFailed(table, ex);
                continue;
            }
            Add(converted);
        }
    }

    /// <summary>
    /// Writes what is buffered, reports the rows refused at the end (counted against the limit
    /// before the run is marked Completed), marks the run Completed and closes the target (so a
    /// command downstream can open the file). Returns one summary per table; none when no row came.
    /// </summary>
    public IReadOnlyList<TableSummary> Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // A resumed run that gets no row may still have work the writer finishes (a remote D1's deferred foreign keys).
        if (_target is null && _run is { IsResumed: true } run && _database.HasUnfinishedWork(run)) OpenTarget();
        if (_target is null)
        {
            // No row came (or only rows of refused tables): a run that was started still ends, so it is not left looking unfinished.
            var refusedOnly = RefusedSummaries();
            Finish(null);
            if (refusedOnly.Count > 0) _observer.Completed(refusedOnly);
            return refusedOnly;
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
        // Tables the target refused while loading (they already held the keys) end the run as refused ones do.
        Finish(null, [.. summaries.Where(s => s.Refused is not null).Select(s => $"{s.Table} ({RowsNotWritten(s.RowsNotWritten)})")]);
        _target.Dispose();
        _target = null;
        summaries = [.. summaries, .. RefusedSummaries()];
        _observer.Completed(summaries);
        return summaries;
    }

    /// <summary>One summary per refused table: nothing written, the rows that arrived counted as not written.</summary>
    List<TableSummary> RefusedSummaries() =>
        [.. _refusedOrder.Select(name => _refused[name]).Select(r => new TableSummary(r.Refusal.Problems[0].TableDescription, 0, 0, 0, 0, TimeSpan.Zero)
        {
            Refused = string.Join("; ", r.Refusal.Problems.Select(p => $"{p.Reason} (fix with -{p.FixParameter})")),
            RowsNotWritten = r.Rows,
        })];

    /// <summary>
    /// Checks the whole set a row's table belongs to (or the table alone), once, before its
    /// first row is written.
    /// </summary>
    void Preflight(TableSchema schema)
    {
        var set = schema.Definition?.Set;
        if (!_preflighted.Add((object?)set ?? schema)) return;
        var tables = set?.Tables ?? [schema];
        Refuse(_database.CheckTargets(tables, _options.Import.Limits, loadOrder: set?.IsLoadOrder ?? true));
    }

    /// <summary>
    /// What a preflight refused: under StopAtFirstRefusal every problem at once, before anything
    /// of the set is written; else each refused table reported once (its rows to be counted,
    /// not written) and each table with a key to a refused one told that its rows meet the orphan policy.
    /// </summary>
    void Refuse(PreflightReport report)
    {
        if (!report.HasRefusals) return;
        if (_options.Import.StopAtFirstRefusal) throw new PreflightException(report);
        // (Rows of a table refused here never reach the target; their count is the summary's RowsNotWritten.)
        var added = new List<string>();
        foreach (var refusal in report.RefusedTableErrors)
        {
            if (!_refused.TryAdd(refusal.Table, new RefusedTable(refusal))) continue;
            _refusedOrder.Add(refusal.Table);
            if (refusal.D1Table is not null) added.Add(refusal.D1Table);
            _observer.TableRefused(refusal);
        }
        _target?.Refuse(added);
        // Each table's mapped set is its own object, so the same set may be checked more than once: each note is said once.
        foreach (var note in report.Problems.Where(p => !p.RefusesTable && _noted.Add(p)))
            _observer.TargetWarning(new SchemaWarning(note.D1Table ?? note.Table, "ForeignKey", note.Table,
                note.Reason.Replace("(-OrphanPolicy decides)", $"(-OrphanPolicy {_options.Import.OrphanPolicy}: {OrphanEffect(_options.Import.OrphanPolicy)})", StringComparison.Ordinal)));
    }

    static string OrphanEffect(OrphanPolicy policy) => policy switch
    {
        OrphanPolicy.Skip => "those rows are left out",
        OrphanPolicy.Null => "the key is written NULL where its columns allow it",
        _ => "those rows are refused",
    };

    bool IsRefused(TableSchema source) => _refused.ContainsKey(source.SourceDisplayName);

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
    void Finish(string? failure, IReadOnlyList<string>? refusedByTarget = null)
    {
        if (_run is null || _finished) return;
        _finished = true;
        var refused = _refusedOrder.Select(n => $"{n} ({RowsNotWritten(_refused[n].Rows)})").Concat(refusedByTarget ?? []).ToList();
        if (failure is not null) _run.Fail(failure);
        else if (refused.Count > 0) _run.CompleteWithRefusedTables("completed with refused tables: " + string.Join(", ", refused));
        else _run.Complete();
    }

    static string RowsNotWritten(long rows) => $"{rows} row{(rows == 1 ? "" : "s")} not written";

    void Quarantine(string table, string? sourceTable, string key, string? column, string reason, string excerpt, QuarantineStage stage)
    {
        _run?.Quarantine(table, sourceTable, key, column, reason, excerpt, stage);
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
                case TargetProgress p:
                    _observer.TargetProgress(p);
                    break;
            }
        }
    }

    sealed record VerboseLine(string Text);
}

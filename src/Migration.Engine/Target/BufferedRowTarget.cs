using Migration.Engine.Schema;

namespace Migration.Engine.Target;

/// <summary>
/// What the D1 targets that buffer a batch per table before writing it (<c>RemoteD1/</c>,
/// <c>SqlFile/</c>) share: the events, the refused tables, the switch from one table's rows to
/// the next (the last table's batch is written first, so batches go in the order rows arrived:
/// parents before children), a whole-database set checked and opened at its first row,
/// <see cref="Complete"/> flushing every table before the target's own finish (indexes after
/// the rows), and the state checks. A subclass says how a table is opened and how the run ends.
/// </summary>
/// <remarks>
/// The local SQLite and Postgres targets do not derive from it: they write through a background
/// writer and a COPY stream, not a buffer the caller's thread flushes.
/// </remarks>
public abstract class BufferedRowTarget : IRowTarget
{
    readonly Dictionary<string, IBufferedTable> _tables = new(StringComparer.OrdinalIgnoreCase);
    readonly List<IBufferedTable> _order = [];
    readonly List<string> _created = [];
    readonly HashSet<TableSet> _sets = new(ReferenceEqualityComparer.Instance);
    readonly HashSet<string> _refusedTables = new(StringComparer.OrdinalIgnoreCase);
    TableSchema? _lastSchema;
    IBufferedTable? _last;
    bool _completed, _faulted, _disposed;

    private protected BufferedRowTarget(ImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "BatchSize must be at least 1.");
        Options = options;
    }

    public ImportOptions Options { get; }

    public event Action<BatchResult>? BatchCommitted;
    public event Action<RowError>? RowFailed;
    public event Action<string>? Log;

    /// <summary>Orphans the remote target finds by its parent lookups (the .sql file target leaves them to D1).</summary>
    public event Action<OrphanRow>? OrphanFound;

    /// <summary>How far a target writing over the network has got (the remote D1 raises it; the .sql file target does not).</summary>
    public event Action<TargetProgress>? Progress;

    // Neither target raises this: the DDL leaves nothing out.
    public event Action<SchemaWarning>? SchemaWarningRaised { add { } remove { } }

    public IReadOnlyList<string> CreatedTables => _created;

    public void Refuse(IEnumerable<string> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        foreach (var t in tables) _refusedTables.Add(t);
    }

    public void Add(Row row)
    {
        ArgumentNullException.ThrowIfNull(row);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed) throw new InvalidOperationException("The target is complete; no more rows can be added.");
        ThrowIfFaulted();
        var schema = row.GetSchema();
        try
        {
            if (!ReferenceEquals(schema, _lastSchema))
            {
                // Batches go in the order rows arrived: a parent table's rows before its children's (D1 enforces foreign keys).
                _last?.Flush();
                _last = TableFor(schema);
                _lastSchema = schema;
            }
            _last!.Add(row);
        }
        catch (Exception ex) when (Faults(ex, completing: false))
        {
            _faulted = true;
            throw;
        }
    }

    public IReadOnlyList<TableSummary> Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ThrowIfFaulted();
        if (!_completed)
        {
            try
            {
                foreach (var t in _order) t.Flush();
                Finish();
            }
            catch (Exception ex) when (Faults(ex, completing: true))
            {
                _faulted = true;
                throw;
            }
            _completed = true;
        }
        return [.. _order.Select(t => t.Summary())];
    }

    public void Dispose()
    {
        Close();
        _disposed = true;
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Whether <paramref name="failure"/> leaves the target unusable (every later Add and Complete
    /// refused): a write whose outcome the target cannot account for. None by default.
    /// </summary>
    private protected virtual bool Faults(Exception failure, bool completing) => false;

    /// <summary>The refusal of a faulted target.</summary>
    private protected virtual string FaultMessage => "A batch failed; this target accepts no more rows.";

    /// <summary>Called before a table is looked up or opened (the remote target lets the chunk in flight land first).</summary>
    private protected virtual void BeforeTable() { }

    /// <summary>
    /// Opens the tables of a whole-database set (refused ones left out, all checked against D1's
    /// limits), in load order, at the set's first row: creates what is missing and registers each
    /// through <see cref="Register"/>.
    /// </summary>
    private protected abstract void OpenSet(IReadOnlyList<TableSchema> tables);

    /// <summary>Opens one table met outside a set (checked against D1's limits) and registers it.</summary>
    private protected abstract IBufferedTable Open(TableSchema schema);

    /// <summary>After every table's last batch: the indexes, the files, the closing log line.</summary>
    private protected abstract void Finish();

    /// <summary>Releases what the target holds; nothing more is written.</summary>
    private protected virtual void Close() { }

    private protected bool IsOpen(string table) => _tables.ContainsKey(table);

    /// <summary>The open table of that name, or null.</summary>
    private protected IBufferedTable? OpenTable(string table) => _tables.GetValueOrDefault(table);

    /// <summary>The open tables, in the order they were opened.</summary>
    private protected IReadOnlyList<IBufferedTable> OpenTables => _order;

    /// <summary>Whether a table was refused up front (<see cref="Refuse"/>).</summary>
    private protected bool IsRefused(string table) => _refusedTables.Contains(table);

    private protected bool WasCreated(string table) => _created.Contains(table, StringComparer.OrdinalIgnoreCase);

    /// <summary>Remembers a table the target created (in a dry run: would create).</summary>
    private protected void Created(string table) => _created.Add(table);

    /// <summary>Adds an opened table; summaries come in this order.</summary>
    private protected T Register<T>(T table) where T : IBufferedTable
    {
        _tables[table.Schema.Name] = table;
        _order.Add(table);
        return table;
    }

    private protected void RaiseBatchCommitted(BatchResult batch) => BatchCommitted?.Invoke(batch);

    private protected void RaiseRowFailed(RowError error) => RowFailed?.Invoke(error);

    private protected void RaiseOrphanFound(OrphanRow orphan) => OrphanFound?.Invoke(orphan);

    private protected void RaiseProgress(TargetProgress progress) => Progress?.Invoke(progress);

    private protected void RaiseLog(string line) => Log?.Invoke(line);

    /// <summary>A row refused before it was written: reported, counted by the caller, and with -ErrorAction Stop semantics (<see cref="ImportOptions.StopAtFirstRefusal"/>) the end of the load.</summary>
    private protected void Refused(RowError error)
    {
        RowFailed?.Invoke(error);
        if (Options.StopAtFirstRefusal) throw new RowRefusedException(error);
    }

    void ThrowIfFaulted()
    {
        if (_faulted) throw new InvalidOperationException(FaultMessage);
    }

    IBufferedTable TableFor(TableSchema schema)
    {
        BeforeTable();
        if (schema.Kind != SchemaKind.D1)
            throw new ArgumentException($"Table {schema.Name}: the target takes D1 rows (from ConvertTo-D1Row), not {schema.Kind} rows.", nameof(schema));
        if (Known(schema) is { } table) return table;
        if (schema.Definition?.Set is { IsLoadOrder: true } set && _sets.Add(set))
        {
            var tables = set.Tables.Where(t => !_refusedTables.Contains(t.Name)).ToList();
            D1Ddl.CheckTables(tables, Options.Limits);
            OpenSet(tables);
            if (Known(schema) is { } opened) return opened;
        }
        TableBinding.CheckD1Limits(schema, Options.Limits);
        return Open(schema);
    }

    /// <summary>The table already open under this name, bound to <paramref name="schema"/>.</summary>
    IBufferedTable? Known(TableSchema schema)
    {
        if (!_tables.TryGetValue(schema.Name, out var table)) return null;
        if (!ReferenceEquals(table.Schema, schema)) table.Rebind(schema);
        return table;
    }
}

using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Migration.Engine.Journal;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Npgsql;

namespace Migration.Engine.Target.Postgres;

/// <summary>How the Postgres target maps text ids that are not UUIDs into uuid key columns.</summary>
public enum IdMapMode
{
    /// <summary>No mapping: a non-UUID text in a uuid column is an error for its row.</summary>
    None,
    /// <summary>A new random UUID per old id, recorded in the id map (and reused by later and resumed runs).</summary>
    Generate,
    /// <summary>UUIDv5 of the table and the old id (the same on every run and machine), recorded in the id map.</summary>
    Deterministic,
}

/// <summary>How the Postgres target writes and journals (whether a run resumes is the session's <see cref="Session.SessionOptions"/>).</summary>
public sealed record PgTargetOptions
{
    public int BatchSize { get; init; } = 5000;
    public IdMapMode IdMap { get; init; } = IdMapMode.None;
    public OrphanPolicy OrphanPolicy { get; init; } = OrphanPolicy.Fail;

    /// <summary>The schema of the journal in the target (default <see cref="PgJournal.DefaultSchema"/>).</summary>
    public string? JournalSchema { get; init; }

    /// <summary>
    /// Foreign keys are not checked row by row during the load but validated by one query each at
    /// the end of the run (<see cref="PgForeignKeyDeferral"/>); journaled, so a resume validates too.
    /// </summary>
    public bool DeferForeignKeys { get; init; }

    public string OptionsText() => $"BatchSize={BatchSize} IdMap={IdMap} OrphanPolicy={OrphanPolicy}" + (DeferForeignKeys ? " " + PgForeignKeyDeferral.Option : "");
}

/// <summary>
/// Writes converted rows (Postgres kind, from <see cref="Convert.PgRowConverter"/>) into existing
/// Postgres tables by binary COPY, one batch per transaction with its journal row
/// (<see cref="PgJournal"/>): the batch's checkpoint (its source table's last key), the id map
/// entries it created and the rows it quarantined commit with its rows or not at all, so a run
/// killed at any moment resumes exactly once (<see cref="PgRun.IsAlreadyWritten"/>: rows at or
/// before their source table's checkpoint are not written again). The <see cref="IRowTarget"/>
/// of <see cref="PgDatabase"/>, driven by a <see cref="Session.MigrationSession"/>.
/// </summary>
/// <remarks>
/// <para>Tables load in the order rows arrive; a batch is written when full or when rows of
/// another table arrive, so parents are committed before their children when the source sends
/// them first (Export-D1Table sends tables parents first).</para>
/// <para>Ids: with <see cref="IdMapMode.Generate"/> or <see cref="IdMapMode.Deterministic"/>, a
/// text that is not a UUID in a uuid primary key gets a new UUID (recorded in the id map), and
/// the same text in a uuid foreign key pointing at that table is rewritten to it; one that maps
/// to nothing has no parent and follows the orphan policy.</para>
/// <para>A batch Postgres refuses (a foreign key with no parent row, a duplicate, a value its
/// type rejects) is written again row by row under savepoints to find the rows at fault, which
/// follow the orphan policy (a missing parent) or are quarantined (anything else); then the rest
/// is written by one COPY at the top level of the transaction, so every row of a batch carries
/// the transaction's id, which is how undo finds the run's rows.</para>
/// <para>A second D1 table mapped to the same Postgres table merges into it: its batches are
/// written through a staging table as <c>INSERT ... ON CONFLICT (primary key) DO UPDATE</c>.</para>
/// </remarks>
public sealed class PgTarget : IRowTarget
{
    static readonly Guid IdNamespace = new("6f1c2c5e-8a8e-4c1b-9f46-6d3c1e0b9a41");

    readonly PgRun _run;
    readonly PgTargetOptions _options;
    readonly bool _stopAtFirstRefusal;
    readonly PgJournal _journal;
    readonly NpgsqlConnection _connection;
    readonly Dictionary<string, TableInfo> _tables = new(StringComparer.Ordinal);
    readonly IdMap _ids;
    readonly Dictionary<string, int> _batchNumbers;
    readonly Dictionary<string, Summary> _summaries = new(StringComparer.Ordinal);
    readonly List<Row> _buffer = [];
    readonly List<QuarantineEntry> _pendingQuarantine;
    TableSchema? _bufferSchema;
    int _stagingCount;
    bool _closed;

    sealed class Summary(string table)
    {
        public string Table = table;
        public long Written, Skipped, Failed, Orphaned;
        public int Batches;
        public readonly Stopwatch Clock = new();
    }

    /// <summary>The writer of <paramref name="run"/>, on its connection (opened by <see cref="PgDatabase.Open"/>).</summary>
    /// <param name="stopAtFirstRefusal">-ErrorAction Stop: the first refused row (reported) rolls its batch back and stops the run.</param>
    internal PgTarget(PgRun run, PgConnectionSettings settings, PgTargetOptions options, bool stopAtFirstRefusal)
    {
        _run = run;
        _options = options;
        _stopAtFirstRefusal = stopAtFirstRefusal;
        _journal = run.Journal;
        _connection = run.Connection;
        _ids = run.Ids;
        _batchNumbers = run.BatchNumbers;
        _pendingQuarantine = run.PendingQuarantine;
        _catalogSettings = settings;
    }

    readonly PgConnectionSettings _catalogSettings;

    long RunId => _run.RunId;

    HashSet<string> Sources(string target) => _run.Sources(target);

    /// <summary>Raised after each batch commits.</summary>
    public event Action<BatchResult>? BatchCommitted;

    /// <summary>Raised for each row that was not written (refused, or an orphan under Fail), quarantined.</summary>
    public event Action<RowError>? RowFailed;

    /// <summary>Raised for each row whose parent row is missing, with what the orphan policy did.</summary>
    public event Action<OrphanRow>? OrphanFound;

    /// <summary>Never raised: the target's tables exist already, their definitions are Postgres's own.</summary>
    public event Action<SchemaWarning>? SchemaWarningRaised { add { } remove { } }

    /// <summary>Never raised.</summary>
    public event Action<string>? Log { add { } remove { } }

    /// <summary>None: the tables exist already (the target's catalog is the mapping's).</summary>
    public IReadOnlyList<string> CreatedTables => [];

    /// <summary>Nothing to refuse: the D1 preflight is not this target's (<see cref="PgDatabase.CheckTargets"/>).</summary>
    public void Refuse(IEnumerable<string> tables) { }

    /// <summary>Adds one converted row; writes a batch when full or when another table's rows begin.</summary>
    public void Add(Row row)
    {
        ArgumentNullException.ThrowIfNull(row);
        ObjectDisposedException.ThrowIf(_closed, this);
        var schema = row.GetSchema();
        if (schema.Kind != SchemaKind.Postgres)
            throw new ArgumentException($"Table {schema.Name}: Import-PgTable takes Postgres rows (from ConvertTo-PgRow), not {schema.Kind} rows.", nameof(row));
        if (!ReferenceEquals(schema, _bufferSchema))
        {
            Flush();
            _bufferSchema = schema;
        }
        if (_buffer.Count == 0) OpenBatch(schema);
        _buffer.Add(row);
        var outcome = Prepare(_batch!.Info, schema, row, _batch.NewIds, out var values);
        if (outcome == Outcome.Write) _batch.Stream(new Prepared(row, values!));
        else if (outcome == Outcome.Skipped) _batch.Skipped++;
        else _batch.Failed++;
        if (_buffer.Count >= _options.BatchSize) Flush();
    }

    static string SourceName(TableSchema schema) => schema.Source?.Name ?? schema.Name;

    /// <summary>Writes what is buffered; one summary per target table. The run (its quarantine left over, its status) is finished by the session.</summary>
    public IReadOnlyList<TableSummary> Complete()
    {
        Flush();
        _closed = true;
        // Every table this run wrote into, in this attempt or an earlier one (a resume validates them all).
        if (_run.DeferForeignKeys) PgForeignKeyDeferral.Validate(_connection, [.. _run.SourcesOfTarget.Keys]);
        return [.. _summaries.Values.Select(s => new TableSummary(s.Table, s.Written, s.Skipped, s.Failed, s.Batches, s.Clock.Elapsed) { RowsOrphaned = s.Orphaned })];
    }

    /// <summary>Abandons the open batch (its COPY and transaction); the connection is the run's (<see cref="PgRun.Dispose"/> closes it).</summary>
    public void Dispose()
    {
        _closed = true;
        _buffer.Clear();
        _batch?.Abandon();
        _batch = null;
    }

    void Flush()
    {
        if (_buffer.Count == 0 || _bufferSchema is null || _batch is null) return;
        var rows = _buffer.ToArray();
        _buffer.Clear();
        var batch = _batch;
        _batch = null;
        WriteBatch(batch, rows);
    }

    /// <summary>The batch being written: its rows go into an open COPY as they arrive.</summary>
    StreamingBatch? _batch;

    /// <summary>
    /// A batch under way. Each prepared row is written into the COPY as soon as it arrives, so
    /// Postgres parses, checks and stores rows while the pipeline is still reading and converting
    /// the next ones (buffering a whole batch first left the server idle for that time, and the
    /// client idle while the server worked). The rows are kept too: a batch Postgres refuses is
    /// rolled back and probed row by row as before.
    /// </summary>
    /// <remarks>
    /// Encoding and sending the rows on a writer thread of their own (as the SQLite target's
    /// <see cref="Sqlite.BatchPump"/> does) was measured at 1.11M rows in pwsh and made the load slower
    /// (1.02-1.08x the time, 3-10% more CPU): on two cores the pipeline thread, the file reader,
    /// the JIT and the Postgres backend already keep both busy, and the hand-over adds work.
    /// </remarks>
    sealed class StreamingBatch(PgTarget owner, TableInfo info, CopyPlan plan, Summary summary)
    {
        public TableInfo Info { get; } = info;
        public CopyPlan Plan { get; } = plan;
        public Summary Summary { get; } = summary;
        public List<(string, string, Guid)> NewIds { get; } = [];
        public List<Prepared> Prepared { get; } = [];
        public int Skipped, Failed;
        NpgsqlTransaction? _tx;
        NpgsqlBinaryImporter? _copy;

        public void Stream(Prepared row)
        {
            Prepared.Add(row);
            if (_copy is null)
            {
                _tx = owner._connection.BeginTransaction();
                _copy = Plan.Begin();
            }
            Plan.WriteRow(_copy, row);
        }

        /// <summary>Finishes the COPY (and a staging table's INSERT); Postgres' refusal surfaces here. Returns the open transaction.</summary>
        public NpgsqlTransaction Finish()
        {
            var tx = _tx ?? owner._connection.BeginTransaction();
            _tx = null;
            var copy = _copy;
            _copy = null;
            try
            {
                if (copy is not null)
                {
                    using (copy) copy.Complete();
                    Plan.AfterCopy();
                }
            }
            catch
            {
                tx.Dispose();
                throw;
            }
            return tx;
        }

        /// <summary>Abandons the open COPY and its transaction (nothing of the batch is committed).</summary>
        public void Abandon()
        {
            try { _copy?.Dispose(); } catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException) { /* the transaction rolls back below */ }
            _copy = null;
            _tx?.Dispose();
            _tx = null;
        }
    }

    void OpenBatch(TableSchema schema)
    {
        var target = schema.Name;
        var source = SourceName(schema);
        var info = Info(schema);
        if (!_summaries.TryGetValue(target, out var summary)) _summaries[target] = summary = new Summary(target);
        var merge = Sources(target).Any(s => s != source);
        var writers = schema.Columns.Select(c => new PgColumnWriter(c)).ToArray();
        _batch = new StreamingBatch(this, info, new CopyPlan(this, info, schema, writers, merge), summary);
    }

    /// <summary>What the target knows of one Postgres table: its whole definition and the id-map roles of its columns.</summary>
    sealed class TableInfo
    {
        public required TableSchema Table { get; init; }
        /// <summary>The single uuid primary key column's name, when there is one (ids mapped for this table).</summary>
        public string? IdColumn { get; init; }
        /// <summary>uuid foreign key column -> (parent table name, foreign key name).</summary>
        public required Dictionary<string, (string Parent, string Name)> IdReferences { get; init; }
        public required Dictionary<string, ForeignKeyDefinition> ForeignKeys { get; init; }
    }

    TableInfo Info(TableSchema schema)
    {
        if (_tables.TryGetValue(schema.Name, out var info)) return info;
        TableSchema table;
        using (var exporter = new PgExporter(_catalogSettings))
            table = exporter.Describe([SqlQuote.Qualified(schema.SourceSchema, schema.SourceTable)])[0];
        string? id = null;
        if (table.PrimaryKey.Count == 1 && table.Columns[table.PrimaryKey[0]].PgType?.Family == PgTypeFamily.Uuid) id = table.Columns[table.PrimaryKey[0]].Name;
        var refs = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        var fks = new Dictionary<string, ForeignKeyDefinition>(StringComparer.Ordinal);
        foreach (var fk in table.Definition?.ForeignKeys ?? [])
        {
            fks[fk.Name] = fk;
            if (fk.Columns.Count == 1 && table.Columns[table.IndexOf(fk.Columns[0])].PgType?.Family == PgTypeFamily.Uuid)
                refs[fk.Columns[0]] = (fk.ParentSchema is null or "public" ? fk.ParentTable : fk.ParentSchema + "." + fk.ParentTable, fk.Name);
        }
        info = new TableInfo { Table = table, IdColumn = id, IdReferences = refs, ForeignKeys = fks };
        _tables[schema.Name] = info;
        return info;
    }

    /// <summary>One prepared row: its values after the id map, and the row it came from.</summary>
    sealed record Prepared(Row Row, object?[] Values);

    void WriteBatch(StreamingBatch batch, Row[] rows)
    {
        var schema = rows[0].GetSchema();
        var target = schema.Name;
        var source = SourceName(schema);
        var summary = batch.Summary;
        summary.Clock.Start();
        try
        {
            var newIds = batch.NewIds;
            var prepared = batch.Prepared;
            var failed = batch.Failed;
            var skipped = batch.Skipped;
            var plan = batch.Plan;
            Sources(target).Add(source);
            var batchNumber = _batchNumbers.GetValueOrDefault(source) + 1;
            var last = rows[^1];
            var lastImage = last.SourceKey is { } k ? RowImage.Encode(k) : null;

            List<Prepared> written;
            try
            {
                using var tx = batch.Finish();
                _journal.AddIds(_connection, RunId, newIds);
                written = prepared;
                Commit(tx, source, target, batchNumber, written.Count, skipped, failed, rows, lastImage);
            }
            catch (PostgresException)
            {
                // Some row of the batch is at fault: find it (them) row by row, then write the rest.
                var orphanSkips = 0;
                using var tx = _connection.BeginTransaction();
                _journal.AddIds(_connection, RunId, newIds);
                written = Probe(plan, batch.Info, schema, prepared, ref orphanSkips, out var refused);
                plan.Copy(written);
                skipped += orphanSkips;
                failed += refused;
                Commit(tx, source, target, batchNumber, written.Count, skipped, failed, rows, lastImage);
            }
            foreach (var (t, old, id) in newIds) _ids.Set(t, old, id);
            _pendingIds.Clear();
            _batchNumbers[source] = batchNumber;
            summary.Written += written.Count;
            summary.Skipped += skipped;
            summary.Failed += failed;
            summary.Batches++;
            BatchCommitted?.Invoke(new BatchResult(target, batchNumber, written.Count, skipped, failed, summary.Clock.Elapsed));
        }
        catch
        {
            _deferred.Clear();
            _batchQuarantine.Clear();
            _pendingIds.Clear();
            throw;
        }
        finally
        {
            batch.Abandon();
            summary.Clock.Stop();
        }
    }

    readonly HashSet<string> _mapped = new(StringComparer.Ordinal);

    void Commit(NpgsqlTransaction tx, string source, string target, int batchNumber, int written, int skipped, int failed, Row[] rows, byte[]? lastImage)
    {
        var schema = rows[0].GetSchema();
        if (!_mapped.Contains(source) && schema.Source is not null)
            _journal.RecordMapping(_connection, RunId, source, target,
                schema.Columns.Where(c => !c.IsComputed).Select(c => (c.SourceName, c.Name)), schema.Columns.Where(c => c.IsComputed).Select(c => c.Name));
        _journal.RecordBatch(_connection, RunId, source, target, batchNumber, written, skipped, failed,
            KeyText(rows[0]), KeyText(rows[^1]), lastImage);
        foreach (var q in _pendingQuarantine) _journal.AddQuarantine(_connection, RunId, q);
        foreach (var q in _batchQuarantine) _journal.AddQuarantine(_connection, RunId, q);
        // The batch's refused rows and orphans are reported before it commits: a caller that stops
        // at the first one (-ErrorAction Stop) throws here, and the batch holding it rolls back.
        var refused = _stopAtFirstRefusal ? _deferred.OfType<RowError>().FirstOrDefault() : null;
        RaiseDeferred();
        if (refused is not null) throw new RowRefusedException(refused);
        tx.Commit();
        _run.Quarantined += _batchQuarantine.Count;
        _mapped.Add(source);
        _pendingQuarantine.Clear();
        _batchQuarantine.Clear();
    }

    /// <summary>Events of a batch, raised once it committed (a rolled-back attempt reports nothing).</summary>
    readonly List<object> _deferred = [];
    readonly List<QuarantineEntry> _batchQuarantine = [];

    void RaiseDeferred()
    {
        foreach (var e in _deferred)
        {
            if (e is RowError r) RowFailed?.Invoke(r);
            else if (e is OrphanRow o)
            {
                _summaries[o.Table].Orphaned++;
                OrphanFound?.Invoke(o);
            }
        }
        _deferred.Clear();
    }

    enum Outcome { Write, Skipped, Failed }

    /// <summary>The row's key as an operator finds it in the D1 source (<c>id=u_1</c>), else its Postgres key.</summary>
    static string KeyText(Row row)
    {
        var source = row.GetSchema().Source;
        if (row.SourceKey is { } key && source is not null)
        {
            var names = source.HasPrimaryKey ? source.PrimaryKey.Select(k => source.Columns[k].Name).ToList() : ["rowid"];
            if (names.Count == key.Length)
                return string.Join(", ", names.Select((n, i) => n + "=" + ValueExcerpt.Of(key[i])));
        }
        return row.DescribeKey();
    }

    /// <summary>Applies the id map to a row; an id with no parent follows the orphan policy.</summary>
    Outcome Prepare(TableInfo info, TableSchema schema, Row row, List<(string, string, Guid)> newIds, out object?[]? values)
    {
        // The row's own values, copied only when the id map or the orphan policy changes one
        // (most rows change nothing: a copy per row was an allocation per row for nothing).
        var original = row.GetValues();
        values = original;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is not string old || schema.Columns[i].PgType?.Family != PgTypeFamily.Uuid) continue;
            if (ReferenceEquals(values, original)) values = (object?[])original.Clone();
            var name = schema.Columns[i].Name;
            if (_options.IdMap == IdMapMode.None)
                return Refuse(schema, row, name, old, $"\"{ValueExcerpt.Of(old, 40)}\" is not a UUID; -IdMap Generate (or Deterministic) gives such ids new UUIDs", ref values);
            // A foreign key first: a key column that is also a foreign key (user_progress.user_id ->
            // users) holds the parent's id, so it takes the parent's mapping, never one of its own.
            if (info.IdReferences.TryGetValue(name, out var parent))
            {
                if (_ids.TryGet(parent.Parent, old, out var id) || _pendingIds.TryGet(parent.Parent, old, out id)) values[i] = id;
                else
                {
                    var outcome = Orphan(schema, row, parent.Name, parent.Parent, [name], old, values);
                    if (outcome != Outcome.Write) return outcome;
                }
            }
            else if (name == info.IdColumn)
            {
                if (!_ids.TryGet(schema.Name, old, out var id) && !_pendingIds.TryGet(schema.Name, old, out id))
                {
                    id = _options.IdMap == IdMapMode.Deterministic ? UuidV5(schema.Name + "\u0000" + old) : Guid.NewGuid();
                    newIds.Add((schema.Name, old, id));
                    _pendingIds.Set(schema.Name, old, id);
                }
                values[i] = id;
            }
            else return Refuse(schema, row, name, old, $"\"{ValueExcerpt.Of(old, 40)}\" is not a UUID, and {name} is neither the table's uuid key nor a uuid foreign key, so the id map does not apply", ref values);
        }
        return Outcome.Write;
    }

    /// <summary>Ids the open batch mapped (not committed yet), found in one lookup rather than a scan of the batch's list.</summary>
    readonly IdMap _pendingIds = new();

    Outcome Refuse(TableSchema schema, Row row, string? column, object? value, string reason, ref object?[]? values)
    {
        values = null;
        var key = KeyText(row);
        _batchQuarantine.Add(new QuarantineEntry(schema.Name, schema.Source?.Name, key, column, nameof(QuarantineStage.Write), reason, ValueExcerpt.Of(value)));
        _deferred.Add(new RowError(schema.Name, key, column, reason, ValueExcerpt.Of(value)));
        return Outcome.Failed;
    }

    /// <summary>A row whose foreign key has no parent: Skip quarantines it, Null writes the key NULL (if the columns allow), Fail refuses it.</summary>
    Outcome Orphan(TableSchema schema, Row row, string foreignKey, string parent, IReadOnlyList<string> columns, object? value, object?[] values)
    {
        var key = KeyText(row);
        var text = ValueExcerpt.Of(value);
        var reason = $"foreign key {foreignKey} -> {parent} ({text}) has no parent row";
        if (_options.OrphanPolicy == OrphanPolicy.Null && columns.All(c => schema.IndexOf(c) is var o && o >= 0 && schema.Columns[o].IsNullable))
        {
            foreach (var c in columns) values[schema.IndexOf(c)] = null;
            _deferred.Add(new OrphanRow(schema.Name, key, foreignKey, parent, text, "SetNull"));
            return Outcome.Write;
        }
        if (_options.OrphanPolicy == OrphanPolicy.Skip)
        {
            _batchQuarantine.Add(new QuarantineEntry(schema.Name, schema.Source?.Name, key, string.Join(", ", columns), "Orphan", reason + "; skipped (-OrphanPolicy Skip)", text, parent));
            _deferred.Add(new OrphanRow(schema.Name, key, foreignKey, parent, text, "Skipped"));
            return Outcome.Skipped;
        }
        var why = _options.OrphanPolicy == OrphanPolicy.Null ? reason + "; its columns are NOT NULL, so -OrphanPolicy Null cannot apply" : reason;
        _batchQuarantine.Add(new QuarantineEntry(schema.Name, schema.Source?.Name, key, string.Join(", ", columns), nameof(QuarantineStage.Write), why, text, parent));
        _deferred.Add(new OrphanRow(schema.Name, key, foreignKey, parent, text, "Refused"));
        _deferred.Add(new RowError(schema.Name, key, string.Join(", ", columns), why, text));
        return Outcome.Failed;
    }

    /// <summary>
    /// Finds the rows Postgres refuses: each is tried under a savepoint after the ones accepted
    /// before it (so duplicates within the batch are found too); then everything is rolled back
    /// to the start and the accepted rows are returned, to be written by one COPY at the
    /// transaction's top level.
    /// </summary>
    List<Prepared> Probe(CopyPlan plan, TableInfo info, TableSchema schema, List<Prepared> rows, ref int orphanSkips, out int refused)
    {
        refused = 0;
        var accepted = new List<Prepared>(rows.Count);
        Exec("SAVEPOINT migration_probe_all");
        foreach (var p in rows)
        {
            var row = p;
            for (var attempt = 0; attempt < 2; attempt++)
            {
                Exec("SAVEPOINT migration_probe");
                try
                {
                    plan.Copy([row]);
                    Exec("RELEASE SAVEPOINT migration_probe");
                    accepted.Add(row);
                    break;
                }
                catch (PostgresException ex)
                {
                    Exec("ROLLBACK TO SAVEPOINT migration_probe");
                    if (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation && ex.ConstraintName is { } name && info.ForeignKeys.TryGetValue(name, out var fk) && attempt == 0)
                    {
                        var values = (object?[])row.Values.Clone();
                        var parentName = fk.ParentSchema is null or "public" ? fk.ParentTable : fk.ParentSchema + "." + fk.ParentTable;
                        var value = string.Join(", ", fk.Columns.Select(c => schema.IndexOf(c) is var o and >= 0 ? ValueExcerpt.Of(values[o]) : "?"));
                        var outcome = Orphan(schema, row.Row, fk.Name, parentName, fk.Columns, value, values);
                        if (outcome == Outcome.Write) { row = row with { Values = values }; continue; }
                        if (outcome == Outcome.Skipped) orphanSkips++; else refused++;
                        break;
                    }
                    refused++;
                    // A unique or primary key violation names its constraint but no column (and
                    // Npgsql redacts the detail that would show the value): the key's columns and
                    // the row's values for them say which column and value were refused.
                    var columns = ex.ColumnName is { } named ? [named] : ConstraintColumns(info, ex.ConstraintName);
                    var column = columns.Count > 0 ? string.Join(", ", columns) : null;
                    var excerpt = string.Join(", ", columns.Select(n => schema.IndexOf(n) is var c and >= 0 ? ValueExcerpt.Of(row.Values[c]) : "?"));
                    var detail = ex.Detail is { } d && !d.StartsWith("Detail redacted", StringComparison.Ordinal) ? " " + d : "";
                    object?[]? ignored = null;
                    Refuse(schema, row.Row, column, excerpt, $"Postgres refused the row: {ex.MessageText}{detail} ({ex.SqlState})", ref ignored);
                    break;
                }
            }
        }
        Exec("ROLLBACK TO SAVEPOINT migration_probe_all");
        Exec("RELEASE SAVEPOINT migration_probe_all");
        return accepted;
    }

    /// <summary>The columns of the table's primary or unique key of that name; none when it is not one.</summary>
    static IReadOnlyList<string> ConstraintColumns(TableInfo info, string? constraint)
    {
        var definition = info.Table.Definition;
        if (constraint is null || definition is null) return [];
        if (definition.PrimaryKey is { } pk && pk.Name == constraint) return pk.Columns;
        return definition.Uniques.FirstOrDefault(u => u.Name == constraint)?.Columns ?? [];
    }

    void Exec(string sql)
    {
        using var cmd = new NpgsqlCommand(sql, _connection);
        cmd.ExecuteNonQuery();
    }

    /// <summary>UUID version 5 (RFC 4122: SHA-1 of namespace and name) in this module's namespace.</summary>
    internal static Guid UuidV5(string name)
    {
        var ns = IdNamespace.ToByteArray(bigEndian: true);
        var input = new byte[ns.Length + Encoding.UTF8.GetByteCount(name)];
        ns.CopyTo(input, 0);
        Encoding.UTF8.GetBytes(name, 0, name.Length, input, ns.Length);
        var hash = SHA1.HashData(input);
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>How one table's batch is copied: straight into the table, or through a staging table (text-form casts, merges).</summary>
    sealed class CopyPlan
    {
        readonly PgTarget _owner;
        readonly PgColumnWriter[] _writers;
        readonly string _copySql;
        readonly string? _insertSql;
        readonly string? _clearSql;

        public CopyPlan(PgTarget owner, TableInfo info, TableSchema schema, PgColumnWriter[] writers, bool merge)
        {
            _owner = owner;
            _writers = writers;
            var table = SqlQuote.Qualified(schema.SourceSchema, schema.SourceTable);
            var columns = SqlQuote.Identifiers(schema.Columns.Select(c => c.Name));
            if (!merge && !writers.Any(w => w.ViaText))
            {
                _copySql = $"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)";
                return;
            }
            var stage = owner.StagingTable(writers);
            _copySql = $"COPY {stage} ({columns}) FROM STDIN (FORMAT BINARY)";
            var select = string.Join(", ", writers.Select(w => w.ViaText ? $"{SqlQuote.Identifier(w.Column.Name)}::{w.Column.PgType!.Name}" : SqlQuote.Identifier(w.Column.Name)));
            var sql = $"INSERT INTO {table} ({columns}) SELECT {select} FROM {stage}";
            if (merge)
            {
                var key = info.Table.PrimaryKey.Select(k => info.Table.Columns[k].Name).ToList();
                if (key.Count == 0 || key.Any(k => schema.IndexOf(k) < 0))
                    throw new InvalidOperationException($"Table {schema.Name}: a second D1 table ({schema.Source?.Name}) is merged into it, which needs the table's primary key among its columns ({string.Join(", ", key)}).");
                var rest = schema.Columns.Select(c => c.Name).Where(c => !key.Contains(c)).ToList();
                sql += $" ON CONFLICT ({SqlQuote.Identifiers(key)}) " + (rest.Count == 0 ? "DO NOTHING"
                    : "DO UPDATE SET " + string.Join(", ", rest.Select(c => $"{SqlQuote.Identifier(c)} = EXCLUDED.{SqlQuote.Identifier(c)}")));
            }
            _insertSql = sql;
            _clearSql = $"TRUNCATE {stage}";
        }

        public void Copy(List<Prepared> rows)
        {
            if (rows.Count == 0) return;
            using (var copy = Begin())
            {
                foreach (var p in rows) WriteRow(copy, p);
                copy.Complete();
            }
            AfterCopy();
        }

        public NpgsqlBinaryImporter Begin() => _owner._connection.BeginBinaryImport(_copySql);

        public void WriteRow(NpgsqlBinaryImporter copy, Prepared row)
        {
            copy.StartRow();
            for (var i = 0; i < _writers.Length; i++) _writers[i].Write(copy, row.Values[i]);
        }

        /// <summary>After the COPY into a staging table: the cast/merge INSERT, and the stage emptied.</summary>
        public void AfterCopy()
        {
            if (_insertSql is null) return;
            _owner.Exec(_insertSql);
            _owner.Exec(_clearSql!);
        }
    }

    readonly Dictionary<string, string> _staging = new(StringComparer.Ordinal);

    /// <summary>A temporary staging table with these columns (text for values Postgres casts), made once per connection.</summary>
    string StagingTable(PgColumnWriter[] writers)
    {
        var definition = string.Join(", ", writers.Select(w => $"{SqlQuote.Identifier(w.Column.Name)} {w.StagingType}"));
        if (_staging.TryGetValue(definition, out var name)) return name;
        name = SqlQuote.Qualified("pg_temp", "migration_stage_" + (++_stagingCount).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Exec($"CREATE TEMP TABLE IF NOT EXISTS {name} ({definition})");
        _staging[definition] = name;
        return name;
    }
}

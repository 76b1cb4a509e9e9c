using Microsoft.Data.Sqlite;
using Migration.Engine.Journal;
using Migration.Engine.Schema;

namespace Migration.Engine.Target.Sqlite;

/// <summary>
/// The foreign keys of one table loaded from a full definition into the local file, as
/// <see cref="ForeignKeyPlan"/> decides (immediate, insert-then-update, or checked at the end of
/// each batch): an immediate key is looked up per row with one indexed, prepared lookup (before
/// the insert when the file does not declare the key, after SQLite refused it when it does); the
/// deferred keys are filled in at the end (<see cref="ApplyDeferred"/>).
/// </summary>
/// <remarks>
/// Under a journaled run the deferred values go into the journal table <see cref="PendingKeys"/>
/// in the batch's own transaction (so they commit with the rows, or not at all), and are
/// deleted in the transaction that fills them in: a run stopped anywhere before the end (kill
/// -9, a source failure) resumes with every key still to fill in. Held only in memory, they
/// were lost with the process, and the resumed run left those keys NULL without a word.
/// </remarks>
internal sealed class ForeignKeyGuard : IDisposable
{
    readonly SqliteConnection _connection;
    readonly ForeignKeyPlan _plan;
    readonly Dictionary<PlannedForeignKey, PreparedLookup> _lookups = new(ReferenceEqualityComparer.Instance);
    // One delegate for every row's check (over _checking), not a closure per row.
    readonly Func<PlannedForeignKey, bool> _parentExists;
    object?[]? _checking;
    readonly int[] _keyOrdinals;
    readonly List<(long Id, object?[] Key, string Describe, object?[] Values)> _pending = [];
    long? _runId;
    string? _journalTable;
    SqliteCommand? _record;

    /// <summary>The journal table of deferred key values not yet filled in (one row per written row; empty once a run completes).</summary>
    public const string PendingKeys = JournalTables.Prefix + "pending_keys";

    const string PendingKeysDdl = "CREATE TABLE IF NOT EXISTS " + PendingKeys
        + " (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, table_name TEXT NOT NULL, row_key TEXT NOT NULL, key_image BLOB NOT NULL, values_image BLOB NOT NULL)";

    ForeignKeyGuard(SqliteConnection connection, ForeignKeyPlan plan, int[] keyOrdinals)
    {
        _connection = connection;
        _plan = plan;
        _keyOrdinals = keyOrdinals;
        _parentExists = key => ParentExists(key, _checking!);
    }

    /// <summary>Parent tables whose buffered rows must be written before a batch of this table.</summary>
    public IReadOnlyList<string> ImmediateParents => _plan.ImmediateParents;

    /// <summary>Whether each batch runs with <c>PRAGMA defer_foreign_keys = ON</c>.</summary>
    public bool DeferInBatch => _plan.DeferInBatch;

    public bool HasDeferred => _plan.Deferred.Count > 0;

    /// <summary>
    /// Journals the deferred values of <paramref name="runId"/> in <see cref="PendingKeys"/>
    /// (created here, outside any batch) instead of memory. Called before the table's first batch.
    /// </summary>
    public void JournalIn(long runId, string table)
    {
        if (!HasDeferred) return;
        using (var create = _connection.CreateCommand())
        {
            create.CommandText = PendingKeysDdl;
            create.ExecuteNonQuery();
        }
        _runId = runId;
        _journalTable = table;
    }

    /// <summary>
    /// On a journaled run: the tables (other than <paramref name="applied"/>) whose deferred keys an
    /// earlier attempt journaled and this attempt did not fill in (it wrote no row of them), with counts.
    /// </summary>
    public static IReadOnlyList<(string Table, long Rows)> Unapplied(SqliteConnection connection, long runId)
    {
        using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = $name";
        exists.Parameters.AddWithValue("$name", PendingKeys);
        if (exists.ExecuteScalar() is null) return [];
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT table_name, count(*) FROM " + PendingKeys + " WHERE run_id = $run GROUP BY table_name ORDER BY table_name";
        cmd.Parameters.AddWithValue("$run", runId);
        using var reader = cmd.ExecuteReader();
        var left = new List<(string, long)>();
        while (reader.Read()) left.Add((reader.GetString(0), reader.GetInt64(1)));
        return left;
    }

    /// <summary>
    /// The guard for a table, or null when it has no foreign keys (see <see cref="ForeignKeyPlan.For"/>).
    /// Without a connection only the decisions are made (and refusals thrown): a check before anything is created.
    /// </summary>
    public static ForeignKeyGuard? For(SqliteConnection? connection, TableSchema schema, string table, OrphanPolicy policy,
        Func<string, bool> loadedBefore, Func<string, bool> loadedAfter, Action<string> log, Func<string, bool>? refused = null)
    {
        var declared = connection is null ? [] : DeclaredKeys(connection, table);
        var plan = ForeignKeyPlan.For(schema, table, policy, loadedBefore, loadedAfter, log, refused, (parent, columns) => declared.Contains(Signature(parent, columns)));
        return plan is null ? null : new ForeignKeyGuard(connection!, plan, [.. schema.PrimaryKey]);
    }

    /// <summary>The foreign keys the target table declares, as "parent|col1,col2" (case-insensitive).</summary>
    static HashSet<string> DeclaredKeys(SqliteConnection connection, string table) =>
        new(SqliteForeignKeys.Read(connection, null, table).Select(k => Signature(k.ParentTable, k.Columns)), StringComparer.OrdinalIgnoreCase);

    static string Signature(string parent, IEnumerable<string> columns) => parent + "|" + string.Join(",", columns);

    /// <summary>Whether any key is left to SQLite, so a FOREIGN KEY failure of an insert can be explained by <see cref="Resolve"/>.</summary>
    public bool HasTargetEnforcedKeys => _plan.Immediate.Any(k => k.EnforcedByTarget);

    PreparedLookup Lookup(PlannedForeignKey key)
    {
        if (_lookups.TryGetValue(key, out var lookup)) return lookup;
        var fk = key.Definition;
        lookup = new PreparedLookup(_connection, "SELECT 1 FROM " + SqlQuote.Identifier(fk.ParentTable) + " WHERE "
            + string.Join(" AND ", fk.ParentColumns.Select((c, i) => SqlQuote.Identifier(c) + " = " + SqliteSql.Parameter(i))) + " LIMIT 1", fk.ParentColumns.Count);
        _lookups[key] = lookup;
        return lookup;
    }

    /// <summary>Whether the parent row exists; on the target connection, so inside its open transaction.</summary>
    bool ParentExists(PlannedForeignKey key, object?[] values) => Lookup(key).Exists(values, key.Ordinals);

    bool Check(Row row, object?[] values, bool enforcedByTarget, ref object?[]? copy, out OrphanRow? orphan, out RowError? error)
    {
        _checking = values;
        try
        {
            return _plan.Check(row, values, enforcedByTarget, _parentExists, ref copy, out orphan, out error);
        }
        finally
        {
            _checking = null;
        }
    }

    /// <summary>
    /// The values to insert for a row: the row's own, or a copy with deferred keys NULL (and,
    /// under <see cref="OrphanPolicy.Null"/>, orphan keys NULL); null when the row is not to be
    /// written (<paramref name="orphan"/> or <paramref name="error"/> says why).
    /// </summary>
    public object?[]? Prepare(Row row, out OrphanRow? orphan, out RowError? error)
    {
        var values = row.GetValues();
        object?[]? copy = null;
        if (!Check(row, values, enforcedByTarget: false, ref copy, out orphan, out error)) return null;
        return _plan.WithDeferredNull(copy ?? values);
    }

    /// <summary>
    /// After SQLite refused an insert with a FOREIGN KEY failure: finds which key the target
    /// enforces has no parent and applies the policy as <see cref="Prepare"/> does. Returns the
    /// values to insert again (under <see cref="OrphanPolicy.Null"/>), or null when the row is
    /// not to be written (<paramref name="orphan"/>/<paramref name="error"/> say why; both null:
    /// no orphan found, so the refusal stands as SQLite reported it).
    /// </summary>
    public object?[]? Resolve(Row row, object?[] sent, out OrphanRow? orphan, out RowError? error)
    {
        object?[]? copy = null;
        if (!Check(row, sent, enforcedByTarget: true, ref copy, out orphan, out error)) return null;
        return copy;
    }

    /// <summary>Remembers a written row's deferred key values, to fill in at the end (in the journal, inside the row's batch transaction, when the run is journaled).</summary>
    public void Written(Row row, SqliteTransaction transaction)
    {
        // Called for every row written: the closures of Remember are allocated on its entry, so only for tables with deferred keys.
        if (_plan.Deferred.Count > 0) Remember(row, transaction);
    }

    void Remember(Row row, SqliteTransaction transaction)
    {
        var values = row.GetValues();
        if (_plan.Deferred.All(k => k.Ordinals.All(o => values[o] is null))) return;
        // Only the key and the deferred values are kept (not the whole row) for the end of the load.
        var kept = new object?[values.Length];
        foreach (var k in _plan.Deferred)
            foreach (var o in k.Ordinals) kept[o] = values[o];
        object?[] key = [.. _keyOrdinals.Select(o => values[o])];
        if (_runId is not { } runId)
        {
            _pending.Add((0, key, row.DescribeKey(), kept));
            return;
        }
        if (_record is null)
        {
            _record = _connection.CreateCommand();
            _record.CommandText = "INSERT INTO " + PendingKeys + " (run_id, table_name, row_key, key_image, values_image) VALUES ($run, $table, $row, $key, $values)";
            _record.Parameters.AddWithValue("$run", runId);
            _record.Parameters.AddWithValue("$table", _journalTable);
            _record.Parameters.Add("$row", SqliteType.Text);
            _record.Parameters.Add("$key", SqliteType.Blob);
            _record.Parameters.Add("$values", SqliteType.Blob);
        }
        _record.Transaction = transaction;
        _record.Parameters["$row"].Value = row.DescribeKey();
        _record.Parameters["$key"].Value = RowImage.Encode(key);
        _record.Parameters["$values"].Value = RowImage.Encode(kept);
        _record.ExecuteNonQuery();
    }

    /// <summary>The deferred values to fill in: this attempt's and, journaled, every earlier attempt's of the same run.</summary>
    List<(long Id, object?[] Key, string Describe, object?[] Values)> Pending()
    {
        if (_runId is not { } runId) return _pending;
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = "SELECT id, row_key, key_image, values_image FROM " + PendingKeys + " WHERE run_id = $run AND table_name = $table ORDER BY id";
        cmd.Parameters.AddWithValue("$run", runId);
        cmd.Parameters.AddWithValue("$table", _journalTable);
        using var reader = cmd.ExecuteReader();
        var pending = new List<(long, object?[], string, object?[])>();
        while (reader.Read())
            pending.Add((reader.GetInt64(0), RowImage.Decode((byte[])reader.GetValue(2)), reader.GetString(1), RowImage.Decode((byte[])reader.GetValue(3))));
        return pending;
    }

    /// <summary>
    /// Fills in the deferred keys (insert-then-update) in transactions of <paramref name="batchSize"/>
    /// rows. An orphan found now was written with NULL there: Null keeps it so, Skip deletes the
    /// row, Fail reports it as a row error (the row stays, with NULL, and the error says so).
    /// Returns (rows deleted, orphans).
    /// </summary>
    public (int Deleted, int Orphans) ApplyDeferred(SqliteTableInfo table, TableSchema schema, int batchSize, Action<OrphanRow> orphanFound, Action<RowError> rowFailed)
    {
        var pending = Pending();
        if (pending.Count == 0) return (0, 0);
        var where = string.Join(" AND ", _keyOrdinals.Select((o, i) => SqlQuote.Identifier(schema.Columns[o].Name) + " = " + SqliteSql.Parameter(i)));
        // Journaled under Skip: a row deleted here leaves the run's checksum of the table too, or undo could not prove the table the run's.
        using var checksum = _runId is { } journaled && _plan.Policy == OrphanPolicy.Skip ? DeletedRowChecksum.For(_connection, journaled, _journalTable!, where) : null;
        int deleted = 0, orphans = 0;
        for (var start = 0; start < pending.Count; start += batchSize)
        {
            using var transaction = _connection.BeginTransaction();
            var page = pending.Skip(start).Take(batchSize).ToList();
            var deletedBefore = deleted;
            foreach (var (_, keyValues, describe, values) in page)
            {
                var set = new List<int>();
                var skip = false;
                foreach (var key in _plan.Deferred)
                {
                    if (!key.HasValue(values)) continue;
                    if (ParentExists(key, values)) { set.AddRange(key.Ordinals); continue; }
                    orphans++;
                    var (orphan, error) = _plan.DeferredOrphan(describe, key, key.Describe(values));
                    orphanFound(orphan);
                    if (_plan.Policy == OrphanPolicy.Skip) skip = true;
                    else if (error is not null) rowFailed(error);
                }
                using var cmd = _connection.CreateCommand();
                cmd.Transaction = transaction;
                for (var i = 0; i < keyValues.Length; i++) cmd.Parameters.AddWithValue(SqliteSql.Parameter(i), keyValues[i] ?? DBNull.Value);
                if (skip)
                {
                    checksum?.Removing(transaction, keyValues, _plan.Deferred.SelectMany(k => k.Ordinals).Select(o => (schema.Columns[o].Name, values[o])));
                    cmd.CommandText = "DELETE FROM " + SqlQuote.Identifier(table.Name) + " WHERE " + where;
                    deleted += cmd.ExecuteNonQuery();
                    continue;
                }
                if (set.Count == 0) continue;
                cmd.CommandText = "UPDATE " + SqlQuote.Identifier(table.Name) + " SET "
                    + string.Join(", ", set.Select(o => SqlQuote.Identifier(schema.Columns[o].Name) + " = " + SqliteSql.Parameter(o))) + " WHERE " + where;
                foreach (var o in set) cmd.Parameters.AddWithValue(SqliteSql.Parameter(o), values[o] ?? DBNull.Value);
                try { cmd.ExecuteNonQuery(); }
                catch (SqliteException ex) when (ex.SqliteErrorCode == 19) // SQLITE_CONSTRAINT: this row only
                {
                    rowFailed(new RowError(table.Name, describe, string.Join(", ", set.Select(o => schema.Columns[o].Name)),
                        $"filling in the deferred foreign key failed: {ex.Message}", string.Join(", ", set.Select(o => ValueExcerpt.Of(values[o])))));
                }
            }
            if (_runId is { } runId)
            {
                // Filled in and forgotten together: a fix-up is applied exactly once.
                using var done = _connection.CreateCommand();
                done.Transaction = transaction;
                done.CommandText = "DELETE FROM " + PendingKeys + " WHERE run_id = $run AND table_name = $table AND id <= $last";
                done.Parameters.AddWithValue("$run", runId);
                done.Parameters.AddWithValue("$table", _journalTable);
                done.Parameters.AddWithValue("$last", page[^1].Id);
                done.ExecuteNonQuery();
                // The rows deleted here were counted written with their batch: the journal's figures follow the table.
                if (deleted > deletedBefore)
                {
                    var statements = new SqliteBatchStatements(_connection, transaction);
                    JournalStore.RowsDeletedAfterWrite(statements, runId, _journalTable!, deleted - deletedBefore);
                    checksum?.Save(statements);
                }
            }
            transaction.Commit();
        }
        _pending.Clear();
        return (deleted, orphans);
    }

    public void Dispose()
    {
        foreach (var lookup in _lookups.Values) lookup.Dispose();
        _lookups.Clear();
        _record?.Dispose();
        _record = null;
    }
}

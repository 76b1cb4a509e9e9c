using Microsoft.Data.Sqlite;
using Migration.Engine.Schema;

namespace Migration.Engine.Target.Sqlite;

/// <summary>
/// The foreign keys of one table loaded from a full definition into the local file, as
/// <see cref="ForeignKeyPlan"/> decides (immediate, insert-then-update, or checked at the end of
/// each batch): an immediate key is looked up per row with one indexed, prepared lookup (before
/// the insert when the file does not declare the key, after SQLite refused it when it does); the
/// deferred keys are filled in at the end (<see cref="ApplyDeferred"/>).
/// </summary>
internal sealed class ForeignKeyGuard : IDisposable
{
    readonly SqliteConnection _connection;
    readonly ForeignKeyPlan _plan;
    readonly Dictionary<PlannedForeignKey, SqliteCommand> _lookups = new(ReferenceEqualityComparer.Instance);
    readonly int[] _keyOrdinals;
    readonly List<(object?[] Key, string Describe, object?[] Values)> _pending = [];

    ForeignKeyGuard(SqliteConnection connection, ForeignKeyPlan plan, int[] keyOrdinals)
    {
        _connection = connection;
        _plan = plan;
        _keyOrdinals = keyOrdinals;
    }

    /// <summary>Parent tables whose buffered rows must be written before a batch of this table.</summary>
    public IReadOnlyList<string> ImmediateParents => _plan.ImmediateParents;

    /// <summary>Whether each batch runs with <c>PRAGMA defer_foreign_keys = ON</c>.</summary>
    public bool DeferInBatch => _plan.DeferInBatch;

    public bool HasDeferred => _plan.Deferred.Count > 0;

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

    SqliteCommand Lookup(PlannedForeignKey key)
    {
        if (_lookups.TryGetValue(key, out var cmd)) return cmd;
        var fk = key.Definition;
        cmd = _connection.CreateCommand();
        cmd.CommandText = "SELECT 1 FROM " + SqlQuote.Identifier(fk.ParentTable) + " WHERE "
            + string.Join(" AND ", fk.ParentColumns.Select((c, i) => SqlQuote.Identifier(c) + " = " + SqliteSql.Parameter(i))) + " LIMIT 1";
        for (var i = 0; i < fk.ParentColumns.Count; i++) cmd.Parameters.Add(new SqliteParameter(SqliteSql.Parameter(i), DBNull.Value));
        cmd.Prepare();
        _lookups[key] = cmd;
        return cmd;
    }

    bool ParentExists(PlannedForeignKey key, object?[] values, SqliteTransaction? transaction)
    {
        var lookup = Lookup(key);
        lookup.Transaction = transaction;
        for (var i = 0; i < key.Ordinals.Length; i++) lookup.Parameters[i].Value = values[key.Ordinals[i]]!;
        return lookup.ExecuteScalar() is not null;
    }

    /// <summary>
    /// The values to insert for a row: the row's own, or a copy with deferred keys NULL (and,
    /// under <see cref="OrphanPolicy.Null"/>, orphan keys NULL); null when the row is not to be
    /// written (<paramref name="orphan"/> or <paramref name="error"/> says why).
    /// </summary>
    public object?[]? Prepare(Row row, SqliteTransaction transaction, out OrphanRow? orphan, out RowError? error)
    {
        var values = row.GetValues();
        object?[]? copy = null;
        if (!_plan.Check(row, values, enforcedByTarget: false, k => ParentExists(k, values, transaction), ref copy, out orphan, out error)) return null;
        return _plan.WithDeferredNull(copy ?? values);
    }

    /// <summary>
    /// After SQLite refused an insert with a FOREIGN KEY failure: finds which key the target
    /// enforces has no parent and applies the policy as <see cref="Prepare"/> does. Returns the
    /// values to insert again (under <see cref="OrphanPolicy.Null"/>), or null when the row is
    /// not to be written (<paramref name="orphan"/>/<paramref name="error"/> say why; both null:
    /// no orphan found, so the refusal stands as SQLite reported it).
    /// </summary>
    public object?[]? Resolve(Row row, object?[] sent, SqliteTransaction transaction, out OrphanRow? orphan, out RowError? error)
    {
        object?[]? copy = null;
        if (!_plan.Check(row, sent, enforcedByTarget: true, k => ParentExists(k, sent, transaction), ref copy, out orphan, out error)) return null;
        return copy;
    }

    /// <summary>Remembers a written row's deferred key values, to fill in at the end.</summary>
    public void Written(Row row)
    {
        if (_plan.Deferred.Count == 0) return;
        var values = row.GetValues();
        if (_plan.Deferred.All(k => k.Ordinals.All(o => values[o] is null))) return;
        // Only the key and the deferred values are kept (not the whole row) for the end of the load.
        var kept = new object?[values.Length];
        foreach (var k in _plan.Deferred)
            foreach (var o in k.Ordinals) kept[o] = values[o];
        _pending.Add(([.. _keyOrdinals.Select(o => values[o])], row.DescribeKey(), kept));
    }

    /// <summary>
    /// Fills in the deferred keys (insert-then-update) in transactions of <paramref name="batchSize"/>
    /// rows. An orphan found now was written with NULL there: Null keeps it so, Skip deletes the
    /// row, Fail reports it as a row error (the row stays, with NULL, and the error says so).
    /// Returns (rows deleted, orphans).
    /// </summary>
    public (int Deleted, int Orphans) ApplyDeferred(SqliteTableInfo table, TableSchema schema, int batchSize, Action<OrphanRow> orphanFound, Action<RowError> rowFailed)
    {
        if (_pending.Count == 0) return (0, 0);
        var where = string.Join(" AND ", _keyOrdinals.Select((o, i) => SqlQuote.Identifier(schema.Columns[o].Name) + " = $k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        int deleted = 0, orphans = 0;
        for (var start = 0; start < _pending.Count; start += batchSize)
        {
            using var transaction = _connection.BeginTransaction();
            foreach (var (keyValues, describe, values) in _pending.Skip(start).Take(batchSize))
            {
                var set = new List<int>();
                var skip = false;
                foreach (var key in _plan.Deferred)
                {
                    if (!key.HasValue(values)) continue;
                    if (ParentExists(key, values, transaction)) { set.AddRange(key.Ordinals); continue; }
                    orphans++;
                    var (orphan, error) = _plan.DeferredOrphan(describe, key, key.Describe(values));
                    orphanFound(orphan);
                    if (_plan.Policy == OrphanPolicy.Skip) skip = true;
                    else if (error is not null) rowFailed(error);
                }
                using var cmd = _connection.CreateCommand();
                cmd.Transaction = transaction;
                for (var i = 0; i < keyValues.Length; i++) cmd.Parameters.AddWithValue("$k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), keyValues[i] ?? DBNull.Value);
                if (skip)
                {
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
            transaction.Commit();
        }
        _pending.Clear();
        return (deleted, orphans);
    }

    public void Dispose()
    {
        foreach (var lookup in _lookups.Values) lookup.Dispose();
        _lookups.Clear();
    }
}

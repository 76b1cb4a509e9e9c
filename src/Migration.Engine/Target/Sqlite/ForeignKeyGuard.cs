using Microsoft.Data.Sqlite;
using Migration.Engine.Schema;

namespace Migration.Engine.Target.Sqlite;

/// <summary>
/// The foreign keys of one table loaded from a full definition. D1 enforces foreign keys and
/// cannot turn them off, so the load works within that:
/// <list type="bullet">
/// <item>A key whose parent is already loaded is checked per row before the insert (one
/// indexed lookup), so an orphan is found, named and handled by <see cref="OrphanPolicy"/>
/// instead of failing as an anonymous "FOREIGN KEY constraint failed".</item>
/// <item>A key whose parent is this table or a table not loaded yet (a cycle) is loaded
/// <em>insert-then-update</em>: NULL first, the real values written once every table is in
/// (<see cref="ApplyDeferred"/>), each checked the same way. That needs nullable columns and a
/// primary key to find the row again.</item>
/// <item>A self-reference that cannot start NULL is checked at the end of each batch instead
/// (<c>PRAGMA defer_foreign_keys = ON</c> in the batch's transaction, as D1 allows inside one
/// batch): rows may name rows of the same or an earlier batch.</item>
/// </list>
/// </summary>
internal sealed class ForeignKeyGuard : IDisposable
{
    sealed class Key(ForeignKeyDefinition definition, int[] ordinals, bool nullable)
    {
        public ForeignKeyDefinition Definition { get; } = definition;
        public int[] Ordinals { get; } = ordinals;
        public SqliteCommand? Lookup { get; set; }
        public bool Nullable { get; } = nullable;
        /// <summary>
        /// The target table declares this key itself, so SQLite checks every insert against it
        /// already (natively, at no extra cost): the guard looks the parent up only after such
        /// an insert failed, to name the orphan and apply the policy. A key the target does not
        /// declare is looked up before each insert.
        /// </summary>
        public bool EnforcedByTarget { get; init; }

        /// <summary>The parent table was refused (not created): every value here is an orphan, with nothing to look up.</summary>
        public bool ParentRefused { get; init; }
    }

    readonly SqliteConnection _connection;
    readonly string _table;
    readonly OrphanPolicy _policy;
    readonly List<Key> _immediate = [];
    readonly List<Key> _deferred = [];
    readonly int[] _keyOrdinals;
    readonly List<(object?[] Key, string Describe, object?[] Values)> _pending = [];

    ForeignKeyGuard(SqliteConnection connection, string table, OrphanPolicy policy, int[] keyOrdinals)
    {
        _connection = connection;
        _table = table;
        _policy = policy;
        _keyOrdinals = keyOrdinals;
    }

    /// <summary>Parent tables whose buffered rows must be written before a batch of this table.</summary>
    public IReadOnlyList<string> ImmediateParents => [.. _immediate.Select(k => k.Definition.ParentTable).Distinct(StringComparer.OrdinalIgnoreCase)];

    /// <summary>Whether each batch runs with <c>PRAGMA defer_foreign_keys = ON</c>.</summary>
    public bool DeferInBatch { get; private set; }

    public bool HasDeferred => _deferred.Count > 0;

    /// <summary>
    /// The guard for a table, or null when it has no foreign keys. <paramref name="loadedBefore"/>
    /// says whether a parent's rows are in before this table's (an earlier table of the set, or a
    /// table already in the file); <paramref name="loadedAfter"/> whether it is a later table of
    /// the set (created already, rows to come); <paramref name="log"/> gets how each cyclic key loads.
    /// </summary>
    /// <param name="refused">Whether a parent table was refused up front: each row with a value in such a key is an orphan.</param>
    public static ForeignKeyGuard? For(SqliteConnection? connection, TableSchema schema, string table, OrphanPolicy policy,
        Func<string, bool> loadedBefore, Func<string, bool> loadedAfter, Action<string> log, Func<string, bool>? refused = null)
    {
        var definition = schema.Definition;
        if (definition is null || definition.ForeignKeys.Count == 0) return null;
        // Without a connection only the decisions are made (and refusals thrown): a check before anything is created.
        var guard = new ForeignKeyGuard(connection!, table, policy, [.. schema.PrimaryKey]);
        var declared = connection is null ? [] : DeclaredKeys(connection, table);
        foreach (var fk in definition.ForeignKeys)
        {
            var ordinals = fk.Columns.Select(schema.IndexOf).ToArray();
            if (ordinals.Any(o => o < 0)) continue;
            var nullable = ordinals.All(o => schema.Columns[o].IsNullable);
            var self = string.Equals(fk.ParentTable, table, StringComparison.OrdinalIgnoreCase);
            if (!self && refused is not null && refused(fk.ParentTable))
            {
                guard._immediate.Add(new Key(fk, ordinals, nullable) { ParentRefused = true });
                log($"{table}: foreign key {fk.Name} -> {fk.ParentTable}: that table is refused, so each row with a value there has no parent row (-OrphanPolicy {policy}).");
                continue;
            }
            var key = new Key(fk, ordinals, nullable) { EnforcedByTarget = declared.Contains(Signature(fk.ParentTable, fk.Columns)) };
            if (!self && loadedBefore(fk.ParentTable))
            {
                if (connection is not null && !key.EnforcedByTarget) key.Lookup = guard.Prepare(fk);
                guard._immediate.Add(key);
            }
            else if (!self && !loadedAfter(fk.ParentTable))
            {
                // The parent table is not there at all: the target does not create this key (and says so).
                continue;
            }
            else if (nullable && schema.HasPrimaryKey)
            {
                guard._deferred.Add(key);
                log($"{table}: foreign key {fk.Name} -> {fk.ParentTable} {(self ? "refers to its own table" : "refers to a table loaded later (a cycle)")}: " +
                    "its columns are inserted NULL and filled in by UPDATE once every table is loaded (insert-then-update).");
            }
            else if (self)
            {
                guard.DeferInBatch = true;
                log($"{table}: foreign key {fk.Name} refers to its own table and {(nullable ? "the table has no primary key" : "is NOT NULL")}: " +
                    "it is checked at the end of each batch (PRAGMA defer_foreign_keys = ON), so a row may name a row of the same or an earlier batch.");
            }
            else
            {
                guard.Dispose();
                throw new TargetSchemaException(table,
                    $"foreign key {fk.Name} refers to {fk.ParentTable}, which is not loaded yet, and {(nullable ? "the table has no primary key to fill the key in later" : "its columns are NOT NULL, so it cannot be loaded NULL first")}; load {fk.ParentTable} first.");
            }
        }
        return guard;
    }

    /// <summary>The foreign keys the target table declares, as "parent|col1,col2" (case-insensitive).</summary>
    static HashSet<string> DeclaredKeys(SqliteConnection connection, string table) =>
        new(SqliteForeignKeys.Read(connection, null, table).Select(k => Signature(k.ParentTable, k.Columns)), StringComparer.OrdinalIgnoreCase);

    static string Signature(string parent, IEnumerable<string> columns) => parent + "|" + string.Join(",", columns);

    /// <summary>Whether any key is left to SQLite, so a FOREIGN KEY failure of an insert can be explained by <see cref="Resolve"/>.</summary>
    public bool HasTargetEnforcedKeys => _immediate.Any(k => k.EnforcedByTarget);

    SqliteCommand Prepare(ForeignKeyDefinition fk)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = "SELECT 1 FROM " + SqlQuote.Identifier(fk.ParentTable) + " WHERE "
            + string.Join(" AND ", fk.ParentColumns.Select((c, i) => SqlQuote.Identifier(c) + " = " + SqliteSql.Parameter(i))) + " LIMIT 1";
        for (var i = 0; i < fk.ParentColumns.Count; i++) cmd.Parameters.Add(new SqliteParameter(SqliteSql.Parameter(i), DBNull.Value));
        cmd.Prepare();
        return cmd;
    }

    bool ParentExists(SqliteCommand lookup, object?[] values, int[] ordinals, SqliteTransaction? transaction)
    {
        lookup.Transaction = transaction;
        for (var i = 0; i < ordinals.Length; i++) lookup.Parameters[i].Value = values[ordinals[i]]!;
        return lookup.ExecuteScalar() is not null;
    }

    /// <summary>
    /// The values to insert for a row: the row's own, or a copy with deferred keys NULL (and,
    /// under <see cref="OrphanPolicy.Null"/>, orphan keys NULL); null when the row is not to be
    /// written (<paramref name="orphan"/> or <paramref name="error"/> says why).
    /// </summary>
    public object?[]? Prepare(Row row, SqliteTransaction transaction, out OrphanRow? orphan, out RowError? error)
    {
        orphan = null;
        error = null;
        var values = row.GetValues();
        object?[]? copy = null;
        if (!CheckKeys(row, values, enforcedByTarget: false, transaction, ref copy, out orphan, out error)) return null;
        if (_deferred.Count == 0) return copy ?? values;
        copy ??= (object?[])values.Clone();
        foreach (var key in _deferred)
            foreach (var o in key.Ordinals) copy[o] = null;
        return copy;
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
        if (!CheckKeys(row, sent, enforcedByTarget: true, transaction, ref copy, out orphan, out error)) return null;
        return copy;
    }

    bool CheckKeys(Row row, object?[] values, bool enforcedByTarget, SqliteTransaction transaction, ref object?[]? copy, out OrphanRow? orphan, out RowError? error)
    {
        orphan = null;
        error = null;
        foreach (var key in _immediate)
        {
            if (key.EnforcedByTarget != enforcedByTarget) continue;
            if (key.Ordinals.Any(o => values[o] is null)) continue; // MATCH SIMPLE: a NULL in the key is not checked
            if (!key.ParentRefused)
            {
                key.Lookup ??= Prepare(key.Definition);
                if (ParentExists(key.Lookup, values, key.Ordinals, transaction)) continue;
            }
            var value = string.Join(", ", key.Ordinals.Select(o => ValueExcerpt.Of(values[o])));
            switch (_policy)
            {
                case OrphanPolicy.Skip:
                    orphan = new OrphanRow(_table, row.DescribeKey(), key.Definition.Name, key.Definition.ParentTable, value, "Skipped");
                    return false;
                case OrphanPolicy.Null when key.Nullable:
                    copy ??= (object?[])values.Clone();
                    foreach (var o in key.Ordinals) copy[o] = null;
                    orphan = new OrphanRow(_table, row.DescribeKey(), key.Definition.Name, key.Definition.ParentTable, value, "SetNull");
                    break;
                default:
                    orphan = new OrphanRow(_table, row.DescribeKey(), key.Definition.Name, key.Definition.ParentTable, value, "Refused");
                    error = new RowError(_table, row.DescribeKey(), string.Join(", ", key.Definition.Columns),
                        $"FOREIGN KEY constraint {key.Definition.Name}: no row of {key.Definition.ParentTable} has ({string.Join(", ", key.Definition.ParentColumns)}) = ({value})"
                        + (key.ParentRefused ? $" (the table {key.Definition.ParentTable} is refused, so it has no rows)" : "")
                        + (_policy == OrphanPolicy.Null ? " and the columns are NOT NULL, so -OrphanPolicy Null cannot apply" : ""), value);
                    return false;
            }
        }
        return true;
    }

    /// <summary>Remembers a written row's deferred key values, to fill in at the end.</summary>
    public void Written(Row row)
    {
        if (_deferred.Count == 0) return;
        var values = row.GetValues();
        if (_deferred.All(k => k.Ordinals.All(o => values[o] is null))) return;
        // Only the key and the deferred values are kept (not the whole row) for the end of the load.
        var kept = new object?[values.Length];
        foreach (var k in _deferred)
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
        foreach (var key in _deferred) key.Lookup ??= Prepare(key.Definition);
        var where = string.Join(" AND ", _keyOrdinals.Select((o, i) => SqlQuote.Identifier(schema.Columns[o].Name) + " = $k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        int deleted = 0, orphans = 0;
        for (var start = 0; start < _pending.Count; start += batchSize)
        {
            using var transaction = _connection.BeginTransaction();
            foreach (var (keyValues, describe, values) in _pending.Skip(start).Take(batchSize))
            {
                var set = new List<int>();
                var skip = false;
                foreach (var key in _deferred)
                {
                    if (key.Ordinals.Any(o => values[o] is null)) continue;
                    if (ParentExists(key.Lookup!, values, key.Ordinals, transaction)) { set.AddRange(key.Ordinals); continue; }
                    orphans++;
                    var value = string.Join(", ", key.Ordinals.Select(o => ValueExcerpt.Of(values[o])));
                    var action = _policy switch { OrphanPolicy.Skip => "Skipped", OrphanPolicy.Null => "SetNull", _ => "Refused" };
                    orphanFound(new OrphanRow(table.Name, describe, key.Definition.Name, key.Definition.ParentTable, value, action));
                    if (_policy == OrphanPolicy.Skip) skip = true;
                    else if (_policy == OrphanPolicy.Fail)
                        rowFailed(new RowError(table.Name, describe, string.Join(", ", key.Definition.Columns),
                            $"FOREIGN KEY constraint {key.Definition.Name}: no row of {key.Definition.ParentTable} has ({string.Join(", ", key.Definition.ParentColumns)}) = ({value}); the row was loaded with NULL there (insert-then-update) and keeps it", value));
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
        foreach (var k in _immediate.Concat(_deferred)) k.Lookup?.Dispose();
    }
}

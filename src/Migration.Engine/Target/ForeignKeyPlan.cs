using Migration.Engine.Schema;

namespace Migration.Engine.Target;

/// <summary>One foreign key of a table loaded from a full definition, as <see cref="ForeignKeyPlan"/> decided to load it.</summary>
/// <param name="Ordinals">The key's columns in the row.</param>
/// <param name="Nullable">Every column of the key is nullable.</param>
/// <param name="EnforcedByTarget">The target table declares this key itself, so the database checks
/// every insert against it already: the parent is looked up only after a refusal, to name the orphan
/// and apply the policy. A key the target does not declare is looked up before each insert.</param>
/// <param name="ParentRefused">The parent table was refused (not created): every value here is an orphan, with nothing to look up.</param>
internal sealed record PlannedForeignKey(ForeignKeyDefinition Definition, int[] Ordinals, bool Nullable, bool EnforcedByTarget, bool ParentRefused)
{
    /// <summary>The key's values in a row, as errors show them.</summary>
    public string Describe(object?[] values) => string.Join(", ", Ordinals.Select(o => ValueExcerpt.Of(values[o])));

    /// <summary>Whether a row's key names a parent at all (MATCH SIMPLE: a NULL in the key is not checked).</summary>
    public bool HasValue(object?[] values)
    {
        // A loop, not Ordinals.All(lambda): asked for every row, and the lambda captured the row.
        foreach (var o in Ordinals)
            if (values[o] is null) return false;
        return true;
    }
}

/// <summary>
/// How the foreign keys of one table loaded from a full definition are loaded into D1, which
/// enforces them and cannot turn them off; the same decisions for the local file
/// (<c>Sqlite/ForeignKeyGuard</c>) and a remote D1 (<c>RemoteD1/RemoteForeignKeys</c>):
/// <list type="bullet">
/// <item>A key whose parent is already loaded is <see cref="Immediate"/>: an orphan is found, named
/// and handled by <see cref="OrphanPolicy"/> instead of failing as an anonymous "FOREIGN KEY constraint failed".</item>
/// <item>A key whose parent is this table or a table loaded later (a cycle) is <see cref="Deferred"/>,
/// loaded <em>insert-then-update</em>: NULL first, the real values written once every table is in,
/// each checked the same way. That needs nullable columns and a primary key to find the row again.</item>
/// <item>A self-reference that cannot start NULL is checked at the end of each batch instead
/// (<see cref="DeferInBatch"/>: <c>PRAGMA defer_foreign_keys = ON</c> in the batch's transaction,
/// as D1 allows inside one batch): rows may name rows of the same or an earlier batch.</item>
/// </list>
/// The orphan decisions (<see cref="Check"/>, <see cref="DeferredOrphan"/>) are here too, so both
/// targets name and treat an orphan alike.
/// </summary>
internal sealed class ForeignKeyPlan
{
    ForeignKeyPlan(string table, OrphanPolicy policy)
    {
        Table = table;
        Policy = policy;
    }

    public string Table { get; }
    public OrphanPolicy Policy { get; }
    public List<PlannedForeignKey> Immediate { get; } = [];
    public List<PlannedForeignKey> Deferred { get; } = [];

    /// <summary>Whether each batch runs with <c>PRAGMA defer_foreign_keys = ON</c>.</summary>
    public bool DeferInBatch { get; private set; }

    /// <summary>Parent tables whose buffered rows must be written before a batch of this table.</summary>
    public IReadOnlyList<string> ImmediateParents => [.. Immediate.Select(k => k.Definition.ParentTable).Distinct(StringComparer.OrdinalIgnoreCase)];

    /// <summary>
    /// The plan for a table, or null when it has no foreign keys. <paramref name="loadedBefore"/>
    /// says whether a parent's rows are in before this table's (an earlier table of the set, or a
    /// table already in the database); <paramref name="loadedAfter"/> whether it is a later table of
    /// the set (created already, rows to come); <paramref name="declared"/> whether the target table
    /// declares a key (parent, columns) itself; <paramref name="log"/> gets how each cyclic key loads.
    /// </summary>
    /// <param name="refused">Whether a parent table was refused up front: each row with a value in such a key is an orphan.</param>
    /// <exception cref="TargetSchemaException">A key that cannot be loaded (a later parent, NOT NULL or no primary key).</exception>
    public static ForeignKeyPlan? For(TableSchema schema, string table, OrphanPolicy policy, Func<string, bool> loadedBefore, Func<string, bool> loadedAfter,
        Action<string> log, Func<string, bool>? refused = null, Func<string, IReadOnlyList<string>, bool>? declared = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var definition = schema.Definition;
        if (definition is null || definition.ForeignKeys.Count == 0) return null;
        var plan = new ForeignKeyPlan(table, policy);
        foreach (var fk in definition.ForeignKeys)
        {
            var ordinals = fk.Columns.Select(schema.IndexOf).ToArray();
            if (ordinals.Any(o => o < 0)) continue;
            var nullable = ordinals.All(o => schema.Columns[o].IsNullable);
            var self = string.Equals(fk.ParentTable, table, StringComparison.OrdinalIgnoreCase);
            if (!self && refused is not null && refused(fk.ParentTable))
            {
                plan.Immediate.Add(new PlannedForeignKey(fk, ordinals, nullable, EnforcedByTarget: false, ParentRefused: true));
                log($"{table}: foreign key {fk.Name} -> {fk.ParentTable}: that table is refused, so each row with a value there has no parent row (-OrphanPolicy {policy}).");
                continue;
            }
            var key = new PlannedForeignKey(fk, ordinals, nullable, declared?.Invoke(fk.ParentTable, fk.Columns) ?? false, ParentRefused: false);
            if (!self && loadedBefore(fk.ParentTable))
                plan.Immediate.Add(key);
            else if (!self && !loadedAfter(fk.ParentTable))
            {
                // The parent table is not there at all: the target does not create this key (and says so).
                continue;
            }
            else if (nullable && schema.HasPrimaryKey)
            {
                plan.Deferred.Add(key);
                log($"{table}: foreign key {fk.Name} -> {fk.ParentTable} {(self ? "refers to its own table" : "refers to a table loaded later (a cycle)")}: " +
                    "its columns are inserted NULL and filled in by UPDATE once every table is loaded (insert-then-update).");
            }
            else if (self)
            {
                plan.DeferInBatch = true;
                log($"{table}: foreign key {fk.Name} refers to its own table and {(nullable ? "the table has no primary key" : "is NOT NULL")}: " +
                    "it is checked at the end of each batch (PRAGMA defer_foreign_keys = ON), so a row may name a row of the same or an earlier batch.");
            }
            else
                throw new TargetSchemaException(table,
                    $"foreign key {fk.Name} refers to {fk.ParentTable}, which is not loaded yet, and {(nullable ? "the table has no primary key to fill the key in later" : "its columns are NOT NULL, so it cannot be loaded NULL first")}; load {fk.ParentTable} first.");
        }
        return plan;
    }

    /// <summary>
    /// Checks a row's immediate keys (those <paramref name="enforcedByTarget"/> or the others)
    /// with <paramref name="parentExists"/> and applies the policy to the first orphan: false
    /// when the row is not to be written (<paramref name="orphan"/>/<paramref name="error"/> say
    /// why); under <see cref="OrphanPolicy.Null"/> <paramref name="copy"/> gets the values to write.
    /// </summary>
    public bool Check(Row row, object?[] values, bool enforcedByTarget, Func<PlannedForeignKey, bool> parentExists, ref object?[]? copy, out OrphanRow? orphan, out RowError? error)
    {
        ArgumentNullException.ThrowIfNull(row);
        orphan = null;
        error = null;
        foreach (var key in Immediate)
        {
            if (key.EnforcedByTarget != enforcedByTarget || !key.HasValue(values)) continue;
            if (!key.ParentRefused && parentExists(key)) continue;
            var value = key.Describe(values);
            switch (Policy)
            {
                case OrphanPolicy.Skip:
                    orphan = new OrphanRow(Table, row.DescribeKey(), key.Definition.Name, key.Definition.ParentTable, value, "Skipped");
                    return false;
                case OrphanPolicy.Null when key.Nullable:
                    copy ??= (object?[])values.Clone();
                    foreach (var o in key.Ordinals) copy[o] = null;
                    orphan = new OrphanRow(Table, row.DescribeKey(), key.Definition.Name, key.Definition.ParentTable, value, "SetNull");
                    break;
                default:
                    orphan = new OrphanRow(Table, row.DescribeKey(), key.Definition.Name, key.Definition.ParentTable, value, "Refused");
                    error = new RowError(Table, row.DescribeKey(), string.Join(", ", key.Definition.Columns),
                        $"FOREIGN KEY constraint {key.Definition.Name}: no row of {key.Definition.ParentTable} has ({string.Join(", ", key.Definition.ParentColumns)}) = ({value})"
                        + (key.ParentRefused ? $" (the table {key.Definition.ParentTable} is refused, so it has no rows)" : "")
                        + (Policy == OrphanPolicy.Null ? " and the columns are NOT NULL, so -OrphanPolicy Null cannot apply" : ""), value);
                    return false;
            }
        }
        return true;
    }

    /// <summary>
    /// A deferred key found to have no parent when it is filled in (the row is in, with NULL
    /// there): Null keeps it so, Skip deletes the row, Fail reports it as a row error (the row
    /// stays, with NULL, and the error says so).
    /// </summary>
    public (OrphanRow Orphan, RowError? Error) DeferredOrphan(string rowKey, PlannedForeignKey key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        return DeferredOrphan(Policy, Table, rowKey, key.Definition.Name, key.Definition.ParentTable, key.Definition.Columns, key.Definition.ParentColumns, value);
    }

    /// <inheritdoc cref="DeferredOrphan(string, PlannedForeignKey, string)"/>
    public static (OrphanRow Orphan, RowError? Error) DeferredOrphan(OrphanPolicy policy, string table, string rowKey, string foreignKey, string parentTable,
        IReadOnlyList<string> columns, IReadOnlyList<string> parentColumns, string value)
    {
        var action = policy switch { OrphanPolicy.Skip => "Skipped", OrphanPolicy.Null => "SetNull", _ => "Refused" };
        var orphan = new OrphanRow(table, rowKey, foreignKey, parentTable, value, action);
        var error = policy != OrphanPolicy.Fail ? null
            : new RowError(table, rowKey, string.Join(", ", columns),
                $"FOREIGN KEY constraint {foreignKey}: no row of {parentTable} has ({string.Join(", ", parentColumns)}) = ({value}); the row was loaded with NULL there (insert-then-update) and keeps it", value);
        return (orphan, error);
    }

    /// <summary>The quarantine entry of an orphan left out by -OrphanPolicy Skip (not a refusal: counted skipped).</summary>
    public static RowError SkippedEntry(Row row, OrphanRow orphan)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(orphan);
        return new RowError(orphan.Table, row.DescribeKey(), orphan.ForeignKey,
            $"orphan skipped (-OrphanPolicy Skip): no row of {orphan.ParentTable} for {orphan.Value}", orphan.Value);
    }

    /// <summary>The values to insert at first: the deferred keys NULL (filled in later).</summary>
    public object?[] WithDeferredNull(object?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (Deferred.Count == 0) return values;
        var copy = (object?[])values.Clone();
        foreach (var key in Deferred)
            foreach (var o in key.Ordinals) copy[o] = null;
        return copy;
    }
}

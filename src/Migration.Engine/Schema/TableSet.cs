namespace Migration.Engine.Schema;

/// <summary>
/// The tables of one whole-database export, in load order (parents first), shared by the
/// definitions of all of them. A target that meets the first row of any of them can so create
/// every table up front: D1's limits are checked for all before anything is written, empty
/// tables are created too, and a foreign key may name a table whose rows come later (a cycle).
/// Filled once, when first read (the tables and the set refer to each other).
/// </summary>
public sealed class TableSet
{
    readonly Lazy<IReadOnlyList<TableSchema>> _tables;

    public TableSet(Func<IReadOnlyList<TableSchema>> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        _tables = new Lazy<IReadOnlyList<TableSchema>>(tables, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// True for a whole-database export (foreign-key load order: a target creates every table up
    /// front); false for the tables one call named, in the order given (a target takes them one
    /// by one as before, and the set only tells every cmdlet which tables the migration holds,
    /// e.g. to check the mapping's names before the first row).
    /// </summary>
    public bool IsLoadOrder { get; init; } = true;

    /// <summary>The tables in load order.</summary>
    public IReadOnlyList<TableSchema> Tables => _tables.Value;
}

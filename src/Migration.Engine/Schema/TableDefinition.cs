namespace Migration.Engine.Schema;

/// <summary>
/// A table's full definition as the catalog holds it: column details, keys, foreign keys, checks,
/// indexes, comments, plus the warnings about what could not be carried. Attached to a
/// <see cref="TableSchema"/> through <see cref="TableSchema.Definition"/>: on a source schema its
/// expressions are Postgres SQL and names the source's; on a D1 schema (mapped by the
/// converter) expressions are SQLite SQL, names the D1 ones, and what SQLite cannot express is
/// gone from the lists and named in <see cref="Warnings"/>.
/// </summary>
public sealed class TableDefinition
{
    public TableDefinition(
        IReadOnlyList<ColumnDefinition> columns,
        KeyDefinition? primaryKey = null,
        IReadOnlyList<KeyDefinition>? uniques = null,
        IReadOnlyList<ForeignKeyDefinition>? foreignKeys = null,
        IReadOnlyList<CheckDefinition>? checks = null,
        IReadOnlyList<IndexDefinition>? indexes = null,
        string? comment = null,
        IReadOnlyList<SchemaWarning>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Columns = [.. columns];
        PrimaryKey = primaryKey;
        Uniques = [.. uniques ?? []];
        ForeignKeys = [.. foreignKeys ?? []];
        Checks = [.. checks ?? []];
        Indexes = [.. indexes ?? []];
        Comment = comment;
        Warnings = [.. warnings ?? []];
    }

    /// <summary>One entry per column of the schema, by name.</summary>
    public IReadOnlyList<ColumnDefinition> Columns { get; }
    public KeyDefinition? PrimaryKey { get; }
    public IReadOnlyList<KeyDefinition> Uniques { get; }
    public IReadOnlyList<ForeignKeyDefinition> ForeignKeys { get; }
    public IReadOnlyList<CheckDefinition> Checks { get; }
    public IReadOnlyList<IndexDefinition> Indexes { get; }
    public string? Comment { get; }
    public IReadOnlyList<SchemaWarning> Warnings { get; }

    /// <summary>The whole-database export this table belongs to (load order), or null for a table described alone.</summary>
    public TableSet? Set { get; init; }

    /// <summary>The column's definition by exact name, or null.</summary>
    public ColumnDefinition? Column(string name)
    {
        foreach (var c in Columns)
            if (string.Equals(c.Name, name, StringComparison.Ordinal)) return c;
        return null;
    }

    /// <summary>The same definition with only these foreign keys and more warnings (used when tables drop out of a migration).</summary>
    public TableDefinition With(IReadOnlyList<ForeignKeyDefinition> foreignKeys, IEnumerable<SchemaWarning> moreWarnings) =>
        new(Columns, PrimaryKey, Uniques, foreignKeys, Checks, Indexes, Comment, [.. Warnings, .. moreWarnings]) { Set = Set };

    /// <summary>The same definition as a member of <paramref name="set"/>.</summary>
    public TableDefinition InSet(TableSet set) =>
        new(Columns, PrimaryKey, Uniques, ForeignKeys, Checks, Indexes, Comment, Warnings) { Set = set };
}

using System.Collections.ObjectModel;

namespace Migration.Engine.Schema;

/// <summary>
/// The shape of one table, shared by every <see cref="Row"/> of it: there are no per-row
/// dictionaries. Immutable once built.
/// </summary>
public sealed class TableSchema
{
    readonly Dictionary<string, int> _exact;
    readonly Dictionary<string, int> _ignoreCase;

    public TableSchema(
        SchemaKind kind,
        string? sourceSchema,
        string sourceTable,
        string name,
        IReadOnlyList<Column> columns,
        IReadOnlyList<int>? primaryKey = null,
        TableSchema? source = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceTable);
        ArgumentException.ThrowIfNullOrEmpty(name);
        Kind = kind;
        SourceSchema = sourceSchema;
        SourceTable = sourceTable;
        Name = name;
        Columns = new ReadOnlyCollection<Column>([.. columns]);
        PrimaryKey = new ReadOnlyCollection<int>([.. primaryKey ?? []]);
        Source = source;

        _exact = new Dictionary<string, int>(StringComparer.Ordinal);
        _ignoreCase = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Columns.Count; i++)
        {
            if (!_exact.TryAdd(Columns[i].Name, i))
                throw new ArgumentException($"Table {name}: column \"{Columns[i].Name}\" appears twice.", nameof(columns));
            // Postgres names are case-sensitive, PowerShell's are not: a case-insensitive
            // lookup is only offered where it is unambiguous (-1 marks a clash).
            _ignoreCase[Columns[i].Name] = _ignoreCase.ContainsKey(Columns[i].Name) ? -1 : i;
        }
        foreach (var k in PrimaryKey)
            if (k < 0 || k >= Columns.Count)
                throw new ArgumentOutOfRangeException(nameof(primaryKey), $"Table {name}: primary key ordinal {k} is out of range.");
    }

    public SchemaKind Kind { get; }

    /// <summary>The Postgres schema of the source table (null for plain-object input).</summary>
    public string? SourceSchema { get; }

    /// <summary>The source table's own name (unqualified).</summary>
    public string SourceTable { get; }

    /// <summary>The source table as people write it: <c>schema.table</c>, or just <c>table</c>.</summary>
    public string SourceDisplayName => SourceSchema is null ? SourceTable : $"{SourceSchema}.{SourceTable}";

    /// <summary>The table's name in this schema: the source name for Postgres rows, the target name for D1 rows.</summary>
    public string Name { get; }

    public IReadOnlyList<Column> Columns { get; }

    /// <summary>Ordinals of the primary key columns, in key order; empty when the table has none.</summary>
    public IReadOnlyList<int> PrimaryKey { get; }

    public bool HasPrimaryKey => PrimaryKey.Count > 0;

    /// <summary>
    /// For an existing table: the ordinals of each UNIQUE constraint other than the primary key
    /// (a natural key rows can be matched on when the primary key is a rowid SQLite assigns).
    /// </summary>
    public IReadOnlyList<IReadOnlyList<int>> UniqueKeys { get; init; } = [];

    /// <summary>For a D1 schema: the source schema it was converted from, if any.</summary>
    public TableSchema? Source { get; }

    /// <summary>
    /// The table's full definition (keys, foreign keys, checks, indexes, defaults), when known:
    /// the exporter attaches the catalog's, the converter the mapped D1 one, and the target then
    /// creates the table from it. Null for plain objects and hand-built schemas, which the target
    /// creates from the columns and primary key alone.
    /// </summary>
    public TableDefinition? Definition { get; init; }

    /// <summary>
    /// The source's estimate of the table's row count (Postgres: <c>pg_class.reltuples</c>), for
    /// progress and the load plan; null when unknown. A converted schema answers with its source's.
    /// </summary>
    public long? EstimatedRows
    {
        get => _estimatedRows ?? Source?.EstimatedRows;
        init => _estimatedRows = value;
    }

    readonly long? _estimatedRows;

    /// <summary>
    /// The tables a load that starts with a row of this table writes: the whole-database set it
    /// belongs to (created up front, in load order), else this table alone. A target's preflight
    /// checks them all before the first row.
    /// </summary>
    public IReadOnlyList<string> TablesLoadedWith() =>
        Definition?.Set is { IsLoadOrder: true } set ? [.. set.Tables.Select(t => t.Name)] : [Name];

    /// <summary>The same table with another definition (keys, foreign keys...); everything else is kept.</summary>
    public TableSchema WithDefinition(TableDefinition? definition) =>
        new(Kind, SourceSchema, SourceTable, Name, Columns, PrimaryKey, Source) { Definition = definition, EstimatedRows = _estimatedRows };

    /// <summary>The ordinal of a column: exact name first, then a unique case-insensitive match; -1 if none.</summary>
    public int IndexOf(string columnName)
    {
        if (_exact.TryGetValue(columnName, out var i)) return i;
        return _ignoreCase.TryGetValue(columnName, out i) ? i : -1;
    }

    public override string ToString() => $"{Name} ({Columns.Count} columns)";
}

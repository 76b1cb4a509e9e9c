using Migration.Engine.Convert.D1ToPg;

namespace Migration.Engine.Convert;

/// <summary>
/// The mapping policy of the D1 -> PostgreSQL direction. Map keys name a D1 table as
/// <c>table</c> and a column as <c>table.column</c> or a bare <c>column</c> (every table);
/// exact matches first, then case-insensitive ones when unambiguous. Target names are matched
/// to the existing Postgres tables and columns (exactly, else case-insensitively when unambiguous).
/// </summary>
public sealed class PgConversionOptions
{
    /// <summary>D1 table -> Postgres table. Two D1 tables mapped to one Postgres table merge into it (joined on its primary key).</summary>
    public IReadOnlyDictionary<string, string> TableMap { get; init; } = new Dictionary<string, string>();

    /// <summary><c>table.column</c> or <c>column</c> -> Postgres column name (wins over <see cref="ColumnNaming"/>).</summary>
    public IReadOnlyDictionary<string, string> ColumnMap { get; init; } = new Dictionary<string, string>();

    /// <summary><c>table.column</c> or <c>column</c> to leave out.</summary>
    public IReadOnlyCollection<string> Exclude { get; init; } = [];

    /// <summary>Computed columns: <see cref="ComputedColumn.Table"/> is the D1 table, <see cref="ComputedColumn.Name"/> the Postgres column; the function sees the D1 row. A computed column replaces a D1 column that maps to the same name.</summary>
    public IReadOnlyList<ComputedColumn> Computed { get; init; } = [];

    public ColumnNaming ColumnNaming { get; init; } = ColumnNaming.AsIs;

    public D1ToPgSettings Settings { get; init; } = D1ToPgSettings.Default;

    public static PgConversionOptions Default { get; } = new();
}

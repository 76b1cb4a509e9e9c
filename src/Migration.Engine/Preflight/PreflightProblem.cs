namespace Migration.Engine.Preflight;

/// <summary>What kind of thing D1 (or the mapping) cannot take about a table.</summary>
public enum PreflightProblemKind
{
    /// <summary>The mapping options cannot apply to the table (two columns mapped to one name, every column excluded...).</summary>
    Mapping,
    /// <summary>A column's Postgres type has no D1 mapping.</summary>
    UnmappedType,
    /// <summary>More columns than D1 allows per table.</summary>
    TooManyColumns,
    /// <summary>A table name D1 or SQLite reserves (<c>_cf_*</c>, <c>sqlite_*</c>).</summary>
    ReservedName,
    /// <summary>Two source tables would become one D1 table.</summary>
    NameCollision,
    /// <summary>The declared columns alone make every row larger than D1's row limit.</summary>
    RowSize,
    /// <summary>A foreign key to a table loaded later that cannot be loaded NULL first.</summary>
    ForeignKeyUnloadable,
    /// <summary>Not a refusal: the table's foreign key names a refused table, so its rows follow the orphan policy.</summary>
    ParentRefused,
    /// <summary>The D1 table already there cannot take the rows (a column missing, an upsert key it has no constraint on): found at the table's first row.</summary>
    ExistingTable,
}

/// <summary>
/// One thing known before the first write that stops a table from loading, with the parameter
/// that would fix it. <paramref name="Table"/> is the source table as people write it
/// (<c>schema.table</c>, or the plain table name), <paramref name="D1Table"/> the D1 name when
/// the mapping got that far.
/// </summary>
/// <param name="FixParameter">The cmdlet parameter (without the dash) that fixes it, e.g. <c>TableMap</c>; the CLI names its own option after it.</param>
public sealed record PreflightProblem(string Table, string? D1Table, PreflightProblemKind Kind, string Reason, string FixParameter)
{
    /// <summary>Whether the table is refused (everything but <see cref="PreflightProblemKind.ParentRefused"/>, which only says what its rows will meet).</summary>
    public bool RefusesTable => Kind != PreflightProblemKind.ParentRefused;

    /// <summary>The table as the message names it: <c>source (D1 table name)</c> unless the D1 name is the obvious one (a table of <c>public</c> keeps its name).</summary>
    public string TableDescription =>
        D1Table is null || string.Equals(D1Table, Table, StringComparison.Ordinal) || string.Equals(Table, "public." + D1Table, StringComparison.Ordinal)
            ? Table : $"{Table} (D1 table {D1Table})";

    public override string ToString() => $"Table {TableDescription}: {Reason} (fix with -{FixParameter})";
}

namespace Migration.Engine.Schema;

/// <summary>
/// A foreign key: child columns -> parent table columns, with its actions and deferrability.
/// In a source definition names are the source's; in a D1 definition, the mapped ones
/// (<see cref="ParentSchema"/> is then null).
/// </summary>
/// <param name="IsValidated">False for a Postgres NOT VALID key: existing rows may be orphans.</param>
/// <param name="MatchFull">MATCH FULL (SQLite parses it but checks as MATCH SIMPLE).</param>
public sealed record ForeignKeyDefinition(
    string Name,
    IReadOnlyList<string> Columns,
    string? ParentSchema,
    string ParentTable,
    IReadOnlyList<string> ParentColumns,
    ForeignKeyAction OnDelete = ForeignKeyAction.NoAction,
    ForeignKeyAction OnUpdate = ForeignKeyAction.NoAction,
    bool IsDeferrable = false,
    bool IsInitiallyDeferred = false,
    bool IsValidated = true,
    bool MatchFull = false)
{
    /// <summary>The parent as people write it: <c>schema.table</c> or <c>table</c>.</summary>
    public string ParentDisplayName => ParentSchema is null ? ParentTable : $"{ParentSchema}.{ParentTable}";

    public override string ToString() => $"{Name}: ({string.Join(", ", Columns)}) -> {ParentDisplayName} ({string.Join(", ", ParentColumns)})";
}

namespace Migration.Engine.Schema;

/// <summary>A primary key or UNIQUE constraint: its name and column names in key order.</summary>
/// <param name="IsDeferrable">Postgres DEFERRABLE (SQLite checks UNIQUE at once; reported when mapped).</param>
public sealed record KeyDefinition(string Name, IReadOnlyList<string> Columns, bool IsDeferrable = false)
{
    public override string ToString() => $"{Name} ({string.Join(", ", Columns)})";
}

namespace Migration.Engine.Schema;

/// <summary>A CHECK constraint; <see cref="Expression"/> is in the dialect of its definition (Postgres or SQLite).</summary>
/// <param name="IsValidated">False for a Postgres NOT VALID check: existing rows may break it.</param>
public sealed record CheckDefinition(string Name, string Expression, bool IsValidated = true)
{
    public override string ToString() => $"{Name}: CHECK ({Expression})";
}

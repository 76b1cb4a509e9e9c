namespace Migration.Engine.Schema;

/// <summary>One key of an index: a column or an expression (in the definition's dialect), ascending or descending.</summary>
public sealed record IndexKey(string? Column, string? Expression, bool Descending = false)
{
    public override string ToString() => (Column ?? "(" + Expression + ")") + (Descending ? " DESC" : "");
}

/// <summary>
/// A secondary index (not the one behind a primary key or UNIQUE constraint).
/// <see cref="Predicate"/> is a partial index's WHERE, in the definition's dialect.
/// </summary>
/// <param name="Method">The Postgres access method (btree, hash, gin, ...); null in a D1 definition.</param>
/// <param name="IncludedColumns">Postgres INCLUDE columns (covering only; no effect on uniqueness).</param>
public sealed record IndexDefinition(
    string Name,
    bool IsUnique,
    IReadOnlyList<IndexKey> Keys,
    string? Predicate = null,
    string? Method = null,
    IReadOnlyList<string>? IncludedColumns = null)
{
    public override string ToString() => $"{(IsUnique ? "UNIQUE " : "")}INDEX {Name} ({string.Join(", ", Keys)}){(Predicate is null ? "" : " WHERE " + Predicate)}";
}

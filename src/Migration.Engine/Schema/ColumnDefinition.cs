namespace Migration.Engine.Schema;

/// <summary>
/// What the catalog says about one column beyond its name, type and nullability (those live in
/// <see cref="Column"/>). Expressions are in the dialect of the definition (Postgres for a source
/// definition, SQLite for a D1 one).
/// </summary>
/// <param name="Default">The DEFAULT expression, or null.</param>
/// <param name="DefaultConstant">
/// Source only: the value of a constant DEFAULT, read from Postgres as a row value of the column
/// (the CLR type <see cref="PgTypeFamily"/> names), so the converter maps it exactly as it maps
/// data. Meaningful only when <see cref="HasDefaultConstant"/>.
/// </param>
/// <param name="Generated">The expression of a <c>GENERATED ALWAYS AS (...) STORED</c> column, or null.</param>
/// <param name="EnumLabels">For an enum column, its labels in order; else null.</param>
/// <param name="DomainChecks">For a column of a domain type, the domain's CHECKs with VALUE in them.</param>
/// <param name="Collation">A collation other than the default, or null.</param>
public sealed record ColumnDefinition(
    string Name,
    string? Default = null,
    object? DefaultConstant = null,
    bool HasDefaultConstant = false,
    IdentityKind Identity = IdentityKind.None,
    string? Generated = null,
    string? Comment = null,
    IReadOnlyList<string>? EnumLabels = null,
    string? Domain = null,
    IReadOnlyList<CheckDefinition>? DomainChecks = null,
    string? Collation = null);

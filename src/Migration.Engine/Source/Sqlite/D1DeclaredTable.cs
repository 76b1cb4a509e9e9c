using Migration.Engine.Schema;

namespace Migration.Engine.Source.Sqlite;

/// <summary>A column as the D1/SQLite schema declares it (<c>pragma_table_info</c>).</summary>
/// <param name="Name">The column's name.</param>
/// <param name="DeclaredType">The type as written in CREATE TABLE (may be empty: SQLite allows no type).</param>
/// <param name="NotNull">Declared NOT NULL (a primary-key column is reported as such by the reader too).</param>
/// <param name="Default">The DEFAULT clause's SQL text, or null.</param>
/// <param name="KeyPosition">1-based position in the primary key, 0 when not part of it.</param>
public sealed record D1DeclaredColumn(string Name, string DeclaredType, bool NotNull, string? Default, int KeyPosition);

/// <summary>One index of a D1 table: a UNIQUE constraint (<see cref="IsConstraint"/>) or a CREATE INDEX.</summary>
/// <param name="Name">The index's name (<c>sqlite_autoindex_*</c> for constraints).</param>
/// <param name="IsUnique">UNIQUE.</param>
/// <param name="IsConstraint">Made by a UNIQUE constraint in CREATE TABLE (origin <c>u</c>).</param>
/// <param name="Columns">The key's columns in order, each with DESC and collation; an expression is a null column.</param>
/// <param name="Predicate">The WHERE clause of a partial index (its SQL text), or null.</param>
public sealed record D1DeclaredIndex(string Name, bool IsUnique, bool IsConstraint, IReadOnlyList<D1IndexColumn> Columns, string? Predicate);

/// <summary>A key column of an index: <see cref="Column"/> null for an expression.</summary>
public sealed record D1IndexColumn(string? Column, bool Descending, string? Collation);

/// <summary>A FOREIGN KEY of a D1 table (<c>pragma_foreign_key_list</c>).</summary>
/// <param name="ParentColumns">The parent's columns; empty entries mean "the parent's primary key" (REFERENCES parent with no columns).</param>
public sealed record D1DeclaredForeignKey(IReadOnlyList<string> Columns, string ParentTable, IReadOnlyList<string?> ParentColumns,
    ForeignKeyAction OnDelete, ForeignKeyAction OnUpdate);

/// <summary>
/// A D1 table's schema as declared: what <c>Export-PgSchema</c> translates into Postgres DDL.
/// The row-level <see cref="TableSchema"/> the source yields knows only affinities; this keeps
/// the declared type names, defaults, indexes and foreign-key actions.
/// </summary>
/// <param name="Name">The table's name.</param>
/// <param name="Sql">Its CREATE TABLE text from <c>sqlite_schema</c>.</param>
/// <param name="IsRowidAlias">A one-column <c>INTEGER PRIMARY KEY</c> of a rowid table: the column is the rowid.</param>
/// <param name="AutoIncrement">Declared AUTOINCREMENT (ids never reused).</param>
/// <param name="WithoutRowid">A WITHOUT ROWID table.</param>
public sealed record D1DeclaredTable(string Name, string Sql, IReadOnlyList<D1DeclaredColumn> Columns, bool IsRowidAlias, bool AutoIncrement,
    bool WithoutRowid, IReadOnlyList<D1DeclaredIndex> Indexes, IReadOnlyList<D1DeclaredForeignKey> ForeignKeys)
{
    /// <summary>The primary key's columns in key order (empty without one).</summary>
    public IReadOnlyList<string> PrimaryKey => [.. Columns.Where(c => c.KeyPosition > 0).OrderBy(c => c.KeyPosition).Select(c => c.Name)];
}

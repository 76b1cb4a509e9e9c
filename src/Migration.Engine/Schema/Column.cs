namespace Migration.Engine.Schema;

/// <summary>
/// One column of a <see cref="TableSchema"/>. A source schema's columns carry their Postgres
/// type; a D1 schema's columns carry the D1 type the converter produces, and keep the Postgres
/// type they came from (null for columns of plain objects or computed columns).
/// </summary>
public sealed class Column
{
    public Column(string name, PgType? pgType, D1Type d1Type, bool isNullable, string? sourceName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        PgType = pgType;
        D1Type = d1Type;
        IsNullable = isNullable;
        SourceName = sourceName ?? name;
    }

    /// <summary>The column's name in this schema (after any rename).</summary>
    public string Name { get; }

    /// <summary>The column's name in the source (equal to <see cref="Name"/> unless renamed).</summary>
    public string SourceName { get; }

    /// <summary>The Postgres type, or null for plain-object and computed columns.</summary>
    public PgType? PgType { get; }

    /// <summary>The D1 storage class (for a source column: the default policy's choice).</summary>
    public D1Type D1Type { get; }

    public bool IsNullable { get; }

    /// <summary>
    /// For a column of an existing table: the database fills it when an INSERT leaves it out (a
    /// DEFAULT, or the rowid alias <c>INTEGER PRIMARY KEY</c>), so a row may omit it.
    /// </summary>
    public bool HasDefault { get; init; }

    /// <summary>A computed column (its value comes from a function, not from a source column of <see cref="SourceName"/>); internal, so PowerShell shows nothing of it.</summary>
    internal bool IsComputed { get; init; }

    public override string ToString() => PgType is null ? $"{Name} {D1Type}" : $"{Name} {PgType.Name}";
}

namespace Migration.Engine.Target;

/// <summary>
/// A table the target refuses as a whole, before any of its rows is written: over D1's column
/// limit, a reserved name, columns missing from an existing table, a type the existing column
/// would silently convert, or an upsert without a key.
/// </summary>
public sealed class TargetSchemaException : Exception
{
    public TargetSchemaException(string table, string message)
        : base($"Table {table}: {message}")
    {
        Table = table;
    }

    public string Table { get; }
}

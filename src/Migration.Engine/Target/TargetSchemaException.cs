namespace Migration.Engine.Target;

/// <summary>
/// A table the target refuses as a whole, before any of its rows is written: over D1's column
/// limit, a reserved name, columns missing from an existing table, a type the existing column
/// would silently convert, or an upsert without a key it could match on.
/// </summary>
public sealed class TargetSchemaException : Exception
{
    /// <param name="fixParameter">The cmdlet parameter (without the dash) that would fix it; by default -TableMap (another table).</param>
    public TargetSchemaException(string table, string message, string fixParameter = "TableMap")
        : base($"Table {table}: {message}")
    {
        Table = table;
        Reason = message;
        FixParameter = fixParameter;
    }

    public string Table { get; }

    /// <summary>Why, without the table's name.</summary>
    public string Reason { get; }

    public string FixParameter { get; }
}

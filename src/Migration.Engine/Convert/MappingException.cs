namespace Migration.Engine.Convert;

/// <summary>
/// The mapping options cannot be applied to a table (two columns mapped to one name, an
/// ambiguous map key, a computed column clashing with a column...). Unlike a
/// <see cref="ConversionException"/>, which concerns one row, this concerns every row of the
/// table: the import cannot go on.
/// </summary>
public sealed class MappingException : Exception
{
    public MappingException(string table, string reason)
        : base($"Table {table}: {reason}")
    {
        Table = table;
        Reason = reason;
    }

    public string Table { get; }
    public string Reason { get; }
}

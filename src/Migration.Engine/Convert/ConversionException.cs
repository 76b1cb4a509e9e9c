namespace Migration.Engine.Convert;

/// <summary>
/// A value that cannot be converted without changing it. The message names table, key, column
/// and a short excerpt of the value, so an operator can find the row; it never holds more than
/// the excerpt.
/// </summary>
public sealed class ConversionException : Exception
{
    public ConversionException(string table, string key, string column, string valueExcerpt, string reason)
        : base($"Table {table}, row {key}, column {column}: {reason} (value: {valueExcerpt})")
    {
        Table = table;
        Key = key;
        Column = column;
        ValueExcerpt = valueExcerpt;
        Reason = reason;
    }

    public string Table { get; }
    public string Key { get; }
    public string Column { get; }
    public string ValueExcerpt { get; }
    public string Reason { get; }
}

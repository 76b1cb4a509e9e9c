namespace Migration.Engine.Source;

/// <summary>
/// A failure reading the source database. The message names the table (when there is one) and
/// never holds a password or a connection string: the inner exception is kept only when its
/// text is free of the secret too.
/// </summary>
public class PgSourceException : Exception
{
    public PgSourceException(string? table, string message, Exception? innerException = null)
        : base(table is null ? message : $"Table {table}: {message}", innerException)
    {
        Table = table;
    }

    /// <summary>The table the failure concerns, as people write it; null for connection failures.</summary>
    public string? Table { get; }
}

namespace Migration.Engine.Integrity;

/// <summary>
/// A check that could not run at all (a missing target table or column, a database error), as
/// opposed to a check that ran and failed. Names the table and the check; never holds a secret.
/// </summary>
public sealed class IntegrityCheckException : Exception
{
    public IntegrityCheckException(string table, IntegrityCheck check, string reason, Exception? inner = null)
        : base($"Table {table}, check {check}: {reason}", inner)
    {
        Table = table;
        Check = check;
        Reason = reason;
    }

    public string Table { get; }
    public IntegrityCheck Check { get; }
    public string Reason { get; }
}

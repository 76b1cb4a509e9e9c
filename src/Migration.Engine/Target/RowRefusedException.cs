namespace Migration.Engine.Target;

/// <summary>
/// A row was refused and <see cref="ImportOptions.StopAtFirstRefusal"/> is set: the load stopped
/// there. The batch holding the row was rolled back; what was committed before it stays.
/// </summary>
public sealed class RowRefusedException(RowError error)
    : Exception($"Stopped at the first refused row: table {error.Table}, row {error.Key}, column {error.Column ?? "(none)"}: {error.Reason}")
{
    public RowError Error { get; } = error;
}

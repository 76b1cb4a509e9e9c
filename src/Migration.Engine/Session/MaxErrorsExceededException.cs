namespace Migration.Engine.Session;

/// <summary>More rows failed than the session's error limit allows: the run stopped, Failed and resumable.</summary>
public sealed class MaxErrorsExceededException(string message, long maxErrors) : Exception(message)
{
    public long MaxErrors { get; } = maxErrors;
}

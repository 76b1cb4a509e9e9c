using System.Management.Automation;
using System.Net;
using Migration.Engine.Source;

namespace Migration.PowerShell;

/// <summary>
/// The error records of the cmdlets that read Postgres (Export-PgTable, Export-D1Schema,
/// Test-MigrationIntegrity) when the connection settings cannot be read or the server cannot be
/// reached: one message that names user@host:port/database once and never the password, and a
/// category a script can act on (InvalidArgument, ConnectionError, AuthenticationError,
/// ObjectNotFound), never NotSpecified.
/// </summary>
internal static class PgConnectionErrors
{
    /// <summary>The settings of -ConnectionString and -Credential; ones that cannot be read end the command with <see cref="InvalidSettings"/>.</summary>
    public static PgConnectionSettings Settings(Cmdlet cmdlet, string? connectionString, NetworkCredential? credential)
    {
        try
        {
            return new PgConnectionSettings(connectionString, credential);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            cmdlet.ThrowTerminatingError(InvalidSettings(ex, connectionString, credential));
            throw; // not reached: ThrowTerminatingError throws
        }
    }

    /// <summary>Settings that cannot be read: a malformed connection string, a bad PGPORT...</summary>
    public static ErrorRecord InvalidSettings(Exception ex, string? connectionString, NetworkCredential? credential)
    {
        var safe = SecretRedactor.Redact(ex.Message, connectionString, credential);
        return new ErrorRecord(new ArgumentException(safe), "InvalidConnectionString", ErrorCategory.InvalidArgument, null);
    }

    /// <summary>The record for a failure to connect anywhere in <paramref name="ex"/>'s chain; null when it is not one.</summary>
    public static ErrorRecord? ConnectionFailed(Exception ex, string? connectionString, NetworkCredential? credential)
    {
        PgConnectionException? failure = null;
        for (Exception? e = ex; e is not null && failure is null; e = e.InnerException)
            failure = e as PgConnectionException;
        if (failure is null) return null;
        var category = failure.IsAuthentication ? ErrorCategory.AuthenticationError
            : failure.IsDatabaseMissing ? ErrorCategory.ObjectNotFound
            : ErrorCategory.ConnectionError;
        // The engine's exception (SqlState, inner driver error) when nothing in it holds a secret.
        Exception error = SecretRedactor.ContainsSecret(failure.ToString(), connectionString, credential)
            ? new InvalidOperationException(SecretRedactor.Redact(failure.Message, connectionString, credential))
            : failure;
        return new ErrorRecord(error, "ConnectionFailed", category, failure.Server);
    }

    /// <summary>
    /// The record for any failure of a command that talks to Postgres: <see cref="ConnectionFailed"/>
    /// when it is one, else <paramref name="message"/> with every secret removed (the original
    /// exception is not attached: its text may hold them).
    /// </summary>
    public static ErrorRecord Failure(Exception ex, string message, string errorId, ErrorCategory category, object? target, string? connectionString, NetworkCredential? credential) =>
        ConnectionFailed(ex, connectionString, credential) ?? Redacted(message, errorId, category, target, connectionString, credential);

    /// <summary><paramref name="message"/> with every secret removed, as an error record (no exception attached: its text may hold them).</summary>
    public static ErrorRecord Redacted(string message, string errorId, ErrorCategory category, object? target, string? connectionString, NetworkCredential? credential) =>
        new(new InvalidOperationException(SecretRedactor.Redact(message, connectionString, credential)), errorId, category, target);
}

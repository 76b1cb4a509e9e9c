using Npgsql;

namespace Migration.Engine.Source;

/// <summary>
/// Connecting to the source failed. The message names user@host:port/database and says why, once
/// ("Cannot connect to ...: reason"), without the password; the inner exception is kept only when
/// its text is free of the secret. Hosts report it as a connection error, not as a table's.
/// </summary>
public sealed class PgConnectionException : PgSourceException
{
    public PgConnectionException(string server, string reason, Exception? innerException)
        : base(null, $"Cannot connect to {server}: {reason}", innerException)
    {
        Server = server;
        SqlState = (innerException as PostgresException)?.SqlState ?? (innerException?.InnerException as PostgresException)?.SqlState;
    }

    /// <summary>user@host:port/database (no secret).</summary>
    public string Server { get; }

    /// <summary>The server's SQLSTATE when the server answered (28P01 wrong password, 3D000 no such database...); null when it was not reached.</summary>
    public string? SqlState { get; }

    /// <summary>The server refused the login (wrong password, no such role, pg_hba rejects it).</summary>
    public bool IsAuthentication => SqlState is { } s && s.StartsWith("28", StringComparison.Ordinal);

    /// <summary>The database does not exist on that server.</summary>
    public bool IsDatabaseMissing => SqlState == "3D000";
}

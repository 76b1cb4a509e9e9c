using System.Net;

namespace Migration.Engine.Source;

/// <summary>
/// Where the source database is. Any part left out comes from the libpq environment variables
/// (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGPASSFILE, PGSSLMODE...) as in psql.
/// The password is never rendered: <see cref="ToString"/> and every error redact it.
/// </summary>
public sealed class PgConnectionSettings
{
    public PgConnectionSettings(string? connectionString = null, NetworkCredential? credential = null)
        => throw new NotImplementedException();

    /// <summary>host:port/database as user, with no secret: for messages, logs and the journal.</summary>
    public string Describe() => throw new NotImplementedException();

    public override string ToString() => Describe();
}

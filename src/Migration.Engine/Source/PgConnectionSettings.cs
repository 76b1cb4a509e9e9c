using System.Globalization;
using System.Net;
using Npgsql;

namespace Migration.Engine.Source;

/// <summary>
/// Where the source database is. Any part left out comes from the libpq environment variables
/// (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGPASSFILE, PGSSLMODE...) as in psql.
/// The password is never rendered: <see cref="ToString"/> and every error redact it.
/// </summary>
/// <remarks>
/// Accepts what psql accepts besides Npgsql's connection string (<c>Host=...;Database=...</c>):
/// libpq's keyword/value form (<c>host=db port=5432 user=app dbname=x</c>) and its URI
/// (<c>postgresql://user@host:5432/db?sslmode=require</c>), see <see cref="PgConnectionStringParser"/>. A <see cref="NetworkCredential"/>
/// wins over both for the user name and the password. Npgsql 10 itself reads PGUSER,
/// PGPASSWORD, PGPASSFILE, PGAPPNAME, PGSSLCERT, PGSSLKEY, PGSSLROOTCERT, PGOPTIONS, PGTZ...
/// but not PGHOST, PGPORT, PGDATABASE, PGSSLMODE or PGCONNECT_TIMEOUT: this class resolves all
/// of those it uses itself, so <see cref="Describe"/> tells exactly what is connected to.
/// </remarks>
public sealed class PgConnectionSettings
{
    /// <summary>libpq's default port.</summary>
    public const int DefaultPort = 5432;

    readonly string _connectionString;
    readonly string? _password;
    readonly string? _originalConnectionString;

    public PgConnectionSettings(string? connectionString = null, NetworkCredential? credential = null)
        : this(connectionString, credential, Environment.GetEnvironmentVariable)
    {
    }

    /// <summary>For tests: the environment is a function, so nothing global has to change.</summary>
    internal PgConnectionSettings(string? connectionString, NetworkCredential? credential, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        _originalConnectionString = string.IsNullOrEmpty(connectionString) ? null : connectionString;

        var given = Parse(connectionString);
        string? Env(string name) => environment(name) is { Length: > 0 } v ? v : null;

        var b = given.Builder;
        if (credential is not null && !string.IsNullOrEmpty(credential.UserName)) b.Username = credential.UserName;
        if (credential is not null && !string.IsNullOrEmpty(credential.Password)) b.Password = credential.Password;

        if (!given.Has("port"))
        {
            var port = Env("PGPORT");
            if (port is not null)
            {
                if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
                    throw new ArgumentException($"PGPORT \"{port}\" is not a port number.");
                b.Port = p;
            }
            else b.Port = DefaultPort;
        }
        if (!given.Has("host")) b.Host = Env("PGHOST") ?? DefaultHost(b.Port);
        if (string.IsNullOrEmpty(b.Username)) b.Username = Env("PGUSER") ?? Environment.UserName;
        // libpq: the database defaults to the user name.
        if (string.IsNullOrEmpty(b.Database)) b.Database = Env("PGDATABASE") ?? b.Username;
        if (string.IsNullOrEmpty(b.Password) && Env("PGPASSWORD") is { } pw) b.Password = pw;
        if (!given.Has("passfile") && Env("PGPASSFILE") is { } passfile) b.Passfile = passfile;
        if (!given.Has("sslmode") && Env("PGSSLMODE") is { } sslMode) b.SslMode = ParseSslMode(sslMode, "PGSSLMODE");
        if (!given.Has("applicationname") && !given.Has("application name"))
            b.ApplicationName = Env("PGAPPNAME") ?? "Migration";
        if (!given.Has("timeout") && Env("PGCONNECT_TIMEOUT") is { } timeout
            && int.TryParse(timeout, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            b.Timeout = Math.Clamp(seconds, 1, 1024);
        // Npgsql decodes all text as UTF-8; a PGCLIENTENCODING of anything else would garble it.
        b.ClientEncoding = "UTF8";
        // COPY streams the whole table: with Npgsql's 8 KB default every 8 KB is a read call
        // (and over a Unix socket, which Npgsql drives non-blocking, a wake-up through the
        // socket engine whenever the reader catches up with the server). 256 KB per read:
        // measured fewer syscalls and less CPU on the 1.1M-row benchmark; memory is one buffer.
        if (!given.Has("readbuffersize")) b.ReadBufferSize = ExportReadBufferSize;

        _password = string.IsNullOrEmpty(b.Password) ? null : b.Password;
        Host = b.Host!;
        Port = b.Port;
        Database = b.Database!;
        Username = b.Username!;
        _connectionString = b.ConnectionString;
    }

    public string Host { get; }
    public int Port { get; }
    public string Database { get; }
    public string Username { get; }

    /// <summary>user@host:port/database, with no secret: for messages, logs and the journal. Several hosts: user@a:5432,b:5433/database.</summary>
    public string Describe() => Host.Contains(',', StringComparison.Ordinal)
        ? $"{Username}@{string.Join(",", Host.Split(',').Select(h => HasPort(h) ? h : $"{h}:{Port.ToString(CultureInfo.InvariantCulture)}"))}/{Database}"
        : $"{Username}@{Host}:{Port.ToString(CultureInfo.InvariantCulture)}/{Database}";

    static bool HasPort(string host) =>
        host.StartsWith('[') ? host.Contains("]:", StringComparison.Ordinal) : host.Contains(':', StringComparison.Ordinal);

    public override string ToString() => Describe();

    /// <summary>A data source for these settings (the caller disposes it). Opening a connection may throw the raw Npgsql error: wrap it with <see cref="ConnectionFailure"/>.</summary>
    public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(_connectionString);

    /// <summary>An open connection; failures surface as <see cref="PgConnectionException"/> without secrets.</summary>
    public NpgsqlConnection OpenConnection()
    {
        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            connection.Dispose();
            throw ConnectionFailure(ex);
        }
    }

    /// <summary>The exception to surface when connecting failed: names the server, never the secret.</summary>
    public PgConnectionException ConnectionFailure(Exception ex) =>
        new(Describe(), Redact(Reason(ex)), SafeInner(ex));

    /// <summary>
    /// Why connecting failed, said once: the driver's messages without the parts that repeat
    /// (Npgsql wraps a socket error in "Failed to connect to 127.0.0.1:1" around the OS's text).
    /// </summary>
    static string Reason(Exception ex)
    {
        var pg = ex as PostgresException ?? ex.InnerException as PostgresException;
        if (pg is not null) return $"{pg.MessageText} ({pg.SqlState})";
        var flat = Flatten(ex);
        return flat.Length > 0 ? flat : ex.GetType().Name;
    }

    /// <summary>Removes the password and the connection string from a text (for messages built from driver errors).</summary>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_originalConnectionString is not null)
            text = text.Replace(_originalConnectionString, "<connection string>", StringComparison.Ordinal);
        text = text.Replace(_connectionString, "<connection string>", StringComparison.Ordinal);
        if (_password is not null)
            text = text.Replace(_password, "********", StringComparison.Ordinal);
        return text;
    }

    /// <summary>Whether a text holds the password or a connection string.</summary>
    public bool ContainsSecret(string text) =>
        (_password is not null && text.Contains(_password, StringComparison.Ordinal))
        || (_originalConnectionString is not null && text.Contains(_originalConnectionString, StringComparison.Ordinal))
        || text.Contains(_connectionString, StringComparison.Ordinal);

    /// <summary>The exception itself when nothing in it (messages, inner exceptions, stack) holds a secret; otherwise null.</summary>
    public Exception? SafeInner(Exception ex) => ContainsSecret(ex.ToString()) ? null : ex;

    /// <summary>The connection string with the password, for this assembly's own connections only.</summary>
    internal string ConnectionString => _connectionString;

    /// <summary>An exception's message with its inner exceptions' messages, on one line.</summary>
    internal static string Flatten(Exception ex)
    {
        var parts = new List<string>();
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            var m = e.Message.Trim();
            if (m.Length > 0 && !parts.Contains(m)) parts.Add(m);
        }
        return string.Join(" -> ", parts).Replace('\r', ' ').Replace('\n', ' ');
    }

    /// <summary>
    /// libpq's default when no host is given: the Unix socket directory if a server listens
    /// there (Debian's /var/run/postgresql, upstream's /tmp), else localhost.
    /// </summary>
    internal const int ExportReadBufferSize = 256 * 1024;

    static string DefaultHost(int port)
    {
        if (!OperatingSystem.IsWindows())
        {
            foreach (var dir in new[] { "/var/run/postgresql", "/run/postgresql", "/tmp" })
                if (File.Exists(Path.Combine(dir, ".s.PGSQL." + port.ToString(CultureInfo.InvariantCulture))))
                    return dir;
        }
        return "localhost";
    }

    static Npgsql.SslMode ParseSslMode(string value, string source) => PgConnectionStringParser.SslMode(value, source);

    static PgConnectionStringParser.Result Parse(string? connectionString) =>
        string.IsNullOrWhiteSpace(connectionString)
            ? new PgConnectionStringParser.Result(new NpgsqlConnectionStringBuilder(), new HashSet<string>(StringComparer.Ordinal))
            : PgConnectionStringParser.Parse(connectionString);

    /// <summary>Every password a connection text may hold (any of the three forms, even malformed), for redactors.</summary>
    public static IEnumerable<string> SecretsIn(string? connectionString) => PgConnectionStringParser.SecretsIn(connectionString);
}

using System.Data.Common;
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
/// Accepts an Npgsql connection string (<c>Host=...;Database=...</c>) or a libpq URI
/// (<c>postgresql://user@host:5432/db?sslmode=require</c>). A <see cref="NetworkCredential"/>
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

        var given = Parse(connectionString, credential?.Password);
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

    /// <summary>user@host:port/database, with no secret: for messages, logs and the journal.</summary>
    public string Describe() => $"{Username}@{Host}:{Port.ToString(CultureInfo.InvariantCulture)}/{Database}";

    public override string ToString() => Describe();

    /// <summary>A data source for these settings (the caller disposes it). Opening a connection may throw the raw Npgsql error: wrap it with <see cref="ConnectionFailure"/>.</summary>
    public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(_connectionString);

    /// <summary>An open connection; failures surface as <see cref="PgSourceException"/> without secrets.</summary>
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
    public PgSourceException ConnectionFailure(Exception ex) =>
        new(null, $"Cannot connect to {Describe()}: {Redact(Flatten(ex))}", SafeInner(ex));

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

    static Npgsql.SslMode ParseSslMode(string value, string source) =>
        value.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant() switch
        {
            "disable" => Npgsql.SslMode.Disable,
            "allow" => Npgsql.SslMode.Allow,
            "prefer" => Npgsql.SslMode.Prefer,
            "require" => Npgsql.SslMode.Require,
            "verifyca" => Npgsql.SslMode.VerifyCA,
            "verifyfull" => Npgsql.SslMode.VerifyFull,
            _ => throw new ArgumentException($"{source} \"{value}\" is not an SSL mode (disable, allow, prefer, require, verify-ca, verify-full)."),
        };

    /// <summary>The parsed connection string and which keywords it set (lower case, without spaces).</summary>
    sealed record Given(NpgsqlConnectionStringBuilder Builder, HashSet<string> Keys)
    {
        public bool Has(string key) => Keys.Contains(key.Replace(" ", "", StringComparison.Ordinal));
    }

    static readonly Dictionary<string, string> Synonyms = new(StringComparer.Ordinal)
    {
        ["server"] = "host",
        ["sslmode"] = "sslmode",
        ["applicationname"] = "applicationname",
    };

    static Given Parse(string? connectionString, string? credentialPassword)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(connectionString))
            return new Given(new NpgsqlConnectionStringBuilder(), keys);
        var text = connectionString.Trim();
        if (text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
            return ParseUri(text);
        try
        {
            var plain = new DbConnectionStringBuilder { ConnectionString = text };
            foreach (string k in plain.Keys)
            {
                var norm = k.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
                keys.Add(Synonyms.TryGetValue(norm, out var s) ? s : norm);
            }
            return new Given(new NpgsqlConnectionStringBuilder(text), keys);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            // The driver's message may quote a part of the string: keep only what cannot leak.
            var reason = ex.Message;
            if (reason.Contains(text, StringComparison.Ordinal)) reason = "it is malformed";
            foreach (var secret in SecretsIn(text, credentialPassword))
                reason = reason.Replace(secret, "********", StringComparison.Ordinal);
            throw new ArgumentException($"The connection string is not valid: {reason}");
        }
    }

    /// <summary>Password values as written in a connection string, to scrub from parser errors.</summary>
    static IEnumerable<string> SecretsIn(string text, string? credentialPassword)
    {
        if (!string.IsNullOrEmpty(credentialPassword)) yield return credentialPassword;
        foreach (var part in text.Split(';'))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) continue;
            var key = part[..eq].Trim().ToLowerInvariant();
            if (key is "password" or "psw" or "pwd" && part[(eq + 1)..].Trim() is { Length: > 0 } v) yield return v;
        }
    }

    /// <summary>libpq's URI form: postgresql://[user[:password]@][host][:port][/database][?param=value&amp;...].</summary>
    static Given ParseUri(string text)
    {
        Uri uri;
        try { uri = new Uri(text); }
        catch (UriFormatException) { throw new ArgumentException("The connection URI is not valid."); }
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var b = new NpgsqlConnectionStringBuilder();
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            b.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0) b.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }
        if (uri.Host.Length > 0) { b.Host = uri.Host.Trim('[', ']'); keys.Add("host"); }
        if (!uri.IsDefaultPort && uri.Port > 0) { b.Port = uri.Port; keys.Add("port"); }
        var path = uri.AbsolutePath.TrimStart('/');
        if (path.Length > 0) b.Database = Uri.UnescapeDataString(path);
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]).ToLowerInvariant();
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            switch (name)
            {
                case "host": b.Host = value; keys.Add("host"); break;
                case "port": b.Port = int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture); keys.Add("port"); break;
                case "dbname": b.Database = value; break;
                case "user": b.Username = value; break;
                case "password": b.Password = value; break;
                case "sslmode": b.SslMode = ParseSslMode(value, "sslmode"); keys.Add("sslmode"); break;
                case "application_name": b.ApplicationName = value; keys.Add("applicationname"); break;
                case "connect_timeout": b.Timeout = int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture); keys.Add("timeout"); break;
                case "passfile": b.Passfile = value; keys.Add("passfile"); break;
                default: throw new ArgumentException($"The connection URI parameter \"{name}\" is not supported.");
            }
        }
        return new Given(b, keys);
    }
}

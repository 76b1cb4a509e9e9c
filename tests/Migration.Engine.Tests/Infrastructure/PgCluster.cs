using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Xunit;

namespace Migration.Engine.Tests.Infrastructure;

/// <summary>
/// The Postgres server the tests run against. With <c>MIGRATION_TEST_PG</c> set (a connection
/// string for a superuser), that server; otherwise a throwaway PostgreSQL 15 cluster started
/// once per test process (initdb into a fresh /tmp directory, trust auth, a free loopback port,
/// fsync off, UTC, C locale, UTF8) and stopped and deleted when the process exits.
/// Use it through the <c>[Collection(PgCluster.Collection)]</c> fixture:
/// <code>
/// [Collection(PgCluster.Collection)]
/// public sealed class MyTests(PgCluster pg)
/// {
///     readonly string _db = pg.CreateDatabase();          // a fresh, empty database
///     ... pg.Execute(_db, "CREATE TABLE t (id int primary key)");
/// }
/// </code>
/// </summary>
public sealed class PgCluster
{
    /// <summary>The xUnit collection name for tests that use Postgres.</summary>
    public const string Collection = "Postgres";

    /// <summary>A role that must log in with a password (scram-sha-256 over TCP) on the throwaway cluster.</summary>
    public const string PasswordUser = "migration_pw_user";

    static readonly Lazy<Server> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>What is started once per test process and shared by every fixture instance.</summary>
    sealed class Server(NpgsqlConnectionStringBuilder admin, string? directory, string? binDirectory, bool passwordAuth)
    {
        public readonly NpgsqlConnectionStringBuilder Admin = admin;
        public readonly string? Directory = directory;
        public readonly string? BinDirectory = binDirectory;
        public readonly bool PasswordAuth = passwordAuth;
        public readonly string Password = "Pw-" + Guid.NewGuid().ToString("N");
        public readonly List<string> Databases = [];
        public int Stopped;
    }

    readonly Server _server;

    /// <summary>Starts the cluster on first use in this process (xUnit calls this as the collection fixture).</summary>
    public PgCluster() => _server = Shared.Value;

    NpgsqlConnectionStringBuilder Admin => _server.Admin;

    /// <summary>Superuser connection string to the maintenance database.</summary>
    public string AdminConnectionString => Admin.ConnectionString;

    public string Host => Admin.Host!;
    public int Port => Admin.Port;

    /// <summary>
    /// True when <see cref="PasswordUser"/> can only log in over TCP with
    /// <see cref="PasswordUserPassword"/> (always on the throwaway cluster; unknown for an external server).
    /// </summary>
    public bool PasswordAuthEnforced => _server.PasswordAuth;

    /// <summary>The password of <see cref="PasswordUser"/>: random per test run, easy to search for in messages.</summary>
    public string PasswordUserPassword => _server.Password;

    /// <summary>
    /// A fresh UTF8 database with a unique name; returns a superuser connection string for it.
    /// <see cref="PasswordUser"/> may connect to it and read what it is granted.
    /// </summary>
    public string CreateDatabase(string? prefix = null)
    {
        var clean = new string((prefix ?? "t").ToLowerInvariant().Where(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_').Take(30).ToArray());
        var name = (clean.Length == 0 ? "t" : clean) + "_" + Guid.NewGuid().ToString("N")[..12];
        Execute(AdminConnectionString, $"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
        lock (_server.Databases) _server.Databases.Add(name);
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>A connection string for <see cref="PasswordUser"/> over TCP, with the given password.</summary>
    public string PasswordUserConnectionString(string database, string? password = null) =>
        new NpgsqlConnectionStringBuilder(AdminConnectionString)
        {
            Host = "127.0.0.1",
            Database = new NpgsqlConnectionStringBuilder(database).Database ?? database,
            Username = PasswordUser,
            Password = password ?? PasswordUserPassword,
            Pooling = false,
        }.ConnectionString;

    /// <summary>Runs a SQL script (several statements separated by semicolons; no psql meta-commands).</summary>
    public void Execute(string connectionString, string sql) => Exec(connectionString, sql);

    static void Exec(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var cmd = new NpgsqlCommand(sql, connection);
        cmd.ExecuteNonQuery();
    }

    /// <summary>The first column of the first row of a query.</summary>
    public T Scalar<T>(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var cmd = new NpgsqlCommand(sql, connection);
        return (T)cmd.ExecuteScalar()!;
    }

    static Server Start()
    {
        var external = Environment.GetEnvironmentVariable("MIGRATION_TEST_PG");
        Server server;
        if (!string.IsNullOrWhiteSpace(external))
        {
            server = new Server(new NpgsqlConnectionStringBuilder(external), null, null, passwordAuth: false);
        }
        else
        {
            PgClusterCleanup.RemoveStale();
            server = StartThrowaway();
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(server);
        try { CreatePasswordUser(server); }
        catch { Stop(server); throw; }
        return server;
    }

    static void CreatePasswordUser(Server server)
    {
        Exec(server.Admin.ConnectionString, $"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{PasswordUser}') THEN
                CREATE ROLE {PasswordUser} LOGIN;
              END IF;
            END $$;
            SET password_encryption = 'scram-sha-256';
            ALTER ROLE {PasswordUser} PASSWORD '{server.Password}';
            """);
    }

    static Server StartThrowaway()
    {
        var bin = FindBinDirectory();
        var runAsPostgres = Environment.UserName == "root";
        var dir = Directory.CreateTempSubdirectory(PgClusterCleanup.DirectoryPrefix).FullName;
        File.WriteAllText(Path.Combine(dir, PgClusterCleanup.OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        if (runAsPostgres) Run("chown", ["postgres:", dir], asPostgres: false);
        PgClusterCleanup.StartWatchdog(dir);
        try
        {
            return StartIn(dir, bin, runAsPostgres);
        }
        catch
        {
            PgClusterCleanup.StopAndDelete(dir, bin);
            throw;
        }
    }

    static Server StartIn(string dir, string bin, bool runAsPostgres)
    {
        var data = Path.Combine(dir, "data");
        Run(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], runAsPostgres);

        var port = FreePort();
        File.AppendAllText(Path.Combine(data, "postgresql.conf"), $"""

            # Throwaway test cluster: fast and deterministic, never durable.
            listen_addresses = '127.0.0.1'
            port = {port}
            unix_socket_directories = '{dir}'
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            timezone = 'UTC'
            log_timezone = 'UTC'
            max_connections = 60
            shared_buffers = 32MB
            password_encryption = 'scram-sha-256'

            """);
        // First match wins: the password user must use scram over TCP; everyone else is trusted.
        File.WriteAllText(Path.Combine(data, "pg_hba.conf"), $"""
            host  all  {PasswordUser}  127.0.0.1/32  scram-sha-256
            host  all  {PasswordUser}  ::1/128       scram-sha-256
            local all  {PasswordUser}                reject
            local all  all                           trust
            host  all  all             127.0.0.1/32  trust
            host  all  all             ::1/128       trust

            """);
        Run(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(dir, "server.log"), "-w", "-t", "60", "start"], runAsPostgres);

        var admin = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "postgres",
            Database = "postgres",
            Pooling = false,
        };
        return new Server(admin, dir, bin, passwordAuth: true);
    }

    /// <summary>Stops the throwaway cluster and deletes its directory; drops the created databases on an external server.</summary>
    static void Stop(Server server)
    {
        if (Interlocked.Exchange(ref server.Stopped, 1) == 1) return;
        NpgsqlConnection.ClearAllPools();
        if (server.Directory is null)
        {
            foreach (var db in server.Databases)
            {
                try { Exec(server.Admin.ConnectionString, $"DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"); }
                catch (NpgsqlException) { /* best effort on someone else's server */ }
            }
            return;
        }
        PgClusterCleanup.StopAndDelete(server.Directory, server.BinDirectory!);
    }

    static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    static string FindBinDirectory()
    {
        const string debian = "/usr/lib/postgresql/15/bin";
        if (File.Exists(Path.Combine(debian, "initdb"))) return debian;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
                return dir;
        throw new InvalidOperationException("PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/15/bin or PATH; or set MIGRATION_TEST_PG to a connection string.");
    }

    /// <summary>Runs a program (as the postgres OS user when asked: the server refuses to run as root); throws with its output on failure.</summary>
    internal static void Run(string program, IReadOnlyList<string> args, bool asPostgres)
    {
        var psi = new ProcessStartInfo
        {
            FileName = asPostgres ? "runuser" : program,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/tmp",
        };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", program }) psi.ArgumentList.Add(a);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Cannot start {program}.");
        // pg_ctl start leaves the server holding inherited pipes open: read to end only after exit, asynchronously.
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{program} did not finish in 120 s.");
        }
        if (p.ExitCode != 0)
        {
            var output = (stdout.IsCompleted ? stdout.Result : "") + (stderr.IsCompleted ? stderr.Result : "");
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({p.ExitCode}): {output}");
        }
    }
}

/// <summary>
/// Makes the Postgres test classes one collection sharing the cluster. (Every PgCluster
/// instance shares the same server anyway; it stops at process exit, not at collection end.)
/// </summary>
[CollectionDefinition(PgCluster.Collection)]
public sealed class PgClusterCollection : ICollectionFixture<PgCluster>;

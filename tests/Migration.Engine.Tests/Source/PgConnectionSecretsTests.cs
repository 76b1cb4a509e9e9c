using System.Net;
using Migration.Engine.Integrity;
using Migration.Engine.Source;
using Migration.Engine.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace Migration.Engine.Tests.Source;

/// <summary>
/// Every way connecting can fail, in each of the three forms a connection is written in, against
/// the real cluster: the error names user@host:port/database once, says why, and holds the
/// password nowhere (message, ToString with the inner exceptions and stacks).
/// </summary>
[Collection(PgCluster.Collection)]
public sealed class PgConnectionSecretsTests(PgCluster pg)
{
    readonly string _db = new NpgsqlConnectionStringBuilder(pg.CreateDatabase("conn")).Database!;

    public enum Form { Npgsql, KeywordValue, Uri }

    /// <summary>The same settings written in one of the three forms.</summary>
    static string Write(Form form, string host, int port, string user, string password, string database, int timeout = 5) => form switch
    {
        // The builder quotes a value that holds ';' or quotes, as Npgsql's form needs.
        Form.Npgsql => new NpgsqlConnectionStringBuilder { Host = host, Port = port, Username = user, Password = password, Database = database, Timeout = timeout, Pooling = false }.ConnectionString,
        Form.KeywordValue => $"host={host} port={port} user={user} password='{password.Replace("'", "\\'", StringComparison.Ordinal)}' dbname={database} connect_timeout={timeout}",
        _ => $"postgresql://{Uri.EscapeDataString(user)}:{Uri.EscapeDataString(password)}@{host}:{port}/{Uri.EscapeDataString(database)}?connect_timeout={timeout}",
    };

    static PgConnectionException Fails(string connectionString, NetworkCredential? credential = null)
    {
        var settings = new PgConnectionSettings(connectionString, credential);
        return Assert.Throws<PgConnectionException>(() => new PgExporter(settings).Dispose());
    }

    static void AssertClean(PgConnectionException ex, string server, params string[] secrets)
    {
        Assert.StartsWith($"Cannot connect to {server}: ", ex.Message, StringComparison.Ordinal);
        Assert.Equal(server, ex.Server);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(ex.ToString(), "Cannot connect to "));
        foreach (var text in new[] { ex.Message, ex.ToString() })
            foreach (var secret in secrets)
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Form.Npgsql)]
    [InlineData(Form.KeywordValue)]
    [InlineData(Form.Uri)]
    public void Each_form_logs_in_with_its_password(Form form)
    {
        if (!pg.PasswordAuthEnforced) return; // an external server's pg_hba is not ours to know
        var cs = Write(form, "127.0.0.1", pg.Port, PgCluster.PasswordUser, pg.PasswordUserPassword, _db);
        using var exporter = new PgExporter(new PgConnectionSettings(cs));
        Assert.Matches(@"^\d+:\d+:", exporter.Snapshot);
        Assert.Contains($"{PgCluster.PasswordUser}@127.0.0.1:{pg.Port}/{_db}", exporter.DescribeConnection(), StringComparison.Ordinal);
        Assert.DoesNotContain(pg.PasswordUserPassword, exporter.DescribeConnection(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Form.Npgsql)]
    [InlineData(Form.KeywordValue)]
    [InlineData(Form.Uri)]
    public void A_wrong_password_is_an_authentication_failure_without_it(Form form)
    {
        if (!pg.PasswordAuthEnforced) return;
        const string wrong = "Wr0ng 'pass' @;word";
        var cs = Write(form, "127.0.0.1", pg.Port, PgCluster.PasswordUser, wrong, _db);
        var ex = Fails(cs);
        AssertClean(ex, $"{PgCluster.PasswordUser}@127.0.0.1:{pg.Port}/{_db}", wrong, cs, Uri.EscapeDataString(wrong));
        Assert.True(ex.IsAuthentication);
        Assert.Contains("password authentication failed", ex.Message, StringComparison.Ordinal);

        var credential = Fails(Write(form, "127.0.0.1", pg.Port, "ignored", "", _db), new NetworkCredential(PgCluster.PasswordUser, wrong));
        AssertClean(credential, $"{PgCluster.PasswordUser}@127.0.0.1:{pg.Port}/{_db}", wrong);
    }

    [Theory]
    [InlineData(Form.Npgsql)]
    [InlineData(Form.KeywordValue)]
    [InlineData(Form.Uri)]
    public void A_refused_connection_names_the_server_once(Form form)
    {
        const string password = "Refused-Secret-1";
        var closed = PgClusterPorts.Closed();
        var cs = Write(form, "127.0.0.1", closed, "app", password, "shop");
        var ex = Fails(cs);
        AssertClean(ex, $"app@127.0.0.1:{closed}/shop", password, cs);
        Assert.Null(ex.SqlState);
    }

    [Theory]
    [InlineData(Form.Npgsql)]
    [InlineData(Form.KeywordValue)]
    [InlineData(Form.Uri)]
    public void An_unknown_host_is_named(Form form)
    {
        const string password = "Unknown-Host-Secret-2";
        var cs = Write(form, "no-such-host.invalid", 5432, "app", password, "shop");
        var ex = Fails(cs);
        AssertClean(ex, "app@no-such-host.invalid:5432/shop", password, cs);
    }

    [Fact]
    public void A_missing_database_is_named_with_its_sqlstate()
    {
        const string password = "No-Db-Secret-3";
        var cs = Write(Form.KeywordValue, "127.0.0.1", pg.Port, "postgres", password, "no_such_database");
        var ex = Fails(cs);
        AssertClean(ex, $"postgres@127.0.0.1:{pg.Port}/no_such_database", password, cs);
        Assert.True(ex.IsDatabaseMissing);
    }

    [Fact]
    public void Several_hosts_are_tried_in_order_and_all_named()
    {
        var closed = PgClusterPorts.Closed();
        var cs = $"host=127.0.0.1,127.0.0.1 port={closed},{pg.Port} user=postgres dbname={_db}";
        using var exporter = new PgExporter(new PgConnectionSettings(cs));
        Assert.Contains($"postgres@127.0.0.1:{closed},127.0.0.1:{pg.Port}/{_db}", exporter.DescribeConnection(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_integrity_checker_reports_a_connection_failure_as_one()
    {
        const string password = "Integrity-Secret-4";
        var closed = PgClusterPorts.Closed();
        var file = Path.Combine(Path.GetTempPath(), $"conn-{Guid.NewGuid():N}.sqlite");
        File.WriteAllBytes(file, []);
        try
        {
            var checker = new IntegrityChecker(new PgConnectionSettings($"host=127.0.0.1 port={closed} user=app password={password} dbname=shop connect_timeout=5"), file);
            var ex = Assert.Throws<PgConnectionException>(() => checker.Run(["t"]).ToList());
            AssertClean(ex, $"app@127.0.0.1:{closed}/shop", password);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The CLI's --pg takes the same forms and shows the same errors, on stdout and stderr alike.</summary>
    [Theory]
    [InlineData("refused")]
    [InlineData("wrong password")]
    [InlineData("unknown host")]
    [InlineData("missing ;")]
    [InlineData("unknown keyword")]
    [InlineData("bad syntax")]
    public async Task The_CLI_keeps_the_password_out_of_every_stream(string path)
    {
        if (path == "wrong password" && !pg.PasswordAuthEnforced) return;
        var secret = "Cli-" + Guid.NewGuid().ToString("N")[..16];
        var closed = PgClusterPorts.Closed();
        var (cs, expected, code) = path switch
        {
            "refused" => ($"host=127.0.0.1 port={closed} user=app password={secret} dbname=shop connect_timeout=5", $"Cannot connect to app@127.0.0.1:{closed}/shop", 1),
            "wrong password" => ($"postgresql://{PgCluster.PasswordUser}:{secret}@127.0.0.1:{pg.Port}/{_db}", $"Cannot connect to {PgCluster.PasswordUser}@127.0.0.1:{pg.Port}/{_db}", 1),
            "unknown host" => ($"postgresql://app:{secret}@no-such-host.invalid/shop?connect_timeout=5", "Cannot connect to app@no-such-host.invalid:5432/shop", 1),
            "missing ;" => ($"Host=db;Username=app Password={secret};Database=shop", "a ';' is missing between \"Username\" and \"Password\"", 64),
            "unknown keyword" => ($"host=db user=app passwrd={secret} dbname=shop", "\"passwrd\"", 64),
            _ => ($"host=db user=app password='{secret} dbname=shop", "no closing quote", 64),
        };
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Journal.CliProcess.Dll, "schema", "--all", "--pg", cs }) info.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var stdoutTask = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderrTask = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        var (stdout, stderr) = (await stdoutTask, await stderrTask);
        var all = stdout + stderr;
        Assert.Equal(code, process.ExitCode);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.True(System.Text.RegularExpressions.Regex.Matches(all, "Cannot connect to").Count <= 1, all);
        Assert.DoesNotContain(secret, all, StringComparison.Ordinal);
    }
}

/// <summary>A loopback port nobody listens on (bound, then released).</summary>
static class PgClusterPorts
{
    public static int Closed()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

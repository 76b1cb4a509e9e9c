using System.Net;
using Migration.Engine.Source;
using Npgsql;
using Xunit;

namespace Migration.Engine.Tests.Source;

/// <summary>How settings combine the connection string, the credential and the libpq environment (no server needed).</summary>
public sealed class PgConnectionSettingsTests
{
    static Func<string, string?> Env(params (string Name, string Value)[] vars)
    {
        var map = vars.ToDictionary(v => v.Name, v => v.Value);
        return name => map.GetValueOrDefault(name);
    }

    static NpgsqlConnectionStringBuilder Effective(PgConnectionSettings s) => new(s.ConnectionString);

    [Fact]
    public void Everything_left_out_comes_from_the_libpq_environment()
    {
        var s = new PgConnectionSettings(null, null, Env(
            ("PGHOST", "/var/run/pgsock"), ("PGPORT", "6543"), ("PGDATABASE", "shop"), ("PGUSER", "alice"),
            ("PGPASSWORD", "envSecret1"), ("PGPASSFILE", "/etc/pgpass"), ("PGSSLMODE", "verify-full"), ("PGAPPNAME", "nightly")));
        Assert.Equal("alice@/var/run/pgsock:6543/shop", s.Describe());
        var b = Effective(s);
        Assert.Equal("envSecret1", b.Password);
        Assert.Equal("/etc/pgpass", b.Passfile);
        Assert.Equal(SslMode.VerifyFull, b.SslMode);
        Assert.Equal("nightly", b.ApplicationName);
        Assert.DoesNotContain("envSecret1", s.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, PgConnectionSettings.ExportReadBufferSize)]
    [InlineData("Host=h;Read Buffer Size=16384", 16384)]
    [InlineData("Host=h;ReadBufferSize=32768", 32768)]
    public void COPY_reads_in_large_chunks_unless_the_connection_string_says_otherwise(string? connectionString, int expected) =>
        Assert.Equal(expected, Effective(new PgConnectionSettings(connectionString, null, Env(("PGHOST", "h")))).ReadBufferSize);

    [Fact]
    public void The_connection_string_wins_over_the_environment_and_the_credential_wins_over_both()
    {
        var env = Env(("PGHOST", "envhost"), ("PGPORT", "6543"), ("PGDATABASE", "envdb"), ("PGUSER", "envuser"), ("PGPASSWORD", "envpw"), ("PGSSLMODE", "require"));
        var s = new PgConnectionSettings("Host=db.example;Port=5433;Database=app;Username=bob;Password=csPw123;SSL Mode=Disable", null, env);
        Assert.Equal("bob@db.example:5433/app", s.Describe());
        Assert.Equal("csPw123", Effective(s).Password);
        Assert.Equal(SslMode.Disable, Effective(s).SslMode);

        var withCredential = new PgConnectionSettings("Host=db.example;Username=bob;Password=csPw123", new NetworkCredential("carol", "credPw456"), env);
        Assert.Equal("carol@db.example:6543/envdb", withCredential.Describe());
        Assert.Equal("credPw456", Effective(withCredential).Password);
    }

    [Fact]
    public void Defaults_follow_libpq_database_is_the_user_and_port_is_5432()
    {
        var s = new PgConnectionSettings("Host=h;Username=dave", null, Env());
        Assert.Equal("dave@h:5432/dave", s.Describe());
    }

    [Fact]
    public void A_libpq_uri_is_accepted()
    {
        var s = new PgConnectionSettings("postgresql://erin:p%40ss@db.example:6000/sales?sslmode=require&application_name=mig", null, Env());
        Assert.Equal("erin@db.example:6000/sales", s.Describe());
        Assert.Equal("p@ss", Effective(s).Password);
        Assert.Equal(SslMode.Require, Effective(s).SslMode);
        Assert.Equal("mig", Effective(s).ApplicationName);
    }

    [Fact]
    public void Bad_input_is_a_clear_error_without_the_password()
    {
        var badPort = Assert.Throws<ArgumentException>(() => new PgConnectionSettings(null, null, Env(("PGPORT", "fifty"))));
        Assert.Contains("PGPORT", badPort.Message, StringComparison.Ordinal);
        var badString = Assert.Throws<ArgumentException>(() => new PgConnectionSettings("Password=TopSecret99;Port=notaport", null, Env()));
        Assert.DoesNotContain("TopSecret99", badString.ToString(), StringComparison.Ordinal);
        var badMode = Assert.Throws<ArgumentException>(() => new PgConnectionSettings("Host=h", null, Env(("PGSSLMODE", "sometimes"))));
        Assert.Contains("PGSSLMODE", badMode.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_removes_the_password_and_the_connection_string()
    {
        const string cs = "Host=h;Username=u;Password=Hidden-42";
        var s = new PgConnectionSettings(cs, null, Env());
        var text = s.Redact($"failed for {cs} with Hidden-42");
        Assert.DoesNotContain("Hidden-42", text, StringComparison.Ordinal);
        Assert.True(s.ContainsSecret("x Hidden-42 y"));
        Assert.False(s.ContainsSecret(s.Describe()));
    }
}

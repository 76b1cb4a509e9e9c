using Migration.Engine.Source;
using Npgsql;
using Xunit;

namespace Migration.Engine.Tests.Source;

/// <summary>
/// The three ways to write a connection, as psql takes them (keyword/value, URI) and as Npgsql
/// does (Key=Value;), and their syntax errors: each names the keyword or part, never a value.
/// No server needed; the errors of a real connection are in <see cref="PgConnectionSecretsTests"/>.
/// </summary>
public sealed class PgConnectionStringFormsTests
{
    static readonly Func<string, string?> NoEnvironment = _ => null;

    static PgConnectionSettings Settings(string text) => new(text, null, NoEnvironment);

    static NpgsqlConnectionStringBuilder Effective(PgConnectionSettings s) => new(s.ConnectionString);

    [Fact]
    public void The_psql_keyword_value_form_is_read_keyword_by_keyword()
    {
        var s = Settings("host=db.example port=6000 user=app password=s3cr3t-Kv dbname=shop sslmode=require application_name=nightly connect_timeout=9");
        Assert.Equal("app@db.example:6000/shop", s.Describe());
        var b = Effective(s);
        Assert.Equal("s3cr3t-Kv", b.Password);
        Assert.Equal(SslMode.Require, b.SslMode);
        Assert.Equal("nightly", b.ApplicationName);
        Assert.Equal(9, b.Timeout);
        Assert.DoesNotContain("s3cr3t", s.ToString(), StringComparison.Ordinal);
        // libpq's connect_timeout=0 waits forever; here every connect has a timeout.
        Assert.Equal(15, Effective(Settings("host=db user=u connect_timeout=0")).Timeout);
    }

    [Fact]
    public void Keyword_value_quoting_follows_libpq()
    {
        // Spaces around '=', a quoted value with spaces, \' and \\ inside quotes, ';' inside quotes.
        var s = Settings(@"host = db  user=app password='a b\'c\\d;e' dbname = 'my db'");
        Assert.Equal("app@db:5432/my db", s.Describe());
        Assert.Equal(@"a b'c\d;e", Effective(s).Password);
    }

    [Fact]
    public void Keyword_value_hosts_and_ports_may_be_lists()
    {
        var s = Settings("host=a.example,b.example port=5432,5433 user=u dbname=d target_session_attrs=read-write");
        Assert.Equal("a.example:5432,b.example:5433", Effective(s).Host);
        Assert.Equal("u@a.example:5432,b.example:5433/d", s.Describe());
        Assert.Equal("read-write", Effective(s).TargetSessionAttributes);

        var onePort = Settings("host=a,b port=6000 user=u dbname=d");
        Assert.Equal("u@a:6000,b:6000/d", onePort.Describe());
    }

    [Fact]
    public void A_uri_is_percent_decoded_in_every_part()
    {
        var s = Settings("postgresql://app%2Bro:p%40ss%20w%3Ard@db.example:6001/sales%20db?sslmode=verify-full&application_name=mig%20one&connect_timeout=7");
        Assert.Equal("app+ro@db.example:6001/sales db", s.Describe());
        var b = Effective(s);
        Assert.Equal("p@ss w:rd", b.Password);
        Assert.Equal(SslMode.VerifyFull, b.SslMode);
        Assert.Equal("mig one", b.ApplicationName);
        Assert.Equal(7, b.Timeout);
    }

    [Fact]
    public void A_uri_may_list_hosts_use_IPv6_a_socket_directory_and_the_postgres_scheme()
    {
        var multi = Settings("postgres://u@db1:5433,db2/d");
        Assert.Equal("db1:5433,db2:5432", Effective(multi).Host);
        Assert.Equal("u@db1:5433,db2:5432/d", multi.Describe());

        var v6 = Settings("postgresql://u@[::1]:5434/d");
        Assert.Equal("::1", v6.Host);
        Assert.Equal(5434, v6.Port);

        var socket = Settings("postgresql:///d?host=%2Fvar%2Frun%2Fpostgresql&port=5435&user=u");
        Assert.Equal("u@/var/run/postgresql:5435/d", socket.Describe());
    }

    [Theory]
    [InlineData("Host=db; Port=5433; Username=u; Database=d")]
    [InlineData("Host=db;Port=5433;Username=u;Database=d;")]
    [InlineData("Server=db;Port=5433;User ID=u;Database=d")]
    public void Npgsql_form_still_works_with_or_without_spaces(string text) =>
        Assert.Equal("u@db:5433/d", Settings(text).Describe());

    [Fact]
    public void A_single_pair_and_an_Npgsql_password_with_spaces_are_not_mistaken_for_psql_form()
    {
        Assert.Equal("db", Settings("host=db").Host);
        Assert.Equal("a b=c", Effective(Settings("Host=db;Password=a b=c;Username=u")).Password);
    }

    public static TheoryData<string, string, string> SyntaxErrors => new()
    {
        // text, what the message must say, the secret it must not
        { "host=db passwrd=Kv-Secret-1 dbname=x", "\"passwrd\"", "Kv-Secret-1" },
        { "host=db password=Kv-Sec ret-2 dbname=x", "follows \"password\"", "ret-2" },
        { "host=db password='Kv-Secret-3 dbname=x", "no closing quote", "Kv-Secret-3" },
        { "host=db password=Kv-Secret-4 port=fifty", "\"fifty\" is not a port number", "Kv-Secret-4" },
        { "host=db password=Kv-Secret-5 sslmode=sometimes", "sslmode", "Kv-Secret-5" },
        { "Host=db;Username=app Password=Np-Secret-6;Database=x", "';' is missing between \"Username\" and \"Password\"", "Np-Secret-6" },
        { "Host=db Password=Np-Secret-7;Database=x", "';' is missing between \"Host\" and \"Password\"", "Np-Secret-7" },
        { "Host=db;Passwrd=Np-Secret-8;Database=x", "\"Passwrd\" is not a connection keyword", "Np-Secret-8" },
        { "Host=db;Password=Np-Secret-9;Port=notaport", "\"Port\"", "Np-Secret-9" },
        { "Host=db;Password=Np-Sec;ret-10;Database=x", "not valid", "ret-10" },
        { "postgresql://u:Uri-Secret-11%zz@db/x", "the password", "Uri-Secret-11" },
        { "postgresql://u:Uri-Secret-12@db/x?sslmod=require", "\"sslmod\"", "Uri-Secret-12" },
        { "postgresql://u:Uri-Secret-13@db:99999/x", "not a port number", "Uri-Secret-13" },
        { "postgresql://u:Uri-Secret-14@[::1/x", "IPv6", "Uri-Secret-14" },
    };

    [Theory]
    [MemberData(nameof(SyntaxErrors))]
    public void A_syntax_error_names_the_keyword_and_never_a_value(string text, string expected, string secret)
    {
        var ex = Assert.Throws<ArgumentException>(() => Settings(text));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("The connection", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, ex.ToString(), StringComparison.Ordinal);
        Assert.Null(ex.InnerException);
    }

    [Theory]
    [InlineData("host=db password=Kv-Secret-A dbname=x", "Kv-Secret-A")]
    [InlineData("host=db password='Kv Secret B' dbname=x", "Kv Secret B")]
    [InlineData("Host=db;Password=Np-Secret-C;Database=x", "Np-Secret-C")]
    [InlineData("Host=db;Password=\"Np;Secret;D\";Database=x", "Np;Secret;D")]
    [InlineData("postgresql://u:Uri%40Secret-E@db/x", "Uri@Secret-E")]
    [InlineData("postgresql://u@db/x?password=Uri-Secret-F&sslmode=disable", "Uri-Secret-F")]
    [InlineData("host=db password=Kv-Sec ret-G", "Kv-Sec")]          // malformed: still found
    public void SecretsIn_finds_the_password_in_every_form(string text, string password) =>
        Assert.Contains(password, PgConnectionSettings.SecretsIn(text));
}

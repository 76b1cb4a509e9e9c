using System.Diagnostics;
using Migration.Engine.Tests.Infrastructure;
using Migration.Engine.Tests.Journal;
using Xunit;

namespace Migration.Engine.Tests.Preflight;

/// <summary>
/// The CLI's whole-database schema path over a real database with tables D1 refuses: each refused
/// table named on stderr with its CLI fix while the others' DDL goes out; --strict stops before
/// anything; a mapping name that matches nothing is a usage error naming the closest real name.
/// </summary>
[Collection(PgCluster.Collection)]
public sealed class CliPreflightTests(PgCluster pg)
{
    string Database()
    {
        var db = pg.CreateDatabase("clipreflight");
        pg.Execute(db, MigrationPreflightTests.Sql);
        return db;
    }

    static (int Exit, string Out, string Err) Cli(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(CliProcess.Dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2))) { p.Kill(true); throw new TimeoutException("migration did not finish in two minutes."); }
        return (p.ExitCode, stdout, stderr.Result);
    }

    [Fact]
    public void Schema_all_names_each_refused_table_and_prints_the_others()
    {
        var (exit, stdout, stderr) = Cli("schema", "--pg", Database(), "--all");
        Assert.Equal(2, exit);
        Assert.Contains("refused: table public.wide: 101 columns, over D1's limit of 100 columns per table (fix with --exclude)", stderr, StringComparison.Ordinal);
        Assert.Contains("refused: table public._cf_meta: names beginning with _cf_ are reserved by D1 (fix with --map)", stderr, StringComparison.Ordinal);
        Assert.Contains("refused: table archive.items (D1 table items): archive.items and public.items would both be the D1 table items", stderr, StringComparison.Ordinal);
        Assert.Contains("refused: table public.padded", stderr, StringComparison.Ordinal);
        Assert.Contains("note: table public.wide_child: foreign key", stderr, StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE \"users\"", stdout, StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE \"wide_child\"", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("CREATE TABLE \"wide\"", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("CREATE TABLE \"items\"", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("REFERENCES \"wide\"", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Schema_strict_prints_nothing_and_lists_every_problem_in_one_error()
    {
        var dir = Path.Combine(Path.GetTempPath(), "clipreflight-" + Guid.NewGuid().ToString("N"));
        var (exit, stdout, stderr) = Cli("schema", "--pg", Database(), "--all", "--strict", "--migrations-path", dir);
        Assert.Equal(3, exit);
        Assert.Equal("", stdout.Trim());
        Assert.False(Directory.Exists(dir));
        Assert.Contains("5 tables cannot go to D1 as mapped; nothing was written:", stderr, StringComparison.Ordinal);
        foreach (var t in new[] { "public.wide", "public._cf_meta", "public.items", "archive.items", "public.padded" })
            Assert.Contains("Table " + t, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mapping_name_that_matches_nothing_is_a_usage_error_unless_allowed()
    {
        var db = Database();
        var (exit, stdout, stderr) = Cli("schema", "--pg", db, "--table", "users", "--exclude", "pasword", "--map", "user=people");
        Assert.Equal(64, exit);
        Assert.Equal("", stdout.Trim());
        Assert.Contains("--exclude \"pasword\" matches no column of the tables being migrated; did you mean \"password\"?", stderr, StringComparison.Ordinal);
        Assert.Contains("--map \"user\" matches no table of the tables being migrated; did you mean \"users\"?", stderr, StringComparison.Ordinal);

        var allowed = Cli("schema", "--pg", db, "--table", "users", "--exclude", "pasword", "--allow-unmatched-name");
        Assert.Equal(0, allowed.Exit);
        Assert.Contains("\"password\" TEXT", allowed.Out, StringComparison.Ordinal);
    }
}

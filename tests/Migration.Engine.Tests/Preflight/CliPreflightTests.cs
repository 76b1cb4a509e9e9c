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

    /// <summary>The fixture's rows: what the refused tables hold, and a child naming a refused parent.</summary>
    const string Rows = """
        INSERT INTO parents VALUES (1, 'p1'), (2, 'p2');
        INSERT INTO wide (id) SELECT g FROM generate_series(1, 3) g;
        INSERT INTO wide_child VALUES (1, 1, 1), (2, NULL, 2), (3, 2, NULL);
        INSERT INTO public.items VALUES (1, 'a'), (2, 'b');
        INSERT INTO archive.items VALUES (1, 'old');
        INSERT INTO users VALUES (1, 'ann@example.com', 'h1');
        """;

    [Fact]
    public void Migrate_all_loads_every_table_D1_takes_and_the_run_completes_with_refused_tables()
    {
        var db = Database();
        pg.Execute(db, Rows);
        var dir = Directory.CreateTempSubdirectory("clipreflight-");
        try
        {
            var path = Path.Combine(dir.FullName, "app.sqlite");
            var (exit, stdout, stderr) = Cli("migrate", "--pg", db, "--all", "--path", path, "--orphan-policy", "Skip");
            Assert.Equal(2, exit);
            Assert.Contains("refused: table public.wide: 101 columns", stderr, StringComparison.Ordinal);
            Assert.Contains("refused: table archive.items (D1 table items)", stderr, StringComparison.Ordinal);
            Assert.Contains("warning: wide_child: ForeignKey public.wide_child: foreign key", stderr, StringComparison.Ordinal);
            Assert.Contains("-OrphanPolicy Skip: those rows are left out", stderr, StringComparison.Ordinal);
            Assert.Matches(@"public\.wide\s+refused: 3 rows not written", stdout);
            Assert.Matches(@"public\.items\s+refused: 2 rows not written", stdout);

            using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
            c.Open();
            string Scalar(string sql) { using var cmd = c.CreateCommand(); cmd.CommandText = sql; return System.Convert.ToString(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? ""; }
            Assert.Equal("parents,users,wide_child", Scalar("SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'd1_migration%' AND name NOT LIKE 'sqlite%' ORDER BY name)"));
            Assert.Equal("2", Scalar("SELECT group_concat(id) FROM wide_child")); // rows naming the refused table were skipped
            Assert.Equal("CompletedWithRefusedTables", Scalar("SELECT status FROM d1_migration_runs"));
            Assert.StartsWith("completed with refused tables: ", Scalar("SELECT message FROM d1_migration_runs"), StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Migrate_all_with_max_errors_0_writes_nothing_and_lists_every_problem()
    {
        var db = Database();
        pg.Execute(db, Rows);
        var dir = Directory.CreateTempSubdirectory("clipreflight-");
        try
        {
            var path = Path.Combine(dir.FullName, "app.sqlite");
            var (exit, _, stderr) = Cli("migrate", "--pg", db, "--all", "--path", path, "--max-errors", "0");
            Assert.Equal(3, exit);
            Assert.Contains("5 tables cannot go to D1 as mapped; nothing was written:", stderr, StringComparison.Ordinal);
            foreach (var t in new[] { "public.wide", "public._cf_meta", "public.items", "archive.items", "public.padded" })
                Assert.Contains("Table " + t, stderr, StringComparison.Ordinal);
            if (File.Exists(path))
            {
                using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
                c.Open();
                using var cmd = c.CreateCommand();
                cmd.CommandText = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'd1_migration%'";
                Assert.Equal(0L, (long)cmd.ExecuteScalar()!);
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("migrate", "--exclude-tabel", "Unknown option --exclude-tabel (did you mean --exclude-table?)")]
    [InlineData("migrate", "--on-conflcit", "Unknown option --on-conflcit (did you mean --on-conflict?)")]
    [InlineData("schema", "--strickt", "Unknown option --strickt (did you mean --strict?)")]
    [InlineData("verify", "--sample-sise", "Unknown option --sample-sise (did you mean --sample-size?)")]
    [InlineData("runs", "--runid", "Unknown option --runid (did you mean --run-id?)")]
    [InlineData("undo", "--forse", "Unknown option --forse (did you mean --force?)")]
    public void An_option_the_command_does_not_take_is_a_usage_error_and_nothing_is_written(string command, string option, string message)
    {
        var path = Path.Combine(Path.GetTempPath(), "clioption-" + Guid.NewGuid().ToString("N") + ".sqlite");
        var (exit, _, stderr) = Cli(command, "--pg", Database(), "--all", "--path", path, "--last", option, "x");
        Assert.Equal(64, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }
}

using Migration.Engine.Convert;
using Migration.Engine.Source.Sqlite;
using Migration.Engine.Target;
using Migration.Engine.Target.Postgres;
using Migration.Engine.Tests.Infrastructure;
using Migration.Engine.Tests.Journal;
using Migration.Engine.Tests.RemoteD1;
using Migration.Engine.Tests.Target;
using Xunit;

namespace Migration.Engine.Tests.Pipeline;

/// <summary>
/// <c>migration migrate --direction D1ToPostgres</c>: the scenario-2 (Ignition) D1 file into its
/// Postgres schema gives exactly what Export-D1Table | ConvertTo-PgRow | Import-PgTable gives
/// through the engine (rows, id map, quarantine), and a mistake in the arguments (an unknown
/// option, a name in a map that matches nothing) is an error before anything is written.
/// </summary>
[Collection(PgCluster.Collection)]
public sealed class CliD1ToPgTests(PgCluster pg) : IDisposable
{
    readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    string IgnitionFile()
    {
        var file = _dir.File("ignition.sqlite");
        // Written with foreign keys off, as the fixture says (it holds orphans on purpose).
        TargetTestSupport.Exec(file, "PRAGMA foreign_keys = OFF;\n" + RemoteD1SourceTests.Fixture("d1.sql"));
        return file;
    }

    /// <summary>The pipeline's mapping without its computed column (a script block: pwsh only); emailVerified left out instead.</summary>
    static readonly PgConversionOptions CliMapping = new()
    {
        ColumnNaming = RemoteD1SourceTests.IgnitionMapping.ColumnNaming,
        TableMap = RemoteD1SourceTests.IgnitionMapping.TableMap,
        ColumnMap = RemoteD1SourceTests.IgnitionMapping.ColumnMap,
        Exclude = ["users.emailVerified"],
    };

    static readonly string[] CliOptions =
    [
        "--all", "--exclude-table", "sessions", "--column-naming", "SnakeCase", "--map", "user_wallet=user_progress",
        "--column-map", "user_wallet.xp=total_xp,user_wallet.level=current_level", "--exclude", "users.emailVerified",
        "--id-map", "Deterministic", "--orphan-policy", "Skip", "--batch-size", "2",
    ];

    [Fact]
    public void The_CLI_migrates_the_Ignition_file_exactly_as_the_cmdlet_pipeline_does()
    {
        var file = IgnitionFile();
        var viaPipeline = pg.CreateDatabase("cli_pipeline");
        var viaCli = pg.CreateDatabase("cli_direct");
        pg.Execute(viaPipeline, RemoteD1SourceTests.Fixture("postgres.sql"));
        pg.Execute(viaCli, RemoteD1SourceTests.Fixture("postgres.sql"));
        using (var source = new SqliteFileSource(file))
        {
            var errors = RemoteD1SourceTests.Migrate(source, viaPipeline, new PgTargetOptions { BatchSize = 2, IdMap = IdMapMode.Deterministic, OrphanPolicy = OrphanPolicy.Skip },
                mapping: CliMapping);
            Assert.Equal(2, errors.Count); // u_carol's isAdmin 2, u_dave's invalid JSON
        }

        using var process = CliProcess.Start(["migrate", "--direction", "D1ToPostgres", "--path", file, "--pg", viaCli, .. CliOptions]);
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)));
        process.WaitForExit();
        var stderr = CliProcess.StandardError(process);
        // Two rows did not convert: exit code 2, each named on stderr with its table, key and column.
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("u_carol", stderr);
        Assert.Contains("u_dave", stderr);
        Assert.Contains("orphan:", stderr);

        var expected = RemoteD1SourceTests.PgContent(viaPipeline).Where(l => !l.StartsWith("quarantine ", StringComparison.Ordinal)).ToList();
        var actual = RemoteD1SourceTests.PgContent(viaCli);
        Assert.Equal(expected, actual.Where(l => !l.StartsWith("quarantine ", StringComparison.Ordinal)).ToList());
        Assert.Equal(3, actual.Count(l => l.StartsWith("users ", StringComparison.Ordinal)));
        // The pipeline's conversion errors stay in ConvertTo-PgRow (unless -IncludeRejected); the CLI quarantines them too.
        Assert.Contains(actual, l => l.StartsWith("quarantine user_wallet user_progress userId=u_ghost Orphan", StringComparison.Ordinal));
        Assert.Contains(actual, l => l.StartsWith("quarantine users users id=u_carol Convert", StringComparison.Ordinal));
        Assert.Contains(actual, l => l.StartsWith("quarantine users users id=u_dave Convert", StringComparison.Ordinal));

        // Run again with --resume: the run completed, nothing is written twice.
        Assert.Equal(0, CliProcess.Run(["migrate", "--direction", "D1ToPostgres", "--path", file, "--pg", viaCli, "--resume", .. CliOptions]));
        Assert.Equal(actual, RemoteD1SourceTests.PgContent(viaCli));
    }

    [Theory]
    [InlineData("--exlude-table", "sessions", "Unknown option --exlude-table (did you mean --exclude-table?)")]
    [InlineData("--map", "usres=people", "no D1 table \"usres\" (did you mean users?)")]
    [InlineData("--column-map", "users.emial=mail", "no D1 column \"users.emial\" (did you mean email?)")]
    [InlineData("--exclude-table", "sesions", "--exclude-table \"sesions\" matches no table")]
    public void A_mistake_in_the_arguments_stops_before_anything_is_written(string option, string value, string message)
    {
        var file = IgnitionFile();
        var cs = pg.CreateDatabase("cli_mistake");
        pg.Execute(cs, RemoteD1SourceTests.Fixture("postgres.sql"));
        using var process = CliProcess.Start(["migrate", "--direction", "D1ToPostgres", "--path", file, "--pg", cs, "--all", "--column-naming", "SnakeCase",
            "--id-map", "Generate", option, value]);
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)));
        process.WaitForExit();
        Assert.Equal(64, process.ExitCode);
        Assert.Contains(message, CliProcess.StandardError(process));
        // No journal schema, no rows: the database is as it was.
        Assert.Equal(["0"], RoundTripTests.RowsAsText(cs, "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'migration_journal'"));
        Assert.Equal(["0"], RoundTripTests.RowsAsText(cs, "SELECT count(*) FROM users"));
    }
}

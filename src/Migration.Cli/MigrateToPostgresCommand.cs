using System.Diagnostics;
using System.Globalization;
using Migration.Engine.Convert;
using Migration.Engine.Convert.D1ToPg;
using Migration.Engine.Journal;
using Migration.Engine.Schema;
using Migration.Engine.Session;
using Migration.Engine.Source;
using Migration.Engine.Source.Sqlite;
using Migration.Engine.Target;
using Migration.Engine.Target.Postgres;

namespace Migration.Cli;

/// <summary>
/// <c>migration migrate --direction D1ToPostgres</c>: Export-D1Table | ConvertTo-PgRow |
/// Import-PgTable in one process, for a runbook or a whole database without PowerShell's
/// per-row binding. The engine's <see cref="MigrationSession"/> runs it (the journal in the
/// target database, resume, id map, orphan policy, quarantine); this command binds the
/// arguments, spelled as the cmdlets' parameters are, and prints what the session reports.
/// Computed columns (ConvertTo-PgRow -ComputedColumn) take a script block and exist in pwsh only.
/// </summary>
static class MigrateToPostgresCommand
{
    static readonly string[] Options =
    [
        "direction", "path", "pg", "all", "table", "exclude-table", "map", "column-map", "exclude", "column-naming",
        "assume-time-zone", "epoch-unit", "allow-unmatched-name", "id-map", "orphan-policy", "batch-size",
        "defer-foreign-keys", "journal-schema", "resume", "run-id", "max-errors", "quiet", "verbose",
    ];

    public static int Run(CliArguments a)
    {
        // Everything is checked before the file or the database is touched.
        a.AllowOnly(Options);
        var settings = new PgConnectionSettings(a.One("pg"));
        var path = Path.GetFullPath(a.Required("path"));
        var all = a.Flag("all");
        var tables = a.Many("table");
        var exclude = a.Many("exclude-table");
        if (!all && tables.Count == 0) throw new ArgumentException("Name the D1 tables to migrate (--table), or give --all.");
        if (exclude.Count > 0 && !all) throw new ArgumentException("--exclude-table applies with --all only; with --table, name just the tables you want.");
        var conversion = new PgConversionOptions
        {
            TableMap = a.Pairs("map"),
            ColumnMap = a.Pairs("column-map"),
            Exclude = a.Many("exclude"),
            ColumnNaming = a.Enum("column-naming", ColumnNaming.AsIs),
            Settings = new D1ToPgSettings
            {
                AssumeTimeZone = D1ToPgSettings.TimeZone(a.One("assume-time-zone") ?? "UTC"),
                EpochUnit = a.Enum("epoch-unit", EpochUnit.Auto),
            },
        };
        var target = new PgTargetOptions
        {
            BatchSize = a.One("batch-size") is { } b ? int.Parse(b, NumberStyles.None, CultureInfo.InvariantCulture) : new PgTargetOptions().BatchSize,
            IdMap = a.Enum("id-map", IdMapMode.None),
            OrphanPolicy = a.Enum("orphan-policy", OrphanPolicy.Fail),
            JournalSchema = a.One("journal-schema") ?? PgJournal.DefaultSchema,
            DeferForeignKeys = a.Flag("defer-foreign-keys"),
        };
        var maxErrors = a.One("max-errors") is { } m ? long.Parse(m, NumberStyles.None, CultureInfo.InvariantCulture) : long.MaxValue;
        var runId = a.One("run-id") is { } id ? long.Parse(id, NumberStyles.None, CultureInfo.InvariantCulture) : (long?)null;
        var resume = a.Flag("resume") || runId is not null;
        var quiet = a.Flag("quiet");
        var verbose = a.Flag("verbose");
        if (!File.Exists(path)) throw new ArgumentException($"The D1 file {path} does not exist.");

        using var source = new SqliteFileSource(path);
        var chosen = source.Choose(all, tables, exclude, "migrated", out var forward, "--table", "--exclude-table");
        foreach (var f in forward) Console.Error.WriteLine($"warning: foreign key cycle: {f} points forward in the load order.");
        IReadOnlyList<TableSchema> catalog;
        using (var exporter = new PgExporter(settings))
            catalog = [.. exporter.DescribeAll(PgTableSelection.All, out _).Where(t => t.SourceSchema != target.JournalSchema)];
        var converter = new PgRowConverter(conversion, catalog);
        converter.CheckMapping(chosen, a.Flag("allow-unmatched-name")); // a typo stops here, before the run is journaled

        var report = new MigrateCommand.ConsoleReport(quiet, verbose, afterCommit: null);
        var total = Stopwatch.StartNew();
        using var session = new MigrationSession(new PgDatabase(settings, target), new SessionOptions
        {
            Import = new ImportOptions { BatchSize = target.BatchSize, OrphanPolicy = target.OrphanPolicy, StopAtFirstRefusal = maxErrors == 0 },
            Source = path,
            Resume = resume,
            RunId = runId,
            MaxErrors = maxErrors,
            MaxErrorsOption = "--max-errors",
            ResumeOption = "--resume",
        }, report);
        if (!session.Start())
        {
            Console.WriteLine($"Run {session.Run!.RunId} in {settings.Describe()} completed already; nothing to resume.");
            return 0;
        }
        var run = session.Run!;
        IReadOnlyList<TableSummary> summaries;
        try
        {
            summaries = session.Transfer(source, chosen, converter);
        }
        catch (Exception ex)
        {
            // What was committed stays and is in the journal; the run can be resumed.
            try { session.Fail(ex.Message); }
            catch (Exception failed) { Console.Error.WriteLine($"migration: run {run.RunId} could not be marked failed: {failed.Message}"); }
            if (ex is MaxErrorsExceededException or RowRefusedException)
            {
                Console.Error.WriteLine($"migration: {ex.Message} Run {run.RunId} stopped; resume it with --resume --run-id {run.RunId}.");
                return 3;
            }
            throw;
        }
        total.Stop();
        var orphans = summaries.Sum(s => s.RowsOrphaned);
        if (!quiet)
        {
            Console.WriteLine($"Migrated {path} into {settings.Describe()}");
            MigrateCommand.PrintSummaries(summaries);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Total {total.Elapsed.TotalSeconds:F2} s; conversion errors {session.ConversionErrors}; rejected rows {session.RowErrors}; orphans {orphans}."));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Run {run.RunId}: {run.Quarantined} rows quarantined{(run.IsResumed ? $", {run.RowsAlreadyWritten} already written by an earlier attempt" : "")}."));
        }
        return session.ConversionErrors + session.RowErrors == 0 ? 0 : 2;
    }
}

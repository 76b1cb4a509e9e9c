using System.Diagnostics;
using System.Globalization;
using Migration.Engine.Convert;
using Migration.Engine.Journal;
using Migration.Engine.Preflight;
using Migration.Engine.Schema;
using Migration.Engine.Session;
using Migration.Engine.Source;
using Migration.Engine.Target;

namespace Migration.Cli;

/// <summary>
/// <c>migration migrate</c>: Export-PgTable | ConvertTo-D1Row | Import-D1Batch in one process.
/// The engine's <see cref="MigrationSession"/> runs it (journal, resume after the last committed
/// key, quarantine, --max-errors, --error-log); this command binds the arguments and prints
/// what the session reports: bad rows on stderr, the summary on stdout.
/// </summary>
static class MigrateCommand
{
    public static int Run(CliArguments a)
    {
        var direction = a.One("direction") ?? "PostgresToD1";
        if (string.Equals(direction, "D1ToPostgres", StringComparison.OrdinalIgnoreCase)) return MigrateToPostgresCommand.Run(a);
        if (!string.Equals(direction, "PostgresToD1", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"--direction takes PostgresToD1 (the default) or D1ToPostgres, not '{direction}'.");
        a.AllowOnly([.. CliArguments.TableChoiceOptions, .. CliArguments.ConversionOptionNames, "direction", "pg", "path", "backup", "batch-size", "error-log", "max-errors", "no-journal", "on-conflict", "orphan-policy", "quiet", "resume", "run-id", "verbose", "what-if"]);
        var settings = new PgConnectionSettings(a.One("pg"));
        var tables = a.Many("table");
        var chooser = a.TableChooser();
        chooser.Validate();
        var path = Path.GetFullPath(a.Required("path"));

        var options = a.ConversionOptions();
        var maxErrors = a.One("max-errors") is { } m ? long.Parse(m, NumberStyles.None, CultureInfo.InvariantCulture) : long.MaxValue;
        var importOptions = new ImportOptions
        {
            BatchSize = int.Parse(a.One("batch-size") ?? "1000", CultureInfo.InvariantCulture),
            OnConflict = a.Enum("on-conflict", OnConflict.Abort),
            DryRun = a.Flag("what-if"),
            OrphanPolicy = a.Enum("orphan-policy", OrphanPolicy.Fail),
            // --max-errors 0: the first refused row stops the run there (its batch rolled back),
            // not after later batches were written by the background writer.
            StopAtFirstRefusal = maxErrors == 0,
        };
        var quiet = a.Flag("quiet");
        var verbose = a.Flag("verbose");
        var runId = a.One("run-id") is { } id ? long.Parse(id, NumberStyles.None, CultureInfo.InvariantCulture) : (long?)null;
        var resume = a.Flag("resume") || runId is not null;

        var journaled = !importOptions.DryRun && !a.Flag("no-journal");
        if (resume && !journaled) throw new ArgumentException("--resume needs the journal: it cannot go with --what-if or --no-journal.");

        var observe = FaultInjection.FromEnvironment(out var afterCommit);
        var report = new ConsoleReport(quiet, verbose, afterCommit);
        var total = Stopwatch.StartNew();
        using var session = new MigrationSession(path, new SessionOptions
        {
            Import = importOptions,
            Journal = journaled,
            Source = settings.Describe(),
            Tables = tables,
            Conversion = options,
            Resume = resume,
            RunId = runId,
            BackupPath = a.One("backup") is { } b ? Path.GetFullPath(b) : null,
            MaxErrors = maxErrors,
            MaxErrorsOption = "--max-errors",
            ResumeOption = "--resume",
            // Like Import-D1Batch -ErrorLog: a CSV copy of every failed row, beside the journal's quarantine.
            ErrorLogPath = a.One("error-log") is { } log ? Path.GetFullPath(log) : null,
            ObserveJournal = observe,
        }, report);
        if (!session.Start())
        {
            Console.WriteLine($"Run {session.Run!.RunId} completed already; nothing to resume.");
            return 0;
        }
        var run = session.Run;
        IReadOnlyList<TableSummary> summaries;
        try
        {
            using var exporter = new PgExporter(settings);
            session.OpenTarget();
            var sources = chooser.Describe(exporter, m => { if (verbose) Console.Error.WriteLine("verbose: " + m); });
            summaries = session.Transfer(exporter, sources, new RowConverter(options));
        }
        catch (Exception ex) when (run is not null)
        {
            // What was committed stays and is in the journal; the run can be resumed.
            try { session.Fail(ex.Message); }
            catch (Exception failed) { Console.Error.WriteLine($"migration: run {run.RunId} could not be marked failed: {failed.Message}"); }
            if (ex is PreflightException refused)
            {
                // --max-errors 0: every table D1 cannot take, at once, before anything was written.
                var refusedCount = refused.Report.Refusals.Select(p => p.Table).Distinct(StringComparer.Ordinal).Count();
                Console.Error.WriteLine($"migration: {refusedCount} table{(refusedCount == 1 ? "" : "s")} cannot go to D1 as mapped; nothing was written:"
                    + string.Concat(refused.Report.Refusals.Select(p => "\n  " + CliPreflight.Describe(p))));
                return 3;
            }
            if (ex is MaxErrorsExceededException or RowRefusedException)
            {
                Console.Error.WriteLine($"migration: {ex.Message} Run {run.RunId} stopped; resume it with --resume --run-id {run.RunId}.");
                return 3;
            }
            throw;
        }
        total.Stop();

        if (!quiet)
        {
            Console.WriteLine(importOptions.DryRun ? "What if: nothing was written." : $"Migrated into {path}");
            PrintSummaries(summaries);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Total {total.Elapsed.TotalSeconds:F2} s; conversion errors {session.ConversionErrors}; rejected rows {session.RowErrors}."));
            if (run is not null)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Run {run.RunId}: {run.Quarantined} rows quarantined{(run.IsResumed ? $", {run.RowsAlreadyWritten} already written by an earlier attempt" : "")}."));
        }
        return session.ConversionErrors + session.RowErrors == 0 && session.RefusedTables.Count == 0 ? 0 : 2;
    }

    /// <summary>One line per table written (and per table refused), both directions alike.</summary>
    internal static void PrintSummaries(IReadOnlyList<TableSummary> summaries)
    {
        Console.WriteLine($"{"Table",-20} {"Written",10} {"Skipped",8} {"Failed",7} {"Batches",8} {"Seconds",8} {"Rows/s",10}");
        foreach (var s in summaries.Where(s => s.Refused is null))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{s.Table,-20} {s.RowsWritten,10} {s.RowsSkipped,8} {s.RowsFailed,7} {s.Batches,8} {s.Elapsed.TotalSeconds,8:F2} {s.RowsPerSecond,10:F0}"));
        foreach (var s in summaries.Where(s => s.Refused is not null))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.Table,-20} refused: {s.RowsNotWritten} rows not written"));
    }

    /// <summary>What the session reports, as the CLI prints it: bad rows and warnings on stderr.</summary>
    internal sealed class ConsoleReport(bool quiet, bool verbose, Action<BatchResult>? afterCommit) : IMigrationObserver
    {
        public void RunStarted(IJournaledRun run)
        {
            if (!quiet) Console.WriteLine(run.IsResumed ? $"Resuming run {run.RunId} (attempt {run.Attempts})." : $"Run {run.RunId} started.");
            foreach (var table in run.RestartedTables)
                Console.Error.WriteLine($"note: {table} has no primary key: it is written again from its start (the run's earlier rows there were taken out).");
        }

        public void ConversionFailed(string table, ConversionException error) => Console.Error.WriteLine("conversion failed: " + error.Message);

        public void TableRefused(TableRefusedException refusal) =>
            Console.Error.WriteLine($"refused: table {refusal.Problems[0].TableDescription}: "
                + string.Join("; ", refusal.Problems.Select(p => $"{p.Reason} (fix with {CliPreflight.Option(p.FixParameter)})")) + "; its rows are not written.");

        public void RowFailed(RowError e) =>
            Console.Error.WriteLine($"rejected: table {e.Table}, row {e.Key}, column {e.Column ?? "-"}: {e.Reason} (value: {e.ValueExcerpt})");

        public void BatchCommitted(BatchResult batch) => afterCommit?.Invoke(batch);

        public void OrphanFound(OrphanRow orphan)
        {
            if (orphan.Action != "Refused") Console.Error.WriteLine("orphan: " + orphan);
        }

        public void DefinitionWarning(SchemaWarning warning)
        {
            if (!quiet) Console.Error.WriteLine("warning: " + warning);
        }

        public void TargetWarning(SchemaWarning warning) => Console.Error.WriteLine("warning: " + warning);

        public void Verbose(string message)
        {
            if (verbose) Console.Error.WriteLine("verbose: " + message);
        }

        public void TableStarted(TableSchema table, string plan) => Verbose(plan);
    }
}

using System.Diagnostics;
using System.Globalization;
using Migration.Engine.Convert;
using Migration.Engine.Journal;
using Migration.Engine.Source;
using Migration.Engine.Target;

namespace Migration.Cli;

/// <summary>
/// <c>migration migrate</c>: Export-PgTable | ConvertTo-D1Row | Import-D1Batch in one process.
/// Bad rows are reported on stderr, counted and quarantined in the journal; the others go on,
/// as in the cmdlets. Every run is journaled in the target (unless a dry run or --no-journal);
/// <c>--resume</c> continues the newest unfinished run (or <c>--run-id N</c>) after the last
/// committed key of each table, so nothing is read twice, written twice or lost.
/// </summary>
static class MigrateCommand
{
    public static int Run(CliArguments a)
    {
        var settings = new PgConnectionSettings(a.One("pg"));
        var tables = a.Many("table");
        var all = a.Flag("all");
        if (tables.Count == 0 && !all) throw new ArgumentException("--table (one or more) or --all is required.");
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
        var runId = a.One("run-id") is { } id ? long.Parse(id, NumberStyles.None, CultureInfo.InvariantCulture) : (long?)null;
        var resume = a.Flag("resume") || runId is not null;

        var journaled = !importOptions.DryRun && !a.Flag("no-journal");
        if (resume && !journaled) throw new ArgumentException("--resume needs the journal: it cannot go with --what-if or --no-journal.");

        var converter = new RowConverter(options);
        long conversionErrors = 0, rowErrors = 0;
        var total = Stopwatch.StartNew();
        using var run = journaled
            ? MigrationJournal.Start(path, new RunStart
            {
                Source = settings.Describe(),
                Tables = tables,
                Options = string.Create(CultureInfo.InvariantCulture, $"batch-size={importOptions.BatchSize} on-conflict={importOptions.OnConflict} timestamp-format={options.TimestampFormat} numeric-as={options.NumericAs} non-finite={options.NonFinite}"),
                Resume = resume,
                RunId = runId,
                BackupPath = a.One("backup") is { } b ? Path.GetFullPath(b) : null,
            })
            : null;
        if (run is { IsResumed: true, StatusAtStart: RunStatus.Completed })
        {
            Console.WriteLine($"Run {run.RunId} completed already; nothing to resume.");
            return 0;
        }
        if (run is not null && !quiet)
            Console.WriteLine(run.IsResumed ? $"Resuming run {run.RunId} (attempt {run.Attempts})." : $"Run {run.RunId} started.");
        foreach (var table in run?.RestartedTables ?? [])
            Console.Error.WriteLine($"note: {table} has no primary key: it is written again from its start (the run's earlier rows there were taken out).");

        // Like Import-D1Batch -ErrorLog: a CSV copy of every failed row, beside the journal's quarantine.
        using var errorLog = a.One("error-log") is { } log && !importOptions.DryRun ? new ErrorLogCsv(Path.GetFullPath(log)) : null;
        IReadOnlyList<TableSummary> summaries;
        try
        {
            using var exporter = new PgExporter(settings);
            var observe = FaultInjection.FromEnvironment(out var afterCommit);
            using var target = run is null ? SqliteTarget.Open(path, importOptions) : run.OpenTarget(importOptions, observe);
            if (afterCommit is not null) target.BatchCommitted += afterCommit;
            target.RowFailed += e =>
            {
                rowErrors++;
                errorLog?.Write(run?.RunId, e.Table, e.Key, e.Column, QuarantineStage.Write, e.Reason, e.ValueExcerpt);
                Console.Error.WriteLine($"rejected: table {e.Table}, row {e.Key}, column {e.Column ?? "-"}: {e.Reason} (value: {e.ValueExcerpt})");
            };
            target.SchemaWarningRaised += w => Console.Error.WriteLine("warning: " + w);
            target.OrphanFound += o =>
            {
                if (o.Action != "Refused") Console.Error.WriteLine("orphan: " + o);
            };
            if (a.Flag("verbose")) target.Log += m => Console.Error.WriteLine("verbose: " + m);
            var sources = SchemaCommand.Describe(exporter, a, all, tables, m => { if (a.Flag("verbose")) Console.Error.WriteLine("verbose: " + m); });
            // Every table is checked against D1's limits before anything is written.
            var targets = sources.Select(converter.TargetSchemaFor).ToList();
            D1Ddl.CheckTables(targets);
            if (!quiet)
                foreach (var w in targets.SelectMany(t => t.Definition?.Warnings ?? []))
                    Console.Error.WriteLine("warning: " + w);
            foreach (var table in sources)
            {
                var d1Table = converter.TargetSchemaFor(table).Name;
                // Keyset: a resumed run reads only what comes after the table's checkpoint.
                var afterKey = run?.ResumeKey(d1Table);
                foreach (var row in exporter.Export(table, afterKey))
                {
                    Engine.Schema.Row d1;
                    try { d1 = converter.Convert(row); }
                    catch (ConversionException ex)
                    {
                        conversionErrors++;
                        run?.Quarantine(d1Table, ex.Key, ex.Column, ex.Reason, ex.ValueExcerpt, QuarantineStage.Convert);
                        errorLog?.Write(run?.RunId, d1Table, ex.Key, ex.Column, QuarantineStage.Convert, ex.Reason, ex.ValueExcerpt);
                        Console.Error.WriteLine("conversion failed: " + ex.Message);
                        if (conversionErrors + rowErrors > maxErrors) throw new MaxErrorsException(maxErrors);
                        continue;
                    }
                    if (run is not null && run.IsAlreadyWritten(d1)) continue;
                    target.Add(d1);
                    if (conversionErrors + rowErrors > maxErrors) throw new MaxErrorsException(maxErrors);
                }
            }
            summaries = target.Complete();
            run?.Complete();
        }
        catch (Exception ex) when (run is not null)
        {
            // What was committed stays and is in the journal; the run can be resumed.
            try { run.Fail(ex.Message); }
            catch (Exception failed) { Console.Error.WriteLine($"migration: run {run.RunId} could not be marked failed: {failed.Message}"); }
            if (ex is MaxErrorsException or RowRefusedException)
            {
                Console.Error.WriteLine($"migration: {ex.Message} Run {run.RunId} stopped; fix the source and resume it with --resume --run-id {run.RunId}.");
                return 3;
            }
            throw;
        }
        total.Stop();

        if (!quiet)
        {
            Console.WriteLine(importOptions.DryRun ? "What if: nothing was written." : $"Migrated into {path}");
            Console.WriteLine($"{"Table",-20} {"Written",10} {"Skipped",8} {"Failed",7} {"Batches",8} {"Seconds",8} {"Rows/s",10}");
            foreach (var s in summaries)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{s.Table,-20} {s.RowsWritten,10} {s.RowsSkipped,8} {s.RowsFailed,7} {s.Batches,8} {s.Elapsed.TotalSeconds,8:F2} {s.RowsPerSecond,10:F0}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Total {total.Elapsed.TotalSeconds:F2} s; conversion errors {conversionErrors}; rejected rows {rowErrors}."));
            if (run is not null)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Run {run.RunId}: {run.Quarantined} rows quarantined{(run.IsResumed ? $", {run.RowsAlreadyWritten} already written by an earlier attempt" : "")}."));
        }
        return conversionErrors + rowErrors == 0 ? 0 : 2;
    }

    sealed class MaxErrorsException(long max) : Exception($"More than {max} rows failed (--max-errors {max}).");
}

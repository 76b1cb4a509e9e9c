using System.Diagnostics;
using System.Globalization;
using Migration.Engine.Convert;
using Migration.Engine.Source;
using Migration.Engine.Target;

namespace Migration.Cli;

/// <summary>
/// <c>migration migrate</c>: Export-PgTable | ConvertTo-D1Row | Import-D1Batch in one process.
/// Bad rows are reported on stderr and counted; the others go on, as in the cmdlets.
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

        var options = new ConversionOptions
        {
            TableMap = a.Pairs("map"),
            ColumnMap = a.Pairs("column-map"),
            Exclude = a.Many("exclude"),
            TimestampFormat = a.Enum("timestamp-format", TimestampFormat.Iso8601),
            NumericAs = a.Enum("numeric-as", NumericMode.Auto),
            NonFinite = a.Enum("non-finite", NonFiniteMode.Error),
        };
        var importOptions = new ImportOptions
        {
            BatchSize = int.Parse(a.One("batch-size") ?? "1000", CultureInfo.InvariantCulture),
            OnConflict = a.Enum("on-conflict", OnConflict.Abort),
            DryRun = a.Flag("what-if"),
            OrphanPolicy = a.Enum("orphan-policy", OrphanPolicy.Fail),
        };
        var quiet = a.Flag("quiet");

        var converter = new RowConverter(options);
        long conversionErrors = 0, rowErrors = 0;
        var total = Stopwatch.StartNew();
        IReadOnlyList<TableSummary> summaries;
        using (var exporter = new PgExporter(settings))
        using (var target = SqliteTarget.Open(path, importOptions))
        {
            target.RowFailed += e =>
            {
                rowErrors++;
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
                foreach (var row in exporter.Export(table))
                {
                    Engine.Schema.Row d1;
                    try { d1 = converter.Convert(row); }
                    catch (ConversionException ex)
                    {
                        conversionErrors++;
                        Console.Error.WriteLine("conversion failed: " + ex.Message);
                        continue;
                    }
                    target.Add(d1);
                }
            }
            summaries = target.Complete();
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
        }
        return conversionErrors + rowErrors == 0 ? 0 : 2;
    }
}

using Migration.Engine.Convert;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Migration.Engine.Target;

namespace Migration.Engine.Tests.WholeDatabase;

/// <summary>
/// The whole-database pipeline as the cmdlets run it: PgExporter.DescribeAll (dependency order)
/// -> RowConverter -> SqliteTarget, collecting everything the target reports.
/// </summary>
public sealed class MigrationRun
{
    public List<RowError> Errors { get; } = [];
    public List<OrphanRow> Orphans { get; } = [];
    public List<string> Log { get; } = [];
    public List<TableSummary> Summaries { get; } = [];
    public List<string> Order { get; } = [];

    public TableSummary Summary(string table) => Summaries.Single(s => s.Table == table);

    public static MigrationRun Run(string db, string path, PgTableSelection selection, ConversionOptions options, ImportOptions? import = null)
    {
        var run = new MigrationRun();
        var converter = new RowConverter(options);
        using var exporter = new PgExporter(new PgConnectionSettings(db));
        using var target = SqliteTarget.Open(path, import ?? new ImportOptions());
        target.RowFailed += run.Errors.Add;
        target.OrphanFound += run.Orphans.Add;
        target.Log += run.Log.Add;
        foreach (var table in exporter.DescribeAll(selection, out _))
        {
            run.Order.Add(table.SourceDisplayName);
            foreach (var row in exporter.Export(table)) target.Add(converter.Convert(row));
        }
        run.Summaries.AddRange(target.Complete());
        return run;
    }
}

using Migration.Engine.Convert;
using Migration.Engine.Schema;
using Migration.Engine.Session;
using Migration.Engine.Source;
using Migration.Engine.Target;

namespace Migration.Engine.Tests.WholeDatabase;

/// <summary>
/// The whole-database pipeline as the CLI runs it: a <see cref="MigrationSession"/> (no journal)
/// pulling PgExporter.DescribeAll's tables (dependency order) through RowConverter into the
/// SQLite target, collecting everything the session reports.
/// </summary>
public sealed class WholeDatabaseRun : IMigrationObserver
{
    public List<RowError> Errors { get; } = [];
    public List<OrphanRow> Orphans { get; } = [];
    public List<string> Log { get; } = [];
    public List<TableSummary> Summaries { get; } = [];
    public List<string> Order { get; } = [];

    public TableSummary Summary(string table) => Summaries.Single(s => s.Table == table);

    public static WholeDatabaseRun Run(string db, string path, PgTableSelection selection, ConversionOptions options, ImportOptions? import = null) =>
        Run(db, new Migration.Engine.Target.Sqlite.LocalD1Database(path), selection, options, new SessionOptions { Import = import ?? new ImportOptions(), Journal = false });

    /// <summary>The same into any target (a remote D1), with the session's options (journal, resume).</summary>
    public static WholeDatabaseRun Run(string db, ITargetDatabase target, PgTableSelection selection, ConversionOptions options, SessionOptions session)
    {
        var run = new WholeDatabaseRun();
        using var exporter = new PgExporter(new PgConnectionSettings(db));
        var tables = exporter.DescribeAll(selection, out _);
        run.Order.AddRange(tables.Select(t => t.SourceDisplayName));
        using var migration = new MigrationSession(target, session, run);
        migration.Start();
        run.Summaries.AddRange(migration.Transfer(exporter, tables, new RowConverter(options)));
        return run;
    }

    void IMigrationObserver.RowFailed(RowError error) => Errors.Add(error);

    void IMigrationObserver.OrphanFound(OrphanRow orphan) => Orphans.Add(orphan);

    void IMigrationObserver.Verbose(string message) => Log.Add(message);
}

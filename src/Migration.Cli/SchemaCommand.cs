using Migration.Engine.Convert;
using Migration.Engine.Preflight;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Migration.Engine.Target;

namespace Migration.Cli;

/// <summary>
/// <c>migration schema</c>: Export-D1Schema in one process. Prints the D1 DDL (statements in load
/// order, warnings as comments on stderr), or with <c>--migrations-path</c> writes it as the next
/// numbered wrangler migration file. Every table is checked first: a table D1 cannot take is
/// named on stderr and left out (exit code 2), the others' DDL goes out; with <c>--strict</c>
/// one error lists every problem and nothing is printed or written (exit code 3).
/// </summary>
static class SchemaCommand
{
    public static int Run(CliArguments a)
    {
        a.AllowOnly([.. CliArguments.TableChoiceOptions, .. CliArguments.ConversionOptionNames, "pg", "allow-unmatched-name", "migrations-path", "migration-name", "strict"]);
        var settings = new PgConnectionSettings(a.One("pg"));
        var chooser = a.TableChooser();
        chooser.Validate();
        var options = a.ConversionOptions();
        IReadOnlyList<TableSchema> sources;
        PreflightReport report;
        using (var exporter = new PgExporter(settings))
        {
            sources = chooser.Describe(exporter, m => Console.Error.WriteLine("-- " + m));
            report = MigrationPreflight.Check(sources, new RowConverter(options));
        }
        CliPreflight.ThrowIfUnmatched(MigrationPreflight.UnmatchedNames(sources, options), a.Flag("allow-unmatched-name"));
        var refused = CliPreflight.Report(report, stop: a.Flag("strict"));
        var d1 = report.Accepted;
        var statements = D1Ddl.Statements(d1);
        var warnings = d1.SelectMany(t => t.Definition?.Warnings ?? []).ToList();
        foreach (var w in warnings) Console.Error.WriteLine("-- warning: " + w);
        if (a.One("migrations-path") is { } folder)
        {
            var notes = report.RefusedTables.Select(r => new SchemaWarning(r.D1Table ?? r.Table, "Table", r.Table,
                "refused, not in this migration: " + string.Join("; ", r.Problems.Select(CliPreflight.Describe)))).Concat(warnings);
            var file = D1Ddl.WriteMigration(Path.GetFullPath(folder), a.One("migration-name") ?? "from_postgres", D1Ddl.Script(statements, notes));
            Console.WriteLine(file);
            return refused ? 2 : 0;
        }
        foreach (var s in statements) Console.WriteLine(s.Sql + ";\n");
        return refused ? 2 : 0;
    }
}

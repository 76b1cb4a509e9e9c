using Migration.Engine.Convert;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Migration.Engine.Target;

namespace Migration.Cli;

/// <summary>
/// <c>migration schema</c>: Export-D1Schema in one process. Prints the D1 DDL (statements in load
/// order, warnings as comments on stderr), or with <c>--migrations-path</c> writes it as the next
/// numbered wrangler migration file.
/// </summary>
static class SchemaCommand
{
    public static int Run(CliArguments a)
    {
        var settings = new PgConnectionSettings(a.One("pg"));
        var chooser = a.TableChooser();
        chooser.Validate();
        var options = a.ConversionOptions();
        List<TableSchema> d1;
        using (var exporter = new PgExporter(settings))
        {
            var converter = new RowConverter(options);
            d1 = [.. chooser.Describe(exporter, m => Console.Error.WriteLine("-- " + m)).Select(converter.TargetSchemaFor)];
        }
        D1Ddl.CheckTables(d1);
        var statements = D1Ddl.Statements(d1);
        var warnings = d1.SelectMany(t => t.Definition?.Warnings ?? []).ToList();
        foreach (var w in warnings) Console.Error.WriteLine("-- warning: " + w);
        if (a.One("migrations-path") is { } folder)
        {
            var file = D1Ddl.WriteMigration(Path.GetFullPath(folder), a.One("migration-name") ?? "from_postgres", D1Ddl.Script(statements, warnings));
            Console.WriteLine(file);
            return 0;
        }
        foreach (var s in statements) Console.WriteLine(s.Sql + ";\n");
        return 0;
    }
}

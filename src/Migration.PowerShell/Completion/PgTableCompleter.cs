using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Migration.PowerShell.Completion;

/// <summary>
/// Completes -Table/-ExcludeTable from the Postgres catalog of the connection the command line
/// names (-ConnectionString, -Credential, PG* variables): ordinary and partitioned tables, as
/// <c>table</c> in the public schema and <c>schema.table</c> elsewhere (the forms -Table takes).
/// </summary>
public sealed class PgTableCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        ArgumentNullException.ThrowIfNull(fakeBoundParameters);
        var settings = CompletionSource.Connection(fakeBoundParameters);
        if (settings is null) return [];
        var prefix = CompletionSource.Prefix(wordToComplete);
        var tables = CompletionSource.Within<(string Schema, string Name, long Rows)>(() =>
        {
            using var connection = settings.OpenConnection();
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT n.nspname, c.relname, c.reltuples::bigint
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
                ORDER BY n.nspname <> 'public', n.nspname, c.relname
                """;
            var found = new List<(string, string, long)>();
            using var reader = command.ExecuteReader();
            while (reader.Read()) found.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
            return found;
        });
        return tables
            .Select(t => (Text: t.Schema == "public" ? t.Name : $"{t.Schema}.{t.Name}", t.Schema, t.Name, t.Rows))
            .Where(t => t.Text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || t.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(t => CompletionSource.Result(t.Text, $"{t.Schema}.{t.Name}{(t.Rows >= 0 ? $" (about {t.Rows} rows)" : "")}"))
            .ToList();
    }
}

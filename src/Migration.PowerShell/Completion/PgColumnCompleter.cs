using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Migration.PowerShell.Completion;

/// <summary>
/// Completes -Column from the Postgres catalog: the columns of the tables the command line
/// already names in -Table (all tables' columns when it names none yet), in column order.
/// </summary>
public sealed class PgColumnCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        ArgumentNullException.ThrowIfNull(fakeBoundParameters);
        var settings = CompletionSource.Connection(fakeBoundParameters);
        if (settings is null) return [];
        var tables = CompletionSource.Strings(fakeBoundParameters, "Table");
        var prefix = CompletionSource.Prefix(wordToComplete);
        var columns = CompletionSource.Within<(string Column, string Table, string Type)>(() =>
        {
            using var connection = settings.OpenConnection();
            using var command = connection.CreateCommand();
            // A table given as schema.table or table (search_path), as -Table takes it; to_regclass
            // returns NULL for a name that is not a table, so a half-typed -Table completes nothing.
            command.CommandText = """
                SELECT a.attname, c.relname, format_type(a.atttypid, a.atttypmod)
                FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                  AND (cardinality($1::text[]) = 0 OR c.oid = ANY (SELECT to_regclass(t) FROM unnest($1::text[]) t))
                ORDER BY c.relname, a.attnum
                """;
            command.Parameters.AddWithValue(tables.ToArray());
            var found = new List<(string, string, string)>();
            using var reader = command.ExecuteReader();
            while (reader.Read()) found.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            return found;
        });
        return columns
            .Where(c => c.Column.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .GroupBy(c => c.Column, StringComparer.Ordinal)
            .Select(g => CompletionSource.Result(g.Key, string.Join(", ", g.Select(c => $"{c.Table}.{c.Column} {c.Type}"))))
            .ToList();
    }
}

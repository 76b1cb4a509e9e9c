using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Migration.Engine.Source.Sqlite;

namespace Migration.PowerShell.Completion;

/// <summary>
/// Completes -Table/-ExcludeTable of Export-D1Table and Export-PgSchema from the D1 file the
/// command line names (-Path or -LiteralPath): the user tables -All would take, with their columns as the tool tip.
/// </summary>
public sealed class D1TableCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        ArgumentNullException.ThrowIfNull(fakeBoundParameters);
        var path = CompletionSource.ExistingFile(fakeBoundParameters, "LiteralPath", "Path");
        if (path is null) return [];
        var prefix = CompletionSource.Prefix(wordToComplete);
        var tables = CompletionSource.Within(() =>
        {
            using var source = new SqliteFileSource(path);
            return source.Describe(source.TableNames()).Select(t => (t.Name, Columns: string.Join(", ", t.Columns.Select(c => c.Name)))).ToList();
        });
        return tables.Where(t => t.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(t => CompletionSource.Result(t.Name, $"{t.Name} ({t.Columns})")).ToList();
    }
}

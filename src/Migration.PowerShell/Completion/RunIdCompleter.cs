using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using Migration.Engine.Journal;

namespace Migration.PowerShell.Completion;

/// <summary>
/// Completes -RunId from the journal of the D1 file the command line names (-Path, -LiteralPath,
/// or Export-PgTable's -ResumeFrom), newest first, each with its status and tables as tooltip.
/// </summary>
public sealed class RunIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        ArgumentNullException.ThrowIfNull(fakeBoundParameters);
        var path = CompletionSource.ExistingFile(fakeBoundParameters, "LiteralPath", "Path", "ResumeFrom");
        if (path is null) return [];
        var prefix = CompletionSource.Prefix(wordToComplete);
        var runs = CompletionSource.Within(() => MigrationJournal.GetRuns(path));
        return runs
            .Reverse()
            .Select(r => (Id: r.RunId.ToString(CultureInfo.InvariantCulture), Run: r))
            .Where(r => r.Id.StartsWith(prefix, StringComparison.Ordinal))
            .Select(r => new CompletionResult(r.Id, $"{r.Id} {r.Run.Status}", CompletionResultType.ParameterValue,
                $"Run {r.Id}: {r.Run.Status}, started {r.Run.StartedAt:u}, {r.Run.RowsWritten} rows written ({string.Join(", ", r.Run.Tables)})"))
            .ToList();
    }
}

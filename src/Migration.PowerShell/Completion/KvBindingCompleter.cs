using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Migration.Engine.Cloudflare;

namespace Migration.PowerShell.Completion;

/// <summary>
/// Completes Export-KvEntry -Binding with the KV bindings of the wrangler config the line names
/// (-WranglerConfig, a file or its folder), each with its namespace id as tooltip.
/// </summary>
public sealed class KvBindingCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        ArgumentNullException.ThrowIfNull(fakeBoundParameters);
        var path = CompletionSource.ExistingPath(fakeBoundParameters, allowFolder: true, "WranglerConfig");
        if (path is null) return [];
        var prefix = CompletionSource.Prefix(wordToComplete);
        return CompletionSource.Within(() => WranglerConfig.Load(path).KvNamespaces)
            .Where(k => k.Binding.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(k => CompletionSource.Result(k.Binding, $"KV binding {k.Binding}: namespace {k.Id ?? "(no id)"}"))
            .ToList();
    }
}

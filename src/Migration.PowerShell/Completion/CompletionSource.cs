using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Migration.Engine.Source;

namespace Migration.PowerShell.Completion;

/// <summary>
/// What the argument completers share: the connection and the file the command line already
/// names (its -ConnectionString/-Credential, its -Path/-LiteralPath/-ResumeFrom), a time limit
/// (tab completion must never hang the prompt on a server that does not answer), and the
/// quoting PowerShell needs to read a completed name back as one argument.
/// </summary>
internal static class CompletionSource
{
    /// <summary>How long a completion may wait for Postgres or the journal before offering nothing.</summary>
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(5);

    /// <summary>The Postgres connection the line names, or null when it names none that can be read (never an error at the prompt).</summary>
    public static PgConnectionSettings? Connection(IDictionary fakeBoundParameters)
    {
        var connectionString = Unwrap(fakeBoundParameters["ConnectionString"]) as string;
        var credential = Unwrap(fakeBoundParameters["Credential"]) as PSCredential;
        try
        {
            return new PgConnectionSettings(connectionString, credential?.GetNetworkCredential());
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The strings a parameter was given on the line (one, or an array).</summary>
    public static IReadOnlyList<string> Strings(IDictionary fakeBoundParameters, string parameter) =>
        Unwrap(fakeBoundParameters[parameter]) switch
        {
            string s => [s],
            IEnumerable e => e.Cast<object?>().Select(Unwrap).OfType<string>().ToList(),
            _ => [],
        };

    /// <summary>The existing file the line's first path parameter names (relative to the current location), or null.</summary>
    public static string? ExistingFile(IDictionary fakeBoundParameters, params string[] parameters) =>
        ExistingPath(fakeBoundParameters, allowFolder: false, parameters);

    /// <summary>The existing file, or (with <paramref name="allowFolder"/>) folder, the line's first path parameter names, or null.</summary>
    public static string? ExistingPath(IDictionary fakeBoundParameters, bool allowFolder, params string[] parameters)
    {
        foreach (var parameter in parameters)
        {
            var given = Strings(fakeBoundParameters, parameter).FirstOrDefault();
            if (string.IsNullOrEmpty(given)) continue;
            try
            {
                // Resolve-Path in the prompt's own runspace (its location and drives); a completer
                // gets no session state, and the runspace's proxy is not usable while it is busy.
                using var resolve = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
                resolve.AddCommand(@"Microsoft.PowerShell.Management\Resolve-Path")
                    .AddParameter(parameter == "LiteralPath" ? "LiteralPath" : "Path", given)
                    .AddParameter("ErrorAction", ActionPreference.Ignore);
                var resolved = resolve.Invoke().Select(r => r.BaseObject).OfType<PathInfo>()
                    .Where(p => p.Provider.Name == "FileSystem").Select(p => p.ProviderPath).FirstOrDefault();
                if (resolved is not null && (File.Exists(resolved) || (allowFolder && Directory.Exists(resolved)))) return resolved;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A path that does not resolve completes nothing.
            }
        }
        return null;
    }

    /// <summary>Runs a catalog or journal read within <see cref="TimeLimit"/>; nothing when it fails or takes longer.</summary>
    public static IReadOnlyList<T> Within<T>(Func<IReadOnlyList<T>> read)
    {
        try
        {
            var task = Task.Run(read);
            return task.Wait(TimeLimit) ? task.Result : [];
        }
        catch (AggregateException)
        {
            return [];
        }
    }

    /// <summary>
    /// A completion for <paramref name="value"/>: quoted (single quotes, inner ones doubled) when
    /// PowerShell would otherwise split or expand it.
    /// </summary>
    public static CompletionResult Result(string value, string toolTip, CompletionResultType type = CompletionResultType.ParameterValue)
    {
        var needsQuotes = value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || "'\"`$(){}[];,|&<>@#".Contains(c));
        var text = needsQuotes ? "'" + CodeGeneration.EscapeSingleQuotedStringContent(value) + "'" : value;
        return new CompletionResult(text, value, type, string.IsNullOrEmpty(toolTip) ? value : toolTip);
    }

    /// <summary>The word being completed without the quotes the user may have opened.</summary>
    public static string Prefix(string wordToComplete) => (wordToComplete ?? "").Trim('\'', '"');

    static object? Unwrap(object? value) => value is PSObject p ? p.BaseObject : value;
}

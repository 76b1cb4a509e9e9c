using System.Management.Automation;

namespace Migration.PowerShell;

/// <summary>
/// Resolves -Path / -LiteralPath the way PowerShell users expect (relative to the current
/// location, PSDrives, wildcards for -Path only) to a full filesystem path, which may not exist
/// yet. Errors are <see cref="ArgumentException"/>s with a message for the user.
/// </summary>
public static class FileSystemPaths
{
    public static string Resolve(PSCmdlet cmdlet, string path, bool literal)
    {
        ArgumentNullException.ThrowIfNull(cmdlet);
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return ResolveCore(cmdlet, path, literal);
        }
        catch (Exception ex) when (ex is not ArgumentException)
        {
            // Provider errors (no such drive, a provider that has no paths) as the same kind of error.
            throw new ArgumentException($"The path \"{path}\" cannot be used: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Resolves a path that must name an existing D1 database file (reading a journal, checking
    /// a target, coercing to an existing table). <paramref name="parameter"/> names the
    /// parameter in the message when it is not the cmdlet's -Path/-LiteralPath.
    /// </summary>
    public static string ResolveExisting(PSCmdlet cmdlet, string path, bool literal, string? parameter = null)
    {
        var resolved = Resolve(cmdlet, path, literal);
        if (!File.Exists(resolved))
            throw new ArgumentException($"{(parameter is null ? "" : "-" + parameter + ": ")}there is no D1 database file at {resolved}.");
        return resolved;
    }

    /// <summary>
    /// Every existing D1 database file a path names: with wildcards (unless literal) all the
    /// files that match, as Get-Item resolves them; a pattern matching nothing, or a path that
    /// names no file, is an ArgumentException naming it.
    /// </summary>
    public static IReadOnlyList<string> ResolveAllExisting(PSCmdlet cmdlet, string path, bool literal)
    {
        ArgumentNullException.ThrowIfNull(cmdlet);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (literal || !WildcardPattern.ContainsWildcardCharacters(path)) return [ResolveExisting(cmdlet, path, literal)];
        System.Collections.ObjectModel.Collection<string> matches;
        ProviderInfo provider;
        try
        {
            matches = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
        }
        catch (ItemNotFoundException)
        {
            throw new ArgumentException($"The path \"{path}\" matches no file.");
        }
        catch (Exception ex) when (ex is not ArgumentException)
        {
            throw new ArgumentException($"The path \"{path}\" cannot be used: {ex.Message}", ex);
        }
        if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"The path \"{path}\" is on the {provider.Name} provider; a D1 database must be a file in the FileSystem provider.");
        var files = matches.Where(File.Exists).ToList();
        if (files.Count == 0) throw new ArgumentException($"The path \"{path}\" matches no file.");
        return files;
    }

    /// <summary>A folder or file path in the FileSystem provider (relative paths and drives resolved, no wildcards), existing or not.</summary>
    public static string ResolveAny(PSCmdlet cmdlet, string path, string parameter)
    {
        ArgumentNullException.ThrowIfNull(cmdlet);
        ArgumentException.ThrowIfNullOrEmpty(path);
        string resolved;
        ProviderInfo provider;
        try
        {
            resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
        }
        catch (Exception ex)
        {
            throw new ArgumentException($"-{parameter}: the path \"{path}\" cannot be used: {ex.Message}", ex);
        }
        if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"-{parameter}: the path \"{path}\" is on the {provider.Name} provider, not the file system.");
        return resolved;
    }

    static string ResolveCore(PSCmdlet cmdlet, string path, bool literal)
    {
        ProviderInfo provider;
        string resolved;
        if (!literal && WildcardPattern.ContainsWildcardCharacters(path))
        {
            System.Collections.ObjectModel.Collection<string> matches;
            try
            {
                matches = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
            }
            catch (ItemNotFoundException)
            {
                throw new ArgumentException($"The path \"{path}\" matches no file; a new database needs a path without wildcards.");
            }
            if (matches.Count != 1)
                throw new ArgumentException($"The path \"{path}\" matches {matches.Count} files; it must match exactly one (use -LiteralPath for a name with [ ] * ?).");
            resolved = matches[0];
        }
        else
        {
            resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
        }
        if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"The path \"{path}\" is on the {provider.Name} provider; a D1 database must be a file in the FileSystem provider.");
        if (Directory.Exists(resolved))
            throw new ArgumentException($"The path \"{path}\" is a directory; give the database file's path.");
        return resolved;
    }
}

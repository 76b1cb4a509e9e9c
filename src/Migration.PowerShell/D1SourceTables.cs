using System.Management.Automation;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Migration.Engine.Source.Sqlite;

namespace Migration.PowerShell;

/// <summary>
/// The D1 file and table choice shared by Export-D1Table and Export-PgSchema: -Path/-LiteralPath
/// resolved to an existing file and opened (one snapshot), and -Table / -All / -ExcludeTable
/// described (in a file or, for Export-D1Table -Database, a remote D1), a name or pattern that matches nothing being an error with the closest real name.
/// Each step ends the command with a terminating error on a mistake, before anything is read.
/// </summary>
internal static class D1SourceTables
{
    /// <summary>Checks the table choice itself (nothing read yet).</summary>
    public static void CheckChoice(PSCmdlet cmdlet, bool all, IReadOnlyCollection<string> tables, string[]? exclude, string verb)
    {
        if (!all && tables.Count == 0)
            cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException($"Name the tables to {verb} (-Table), or give -All."), "TableRequired", ErrorCategory.InvalidArgument, null));
        if (exclude is not null && !all)
            cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException("-ExcludeTable applies with -All only; with -Table, name just the tables you want."), "ExcludeWithoutAll", ErrorCategory.InvalidArgument, null));
    }

    /// <summary>The file -Path (wildcards: exactly one file) or -LiteralPath names, opened read-only.</summary>
    public static (SqliteFileSource Source, string Path) Open(PSCmdlet cmdlet, bool literal, string path)
    {
        string resolved;
        try
        {
            resolved = FileSystemPaths.ResolveExisting(cmdlet, path, literal, literal ? "LiteralPath" : "Path");
        }
        catch (ArgumentException ex)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(ex, "FileNotFound", ErrorCategory.ObjectNotFound, path));
            throw; // not reached
        }
        try
        {
            return (new SqliteFileSource(resolved), resolved);
        }
        catch (Exception ex) when (ex is SqliteSourceException or IOException)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(ex, "NotADatabase", ErrorCategory.InvalidData, resolved));
            throw; // not reached
        }
    }

    /// <summary>The tables chosen, in load order with -All (parents first), else in the order named.</summary>
    public static IReadOnlyList<TableSchema> Describe(PSCmdlet cmdlet, D1Source source, string path, bool all, IReadOnlyList<string> tables, string[]? exclude, string verb)
    {
        try
        {
            var described = source.Choose(all, tables, exclude, verb, out var forward);
            foreach (var f in forward) cmdlet.WriteWarning($"Foreign key cycle: {f} points forward in the load order.");
            return described;
        }
        catch (Exception ex) when (ex is SqliteSourceException or ArgumentException)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(ex, "DescribeFailed", ex is ArgumentException ? ErrorCategory.InvalidArgument : ErrorCategory.ObjectNotFound, path));
            throw; // not reached
        }
        catch (Exception ex) when (RemoteD1Connection.ErrorCategoryOf(ex) is { } category)
        {
            // A remote D1 (Export-D1Table -Database) that cannot be read; the client's message never holds the token.
            cmdlet.ThrowTerminatingError(new ErrorRecord(new IOException($"Cannot read the tables of {path}: {ex.Message}", ex), "DescribeFailed", category, path));
            throw; // not reached
        }
    }
}

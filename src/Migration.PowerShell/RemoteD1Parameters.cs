using System.Management.Automation;
using System.Security;

namespace Migration.PowerShell;

/// <summary>
/// What a cmdlet was told about a remote D1: -Database, -AccountId, -ApiToken, -ApiBaseUri,
/// -WranglerConfig, -Binding (Import-D1Batch, Test-MigrationIntegrity, Get-MigrationRun,
/// Undo-Migration). Each cmdlet declares the parameters itself, in its own parameter set and with
/// its own Mandatory flags (PowerShell binds only a cmdlet's own properties, or dynamic
/// parameters, which would hide them from help and Get-Command), and hands them here: one place
/// checks them, opens the database, and turns a failure into the same error record everywhere.
/// </summary>
internal sealed record RemoteD1Parameters(string? Database, string? AccountId, SecureString? ApiToken, Uri? ApiBaseUri, string? WranglerConfig = null, string? Binding = null)
{
    /// <summary>
    /// The database, resolved (one read) before anything is written. Parameters that do not name
    /// one database end the command (RemoteD1Parameters, nothing read); a database that cannot be
    /// reached ends it too (RemoteD1Unavailable, with a category a script can act on, never the token).
    /// </summary>
    public RemoteD1Connection Open(PSCmdlet cmdlet)
    {
        if (RemoteD1Connection.ParameterProblem(Database, WranglerConfig, Binding) is { } problem)
            cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException(problem), "RemoteD1Parameters", ErrorCategory.InvalidArgument, null));
        try
        {
            var config = WranglerConfig is null ? null : FileSystemPaths.Resolve(cmdlet, WranglerConfig, literal: false);
            return RemoteD1Connection.Open(Database, AccountId, ApiToken, ApiBaseUri, config, Binding);
        }
        catch (Exception ex) when (RemoteD1Connection.ErrorCategoryOf(ex) is { } category)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(ex.Message), "RemoteD1Unavailable", category, Database ?? Binding));
            throw; // not reached: ThrowTerminatingError throws
        }
    }
}

using System.Management.Automation;

namespace Migration.PowerShell;

/// <summary>
/// Whether a command runs under <c>-ErrorAction Stop</c> (the parameter, or else
/// <c>$ErrorActionPreference</c>): a bad row then ends the run where it is, rather than being
/// reported after later rows were already written.
/// </summary>
public static class ErrorActionStop
{
    public static bool IsRequested(PSCmdlet cmdlet)
    {
        ArgumentNullException.ThrowIfNull(cmdlet);
        object? value = cmdlet.MyInvocation.BoundParameters.TryGetValue("ErrorAction", out var bound)
            ? bound
            : cmdlet.SessionState.PSVariable.GetValue("ErrorActionPreference");
        return value is not null && LanguagePrimitives.TryConvertTo<ActionPreference>(value, out var preference) && preference == ActionPreference.Stop;
    }
}

using System.Management.Automation;
using System.Net;
using Migration.Engine.Integrity;

namespace Migration.PowerShell;

/// <summary>
/// How Test-MigrationIntegrity writes out what a check yields, in either direction: each result
/// (unless -Quiet), progress per result, a check that could not run as a non-terminating error
/// (its text cleared of secrets) while the others go on, and a failure of the engine as a
/// terminating error. Only the engine is guarded: an exception out of WriteObject belongs downstream.
/// </summary>
internal sealed class IntegrityReport(PSCmdlet cmdlet, bool quiet, Func<bool> stopping, string? connectionString, NetworkCredential? credential)
{
    /// <summary>Returns whether every check ran and passed.</summary>
    /// <param name="progress">Null: no progress is written.</param>
    /// <param name="check">Starts the checks; told where a check that cannot run goes.</param>
    /// <param name="failed">The terminating error for a failure of the engine.</param>
    public bool Write(ProgressRecord? progress, Func<Action<IntegrityCheckException>, IEnumerable<IntegrityResult>> check, Func<Exception, ErrorRecord> failed)
    {
        var allPassed = true;
        IEnumerator<IntegrityResult>? results = null;
        try
        {
            while (!stopping())
            {
                IntegrityResult result;
                try
                {
                    results ??= check(e =>
                    {
                        allPassed = false;
                        // The engine's exception (with .Table and .Check) unless redaction had to change its text.
                        var safe = SecretRedactor.Redact(e.Message, connectionString, credential);
                        Exception error = safe == e.Message ? e : new InvalidOperationException(safe);
                        cmdlet.WriteError(new ErrorRecord(error, "CheckCouldNotRun", ErrorCategory.ObjectNotFound, e.Table));
                    }).GetEnumerator();
                    if (!results.MoveNext()) break;
                    result = results.Current;
                }
                catch (Exception ex) when (ex is not PipelineStoppedException && !stopping())
                {
                    cmdlet.ThrowTerminatingError(failed(ex));
                    return false;
                }
                allPassed &= result.Passed;
                if (progress is not null)
                {
                    progress.StatusDescription = $"{result.Table}: {result.Check} {(result.Passed ? "passed" : "FAILED")}";
                    cmdlet.WriteProgress(progress);
                }
                if (!quiet) cmdlet.WriteObject(result);
            }
        }
        finally
        {
            results?.Dispose();
        }
        if (stopping()) return false;
        if (progress is not null)
        {
            progress.RecordType = ProgressRecordType.Completed;
            cmdlet.WriteProgress(progress);
        }
        return allPassed;
    }
}

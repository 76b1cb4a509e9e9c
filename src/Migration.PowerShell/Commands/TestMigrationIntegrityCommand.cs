using System.Collections;
using System.Management.Automation;
using System.Net;
using Migration.Engine.Convert;
using Migration.Engine.Integrity;
using Migration.Engine.Source;

namespace Migration.PowerShell.Commands;

/// <summary>
/// Test-MigrationIntegrity: proves a migration arrived intact. Compares Postgres tables with their
/// copies in a D1 file under the same mapping ConvertTo-D1Row used, and emits one IntegrityResult
/// per (table, check). A failed check is a result (Passed = $false), not an error; a check that
/// cannot run (a missing table or column) is a non-terminating error and the others go on. With
/// -Quiet it emits a single bool for runbooks: $true only when every check ran and passed.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "MigrationIntegrity", DefaultParameterSetName = PathSet)]
[OutputType(typeof(IntegrityResult), typeof(bool))]
public sealed class TestMigrationIntegrityCommand : ConversionCmdlet
{
    const string PathSet = "Path";
    const string LiteralPathSet = "LiteralPath";

    readonly List<string> _tables = [];
    volatile bool _stopping;

    /// <summary>An Npgsql/libpq-style connection string; parts left out come from PG* environment variables.</summary>
    [Parameter]
    public string? ConnectionString { get; set; }

    /// <summary>User name and password; the password never appears in output or errors.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>The D1 database file; wildcards must match exactly one file.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The D1 database file, taken literally (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = "";

    /// <summary>Source tables to check (default: the keys of -TableMap, in order of name).</summary>
    [Parameter(ValueFromPipeline = true)]
    [Alias("Name", "TableName")]
    [ValidateNotNullOrEmpty]
    public string[]? Table { get; set; }

    /// <summary>The checks to run (default: all of them).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public IntegrityCheck[]? Check { get; set; }

    /// <summary>Random rows per table compared field by field.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int SampleSize { get; set; } = new IntegrityOptions().SampleSize;

    /// <summary>Differences listed per result.</summary>
    [Parameter]
    [ValidateRange(0, 100_000)]
    public int MaxDifferences { get; set; } = new IntegrityOptions().MaxDifferences;

    /// <summary>Emit only $true (every check ran and passed) or $false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var t in Table ?? [])
            if (!_tables.Contains(t, StringComparer.Ordinal)) _tables.Add(t);
    }

    protected override void StopProcessing() => _stopping = true;

    protected override void EndProcessing()
    {
        var credential = Credential?.GetNetworkCredential();
        string path;
        IntegrityOptions options;
        try
        {
            path = ParameterSetName == LiteralPathSet
                ? FileSystemPaths.ResolveExisting(this, LiteralPath, literal: true)
                : FileSystemPaths.ResolveExisting(this, Path, literal: false);
            options = new IntegrityOptions
            {
                Conversion = BuildConversionOptions(),
                Checks = Check is null ? IntegrityCheck.All : Check.Aggregate(IntegrityCheck.None, (all, c) => all | c),
                SampleSize = SampleSize,
                MaxDifferences = MaxDifferences,
            };
            // Like the migration itself: the tables default to those the map names.
            if (_tables.Count == 0) _tables.AddRange(options.Conversion.MappedSourceTables);
            if (_tables.Count == 0)
                throw new ArgumentException("Name the source tables to check with -Table, or give -TableMap.");
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "InvalidArgument", ErrorCategory.InvalidArgument, null));
            return;
        }

        PgConnectionSettings settings;
        try
        {
            settings = new PgConnectionSettings(ConnectionString, credential);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            Terminate("InvalidConnectionString", ErrorCategory.InvalidArgument, null, $"The connection settings are not valid: {ex.Message}", credential);
            return;
        }

        var allPassed = true;
        var progress = new ProgressRecord(3, "Test-MigrationIntegrity", $"checking {_tables.Count} tables");
        IEnumerator<IntegrityResult>? results = null;
        try
        {
            while (!_stopping)
            {
                // Only the engine is guarded: an exception out of WriteObject belongs downstream.
                IntegrityResult result;
                try
                {
                    results ??= new IntegrityChecker(settings, path, options).Run(_tables, e =>
                    {
                        allPassed = false;
                        // The engine's exception (with .Table and .Check) unless redaction had to change its text.
                        var safe = SecretRedactor.Redact(e.Message, ConnectionString, credential);
                        Exception error = safe == e.Message ? e : new InvalidOperationException(safe);
                        WriteError(new ErrorRecord(error, "CheckCouldNotRun", ErrorCategory.ObjectNotFound, e.Table));
                    }).GetEnumerator();
                    if (!results.MoveNext()) break;
                    result = results.Current;
                }
                catch (Exception ex) when (ex is not PipelineStoppedException && !_stopping)
                {
                    Terminate("IntegrityCheckFailed", ErrorCategory.ReadError, settings.Describe(),
                        $"Cannot check the migration from {settings.Describe()} into \"{path}\": {ex.Message}", credential);
                    return;
                }
                allPassed &= result.Passed;
                progress.StatusDescription = $"{result.Table}: {result.Check} {(result.Passed ? "passed" : "FAILED")}";
                WriteProgress(progress);
                if (!Quiet) WriteObject(result);
            }
        }
        finally
        {
            results?.Dispose();
        }
        if (_stopping) return;
        progress.RecordType = ProgressRecordType.Completed;
        WriteProgress(progress);
        if (Quiet) WriteObject(allPassed);
    }

    /// <summary>A terminating error whose message has passed through <see cref="SecretRedactor"/>; the original exception is not attached.</summary>
    void Terminate(string errorId, ErrorCategory category, object? target, string message, NetworkCredential? credential)
    {
        var safe = SecretRedactor.Redact(message, ConnectionString, credential);
        ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(safe), errorId, category, target));
    }
}

using System.Management.Automation;
using System.Net;
using Migration.Engine.Convert;
using Migration.Engine.Convert.D1ToPg;
using Migration.Engine.Integrity;
using Migration.Engine.Journal;
using Migration.Engine.Source;
using Migration.Engine.Source.RemoteD1;
using Migration.Engine.Target.RemoteD1;
using Migration.PowerShell.Commands;

namespace Migration.PowerShell;

/// <summary>
/// Test-MigrationIntegrity's checks of one target named by its parameters or a pipeline record:
/// a D1 file, a remote D1 (read through <see cref="RemoteD1Mirror"/>), or, D1 -> PostgreSQL, a D1
/// file as the source. Which tables (given, the map's, or the journal run's), the options, and
/// where the results go (<see cref="IntegrityReport"/>); the cmdlet only collects the targets.
/// </summary>
internal sealed class IntegrityTargetChecks(TestMigrationIntegrityCommand cmdlet, IReadOnlyList<string> givenTables, Func<bool> stopping)
{
    readonly NetworkCredential? _credential = cmdlet.Credential?.GetNetworkCredential();

    /// <summary>Runs the checks against one D1 file, or a remote D1; returns whether every check ran and passed.</summary>
    public bool Target(string pathText, bool literal, long runId)
    {
        // A remote D1: -Database / -WranglerConfig, or a remote run's Path (d1://name/uuid) from Get-MigrationRun -Database.
        var marked = pathText == TestMigrationIntegrityCommand.RemoteMarker;
        var remoteName = marked ? null : RemoteD1Database.DatabaseOf(pathText);
        if (!marked && remoteName is null) return Target(pathText, literal, runId, null);
        var given = remoteName is null ? new RemoteD1Parameters(cmdlet.Database, cmdlet.AccountId, cmdlet.ApiToken, cmdlet.ApiBaseUri, cmdlet.WranglerConfig, cmdlet.Binding)
            : new RemoteD1Parameters(remoteName, cmdlet.AccountId, cmdlet.ApiToken, cmdlet.ApiBaseUri);
        using var remote = given.Open(cmdlet);
        return Target(remote.Database.Location, literal, runId, remote);
    }

    bool Target(string pathText, bool literal, long runId, RemoteD1Connection? remote)
    {
        string path;
        IntegrityOptions options;
        var tables = new List<string>(givenTables);
        try
        {
            path = remote is null ? FileSystemPaths.ResolveExisting(cmdlet, pathText, literal) : pathText;
            RunTables? run = null;
            // Like the migration itself: the tables default to those the map names, and
            // without a map to those the journal says the run wrote.
            if (tables.Count == 0 && cmdlet.TableMap is null)
            {
                var runs = remote is null ? MigrationJournal.GetRuns(path, runId > 0 ? runId : null) : remote.Database.GetRuns(runId > 0 ? runId : null);
                run = RunTables.Of(runs, runId, path, cmdlet.WriteWarning);
                cmdlet.WriteVerbose($"Checking the tables of run {run.RunId} in {path}: {run.Pairs}.");
                tables.AddRange(run.Tables);
            }
            options = Options() with { Conversion = cmdlet.BuildConversionOptions(run?.TableMap) };
            if (tables.Count == 0) tables.AddRange(options.Conversion.MappedSourceTables);
            if (tables.Count == 0)
                throw new ArgumentException("Name the source tables to check with -Table, or give -TableMap.");
        }
        catch (ArgumentException ex)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(ex, "InvalidArgument", ErrorCategory.InvalidArgument, null));
            return false;
        }
        var settings = PgConnectionErrors.Settings(cmdlet, cmdlet.ConnectionString, _credential);
        return Report().Write(new ProgressRecord(3, "Test-MigrationIntegrity", $"checking {tables.Count} tables in {path}"),
            onError => Checker(settings, path, options, remote).Run(tables, onError),
            ex => CheckFailed(ex, $"Cannot check the migration from {settings.Describe()} into \"{path}\": {ex.Message}", settings));
    }

    IntegrityChecker Checker(PgConnectionSettings settings, string path, IntegrityOptions options, RemoteD1Connection? remote)
    {
        if (remote is null) return new IntegrityChecker(settings, path, options);
        var checker = new IntegrityChecker(settings, remote.Database.Client, path, options);
        checker.Log += cmdlet.WriteVerbose;
        return checker;
    }

    /// <summary>
    /// D1 -> PostgreSQL: the D1 file, or the remote D1 (-Database, read through /raw in keyset
    /// pages by <see cref="RemoteD1Source"/>), is the source and Postgres the target; the same
    /// checker judges both. Without mapping parameters, the mapping is the one the newest
    /// completed run recorded in the Postgres journal.
    /// </summary>
    public bool Reverse(string pathText, bool literal)
    {
        var marked = pathText == TestMigrationIntegrityCommand.RemoteMarker;
        var remoteName = marked ? null : RemoteD1Database.DatabaseOf(pathText);
        if (!marked && remoteName is null) return Reverse(pathText, literal, null);
        var given = remoteName is null ? new RemoteD1Parameters(cmdlet.Database, cmdlet.AccountId, cmdlet.ApiToken, cmdlet.ApiBaseUri, cmdlet.WranglerConfig, cmdlet.Binding)
            : new RemoteD1Parameters(remoteName, cmdlet.AccountId, cmdlet.ApiToken, cmdlet.ApiBaseUri);
        using var remote = given.Open(cmdlet);
        return Reverse(remote.Database.Location, literal, remote);
    }

    bool Reverse(string pathText, bool literal, RemoteD1Connection? remote)
    {
        string path;
        PgConversionOptions? mapping = null;
        try
        {
            path = remote is null ? FileSystemPaths.ResolveExisting(cmdlet, pathText, literal) : pathText;
            if (cmdlet.TableMap is not null || cmdlet.ColumnMap is not null || cmdlet.Exclude is not null || cmdlet.ComputedColumn is not null
                || cmdlet.MyInvocation.BoundParameters.ContainsKey(nameof(cmdlet.ColumnNaming)))
                mapping = ConversionOptionsBuilder.PgOptions(cmdlet.TableMap, cmdlet.ColumnMap, cmdlet.Exclude, cmdlet.ComputedColumn, cmdlet.ColumnNaming);
        }
        catch (ArgumentException ex)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(ex, "InvalidArgument", ErrorCategory.InvalidArgument, null));
            return false;
        }
        var settings = PgConnectionErrors.Settings(cmdlet, cmdlet.ConnectionString, _credential);
        var checker = remote is null
            ? new D1ToPgIntegrityChecker(path, settings, mapping, Options())
            : new D1ToPgIntegrityChecker(() => new RemoteD1Source(remote.Database.Client, remote.Database.Location), settings, mapping, Options());
        var where = remote is null ? $"\"{path}\"" : path;
        // Every result is read before the first is written: a failure of the engine leaves no partial output.
        return Report().Write(null,
            _ => (IReadOnlyList<IntegrityResult>)[.. checker.Check(givenTables.Count > 0 ? givenTables : null)],
            ex => CheckFailed(ex, $"Cannot check the migration from {where} into {settings.Describe()}: {ex.Message}", settings));
    }

    /// <summary>-Check, -SampleSize and -MaxDifferences.</summary>
    IntegrityOptions Options() => new()
    {
        Checks = cmdlet.Check is null ? IntegrityCheck.All : cmdlet.Check.Aggregate(IntegrityCheck.None, (all, c) => all | c),
        SampleSize = cmdlet.SampleSize,
        MaxDifferences = cmdlet.MaxDifferences,
    };

    IntegrityReport Report() => new(cmdlet, cmdlet.Quiet.IsPresent, stopping, cmdlet.ConnectionString, _credential);

    ErrorRecord CheckFailed(Exception ex, string message, PgConnectionSettings settings) =>
        PgConnectionErrors.Failure(ex, message, "IntegrityCheckFailed", ErrorCategory.ReadError, settings.Describe(), cmdlet.ConnectionString, _credential);
}

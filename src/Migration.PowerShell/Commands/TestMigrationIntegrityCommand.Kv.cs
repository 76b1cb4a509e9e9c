using System.Management.Automation;
using Migration.Engine.Integrity;
using Migration.Engine.Source.Kv;

namespace Migration.PowerShell.Commands;

/// <summary>
/// Test-MigrationIntegrity with Workers KV as the source: the entries of Export-KvEntry come down
/// the pipeline (so every KV source works: the API, wrangler's local state, a dump) and are
/// compared with the one D1 table (-Table) they were loaded into (a file, or a remote D1 with -Database), shaped by the same -KeyPattern,
/// -ExpandProperty, ... ConvertTo-D1Row was given: <c>Export-KvEntry -Namespace bot -Prefix
/// 'watchlist:' | Test-MigrationIntegrity -Path bot.sqlite -Table watchlists -KeyPattern
/// 'watchlist:{chat_id}' -ExpandProperty ticker</c>. The shaping parameters are ConvertTo-D1Row's (<see cref="KvShapingCmdlet"/>). The comparison is the engine's
/// <see cref="KvIntegrityChecker"/>; this part only binds and reports.
/// </summary>
public sealed partial class TestMigrationIntegrityCommand : IDisposable
{
    /// <summary>KV entries (from Export-KvEntry) to compare with -Table in the D1 file or remote D1 (-Database).</summary>
    [Parameter(ValueFromPipeline = true)]
    [ValidateNotNull]
    public KvRecord[]? KvEntry { get; set; }

    KvIntegrityChecker? _kvChecker;

    /// <summary>With -Database: the remote table copied into a temporary file the KV comparison reads (as every remote check does).</summary>
    RemoteD1Mirror? _kvMirror;

    /// <summary>Whether KV entries are the source: some came, or a KV shaping parameter was given (then none coming is a namespace found empty).</summary>
    bool ComparesKv => KvEntry is not null || KeyPattern is not null || ExpandProperty is not null || ExpirationColumn is not null
        || MetadataColumn is not null || KeyColumn is not null || AllowNonJson.IsPresent;

    /// <summary>Counts the entries of this record; false when KV is not the source.</summary>
    bool ProcessKvEntries()
    {
        if (!ComparesKv) return false;
        _kvChecker ??= OpenKvChecker();
        foreach (var entry in KvEntry ?? []) _kvChecker.Add(entry);
        return true;
    }

    /// <summary>Emits the KV comparison's results; false when KV is not the source.</summary>
    bool EndKvComparison()
    {
        if (!ComparesKv) return false;
        _kvChecker ??= OpenKvChecker();
        IReadOnlyList<IntegrityResult> results;
        try
        {
            results = _kvChecker.Finish();
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IntegrityCheckException)
        {
            ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"Cannot compare the KV entries with {_kvChecker.TargetTable}: {ex.Message}", ex),
                "IntegrityCheckFailed", ErrorCategory.ReadError, _kvChecker.TargetTable));
            return true;
        }
        finally
        {
            Dispose();
        }
        foreach (var r in results)
            if (!Quiet) WriteObject(r);
        if (Quiet) WriteObject(results.All(r => r.Passed));
        return true;
    }

    KvIntegrityChecker OpenKvChecker()
    {
        try
        {
            if (ConnectionString is not null || Credential is not null || Direction != MigrationDirection.PostgresToD1 || MyInvocation.BoundParameters.ContainsKey(nameof(RunId)))
                throw new ArgumentException("With KV entries as the source, -ConnectionString, -Credential, -Direction and -RunId do not apply.");
            if (Table is not { Length: 1 })
                throw new ArgumentException("With KV entries, -Table names the one D1 table they were loaded into (as ConvertTo-D1Row's -TableName).");
            var checks = Check is null ? KvIntegrityChecker.Supported : Check.Aggregate(IntegrityCheck.None, (all, c) => all | c);
            if ((checks & ~KvIntegrityChecker.Supported) != 0)
                throw new ArgumentException($"KV entries are compared by RowCount (per key) and Sample (field by field); {checks & ~KvIntegrityChecker.Supported} needs a source table.");
            var literal = ParameterSetName == LiteralPathSet;
            string path;
            if (ParameterSetName == DatabaseSet)
            {
                // A remote D1: the one table is read through /raw in keyset pages into a private
                // temporary file (Integrity/RemoteD1Mirror), then compared exactly as a local file.
                using var remote = new RemoteD1Parameters(Database, AccountId, ApiToken, ApiBaseUri, WranglerConfig, Binding).Open(this);
                WriteVerbose($"Reading {Table[0]} of {remote.Database.Location} through the API to compare it with the KV entries.");
                _kvMirror = RemoteD1Mirror.Create(remote.Database.Client, [Table[0]]);
                path = _kvMirror.Path;
            }
            else path = FileSystemPaths.ResolveExisting(this, literal ? LiteralPath : Path, literal);
            var options = new IntegrityOptions
            {
                Conversion = BuildConversionOptions(),
                Checks = checks,
                SampleSize = SampleSize,
                MaxDifferences = MaxDifferences,
            };
            return new KvIntegrityChecker(path, Table[0], KvShape() ?? new KvShapeOptions(), options);
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "InvalidArgument", ErrorCategory.InvalidArgument, null));
        }
        catch (IntegrityCheckException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "CheckCouldNotRun", ErrorCategory.ObjectNotFound, ex.Table));
        }
        return null!; // not reached: ThrowTerminatingError throws
    }

    public void Dispose()
    {
        _kvChecker?.Dispose();
        _kvChecker = null;
        _kvMirror?.Dispose();
        _kvMirror = null;
    }
}

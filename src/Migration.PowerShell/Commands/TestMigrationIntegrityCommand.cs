using System.Management.Automation;
using System.Security;
using Migration.Engine.Integrity;
using Migration.PowerShell.Completion;

namespace Migration.PowerShell.Commands;

/// <summary>
/// Test-MigrationIntegrity: proves a migration arrived intact. Compares Postgres tables with their
/// copies in a D1 file under the same mapping ConvertTo-D1Row used, and emits one IntegrityResult
/// per (table, check). A failed check is a result (Passed = $false), not an error; a check that
/// cannot run (a missing table or column) is a non-terminating error and the others go on. With
/// -Quiet it emits a single bool for runbooks: $true only when every check ran and passed.
/// Without -Table and -TableMap, the tables and their D1 names come from the file's journal (the
/// last completed run, or -RunId), so a run or a table summary on the pipeline is checked as it
/// was written: <c>Get-MigrationRun -Path app.sqlite -Last | Test-MigrationIntegrity -ConnectionString $pg</c>.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "MigrationIntegrity", DefaultParameterSetName = PathSet)]
[OutputType(typeof(IntegrityResult), typeof(bool))]
public sealed partial class TestMigrationIntegrityCommand : KvShapingCmdlet
{
    internal const string PathSet = "Path";
    internal const string LiteralPathSet = "LiteralPath";
    internal const string DatabaseSet = "Database";

    readonly List<string> _tables = [];
    readonly List<(string Path, bool Literal, long RunId)> _targets = [];
    volatile bool _stopping;

    /// <summary>An Npgsql/libpq-style connection string; parts left out come from PG* environment variables.</summary>
    [Parameter]
    public string? ConnectionString { get; set; }

    /// <summary>User name and password; the password never appears in output or errors.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>The D1 database file; wildcards must match exactly one file. Binds a run's or a summary's Path.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The D1 database file, taken literally (no wildcards); binds a provider item's PSPath.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = "";

    /// <summary>A remote D1 database: its name or UUID (resolved as wrangler does), read through /raw.</summary>
    [Parameter(ParameterSetName = DatabaseSet)]
    [ValidateNotNullOrEmpty]
    public string? Database { get; set; }

    /// <summary>With -Database: the Cloudflare account; else CLOUDFLARE_ACCOUNT_ID, else the wrangler config's account_id.</summary>
    [Parameter(ParameterSetName = DatabaseSet)]
    [ValidateNotNullOrEmpty]
    public string? AccountId { get; set; }

    /// <summary>With -Database: the API token; else CLOUDFLARE_API_TOKEN. Never shown in any output or error.</summary>
    [Parameter(ParameterSetName = DatabaseSet)]
    [ValidateNotNull]
    public SecureString? ApiToken { get; set; }

    /// <summary>With -Database: the API's base URL; else CLOUDFLARE_API_BASE_URL, else https://api.cloudflare.com/client/v4.</summary>
    [Parameter(ParameterSetName = DatabaseSet)]
    [ValidateNotNull]
    public Uri? ApiBaseUri { get; set; }

    /// <summary>A wrangler config (wrangler.toml, .json, .jsonc, or its folder): the database of -Binding, and its account_id.</summary>
    [Parameter(ParameterSetName = DatabaseSet)]
    [ValidateNotNullOrEmpty]
    public string? WranglerConfig { get; set; }

    /// <summary>The D1 binding (or database_name) in -WranglerConfig.</summary>
    [Parameter(ParameterSetName = DatabaseSet)]
    [ValidateNotNullOrEmpty]
    public string? Binding { get; set; }

    /// <summary>
    /// The journal's run whose tables and D1 names are checked when -Table and -TableMap are not
    /// given (default: the last completed run). Binds a run's or a summary's RunId; 0 (a summary
    /// of a run without journal) means the default.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RunIdCompleter))]
    public long RunId { get; set; }

    /// <summary>Source tables to check (default: the keys of -TableMap, in order of name).</summary>
    [Parameter(ValueFromPipeline = true)]
    [Alias("Name", "TableName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PgTableCompleter))]
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

    /// <summary>PostgresToD1 (default: Postgres is the source, the D1 file the target) or D1ToPostgres (the D1 file is the source, Postgres the target).</summary>
    [Parameter]
    public MigrationDirection Direction { get; set; } = MigrationDirection.PostgresToD1;

    /// <summary>D1ToPostgres: how D1 column names became Postgres names when -ColumnMap does not say (as ConvertTo-PgRow was told).</summary>
    [Parameter]
    public Engine.Convert.D1ToPg.ColumnNaming ColumnNaming { get; set; }

    HashSet<string> _givenOnCommandLine = [];

    protected override void BeginProcessing() =>
        _givenOnCommandLine = new HashSet<string>(MyInvocation.BoundParameters.Keys, StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether this record bound a parameter from a pipeline object's property (a run or a summary, not a table name).</summary>
    bool BoundFromObject(string parameter) =>
        MyInvocation.BoundParameters.ContainsKey(parameter) && !_givenOnCommandLine.Contains(parameter);

    protected override void ProcessRecord()
    {
        if (ProcessKvEntries()) return; // KV entries are the source (TestMigrationIntegrityCommand.Kv.cs)
        // A run or a summary on the pipeline also binds -Table, by value, as its ToString()
        // ("Run 1 (Completed) in ..."): PowerShell coerces any object to a string. Such a record
        // names a file and a run, not a table.
        var fromObject = BoundFromObject(nameof(Path)) || BoundFromObject(nameof(LiteralPath)) || BoundFromObject(nameof(RunId));
        if (!fromObject)
            foreach (var t in Table ?? [])
                if (!_tables.Contains(t, StringComparer.Ordinal)) _tables.Add(t);
        // Each file (and run) once: a run's summaries, one per table, name the same file.
        var literal = ParameterSetName == LiteralPathSet;
        // A remote database is written as its location (d1://...), as a remote run's Path is.
        var target = (ParameterSetName == DatabaseSet ? RemoteMarker : literal ? LiteralPath : Path, literal, RunId);
        if (!_targets.Contains(target)) _targets.Add(target);
    }

    /// <summary>Stands for -Database / -WranglerConfig in the list of targets.</summary>
    internal const string RemoteMarker = "\0remote";

    protected override void StopProcessing() => _stopping = true;

    protected override void EndProcessing()
    {
        if (EndKvComparison()) return;
        var checks = new IntegrityTargetChecks(this, _tables, () => _stopping);
        var allPassed = true;
        foreach (var (pathText, literal, runId) in _targets)
        {
            if (_stopping) return;
            allPassed &= Direction == MigrationDirection.D1ToPostgres ? checks.Reverse(pathText, literal) : checks.Target(pathText, literal, runId);
        }
        if (Quiet && !_stopping) WriteObject(allPassed);
    }
}

using System.Management.Automation;
using Migration.PowerShell.Completion;

namespace Migration.PowerShell;

/// <summary>
/// Get-MigrationRun's and Undo-Migration's shared parameters: the D1 files whose journals are read
/// (-Path with wildcards, as Get-Item takes it: path strings by value, or -LiteralPath, which also
/// binds a provider item's PSPath, so <c>Get-ChildItem *.sqlite | Get-MigrationRun</c> works) and
/// which of its runs (-RunId, or -Last). Both bind from a MigrationRunInfo or a TableSummary on the
/// pipeline (its Path and RunId), so <c>Get-MigrationRun ... | Undo-Migration</c> works.
/// </summary>
public abstract class JournalRunCmdlet : PSCmdlet
{
    protected const string PathSet = "Path";
    protected const string LiteralPathSet = "LiteralPath";
    protected const string PostgresSet = "Postgres";
    protected const string DatabaseSet = "Database";

    /// <summary>A remote D1 database (name or UUID) whose journal is read; settings as wrangler reads them.</summary>
    [Parameter(Mandatory = true, ParameterSetName = DatabaseSet)]
    [ValidateNotNullOrEmpty]
    public string Database { get; set; } = "";

    /// <summary>With -Database: the Cloudflare account; else CLOUDFLARE_ACCOUNT_ID.</summary>
    [Parameter(ParameterSetName = DatabaseSet)]
    [ValidateNotNullOrEmpty]
    public string? AccountId { get; set; }

    /// <summary>With -Database: the API token; else CLOUDFLARE_API_TOKEN. Never shown.</summary>
    [Parameter(ParameterSetName = DatabaseSet)]
    [ValidateNotNull]
    public System.Security.SecureString? ApiToken { get; set; }

    /// <summary>With -Database: the API's base URL; else CLOUDFLARE_API_BASE_URL, else Cloudflare's.</summary>
    [Parameter(ParameterSetName = DatabaseSet)]
    [ValidateNotNull]
    public Uri? ApiBaseUri { get; set; }

    /// <summary>
    /// The remote D1 of -Database, or of a run's Path <c>d1://name/uuid</c> bound from the
    /// pipeline; a failure to reach it is a terminating error without the token.
    /// </summary>
    private protected RemoteD1Connection OpenRemote(string nameOrUuid) =>
        new RemoteD1Parameters(nameOrUuid, AccountId, ApiToken, ApiBaseUri).Open(this);

    /// <summary>The remote D1 this record names: -Database, or one -Path that is a remote run's <c>d1://name/uuid</c>; else null.</summary>
    protected string? RemoteDatabase() =>
        ParameterSetName == DatabaseSet ? Database
        : ParameterSetName == PathSet && Path.Length == 1 ? Engine.Target.RemoteD1.RemoteD1Database.DatabaseOf(Path[0])
        : null;

    /// <summary>A Postgres database whose journal (a D1 -> PostgreSQL run of Import-PgTable) is read; parts left out come from PG* variables.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PostgresSet)]
    [ValidateNotNullOrEmpty]
    public string ConnectionString { get; set; } = "";

    /// <summary>With -ConnectionString: user name and password (never shown).</summary>
    [Parameter(ParameterSetName = PostgresSet)]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>With -ConnectionString: the journal's schema.</summary>
    [Parameter(ParameterSetName = PostgresSet)]
    [ValidateNotNullOrEmpty]
    public string JournalSchema { get; set; } = Engine.Target.Postgres.PgJournal.DefaultSchema;

    /// <summary>The Postgres settings of -ConnectionString; a malformed one is a terminating error that shows no secret.</summary>
    protected Engine.Source.PgConnectionSettings PgSettings() => PgConnectionErrors.Settings(this, ConnectionString, Credential?.GetNetworkCredential());

    /// <summary>A Postgres failure as an error record without secrets.</summary>
    protected ErrorRecord PgError(Exception ex, string id, ErrorCategory category, object? target) =>
        PgConnectionErrors.Failure(ex, ex.Message, id, category, target, ConnectionString, Credential?.GetNetworkCredential());

    /// <summary>The database files; wildcards select every matching file.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>The database files, taken literally (no wildcards).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>The run (bound from a run on the pipeline).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1L, long.MaxValue)]
    [ArgumentCompleter(typeof(RunIdCompleter))]
    public long RunId { get; set; }

    /// <summary>The newest run.</summary>
    [Parameter]
    public SwitchParameter Last { get; set; }

    /// <summary>Whether -RunId was given (or bound from the pipeline) for this record.</summary>
    protected bool HasRunId => MyInvocation.BoundParameters.ContainsKey(nameof(RunId));

    /// <summary>
    /// Every database the paths of this record name, in order, each once. A path that names no
    /// existing file is a non-terminating error (PathNotFound, as Get-Item reports it) and the
    /// other paths go on.
    /// </summary>
    protected IReadOnlyList<string> ResolveDatabases()
    {
        var literal = ParameterSetName == LiteralPathSet;
        var found = new List<string>();
        foreach (var path in literal ? LiteralPath : Path)
        {
            try
            {
                foreach (var file in FileSystemPaths.ResolveAllExisting(this, path, literal))
                    if (!found.Contains(file, StringComparer.Ordinal)) found.Add(file);
            }
            catch (ArgumentException ex)
            {
                WriteError(new ErrorRecord(ex, "PathNotFound", ErrorCategory.ObjectNotFound, path));
            }
        }
        return found;
    }

    /// <summary>The one database a command that changes a file works on; anything else is a terminating error (InvalidPath).</summary>
    protected string ResolveDatabase()
    {
        var literal = ParameterSetName == LiteralPathSet;
        var given = literal ? LiteralPath : Path;
        try
        {
            var files = given.SelectMany(p => FileSystemPaths.ResolveAllExisting(this, p, literal)).Distinct(StringComparer.Ordinal).ToList();
            if (files.Count != 1)
                throw new ArgumentException($"The path{(given.Length == 1 ? "" : "s")} \"{string.Join("\", \"", given)}\" name {files.Count} database files; {MyInvocation.MyCommand.Name} takes one at a time (pipe them one by one).");
            return files[0];
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "InvalidPath", ErrorCategory.InvalidArgument, string.Join(", ", given)));
            throw; // not reached: ThrowTerminatingError throws
        }
    }
}

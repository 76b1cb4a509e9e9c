using System.Management.Automation;
using System.Security;
using Migration.Engine.Session;
using Migration.Engine.Target;
using Migration.Engine.Target.SqlFile;
using Migration.PowerShell.Completion;

namespace Migration.PowerShell.Commands;

/// <summary>
/// Import-D1Batch: writes D1 rows into a local D1 database file (a new file, an existing SQLite
/// file, or the state file of <c>wrangler d1 execute --local</c>), or into a remote D1 database
/// over Cloudflare's HTTP API (-Database, or -WranglerConfig with -Binding; see
/// <see cref="RemoteD1Connection"/>), in batches, one transaction (remote: one request) per
/// batch; or into <c>.sql</c> files for <c>wrangler d1 execute --file</c> (-SqlPath, see
/// <see cref="SqlFileDatabase"/>; no journal). A refused row is a non-terminating error and the others go on. With -WhatIf the engine
/// runs dry: everything is counted and validated, nothing is written.
/// </summary>
/// <remarks>
/// The engine's <see cref="MigrationSession"/> runs the import (journal, resume, quarantine,
/// -MaxErrors, error log); this cmdlet binds the parameters and hands the pipeline's records to
/// <see cref="D1BatchImport"/>, which checks the destination (<see cref="D1ImportDestination"/>),
/// feeds the session and reports through <see cref="ImportReport"/>.
/// </remarks>
[Cmdlet(VerbsData.Import, "D1Batch", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PathSet)]
[OutputType(typeof(TableSummary), typeof(BatchResult), typeof(FileInfo))]
public sealed class ImportD1BatchCommand : PSCmdlet, IDisposable
{
    internal const string PathSet = "Path";
    internal const string LiteralPathSet = "LiteralPath";
    internal const string DatabaseSet = "Database";
    internal const string SqlPathSet = "SqlPath";

    D1BatchImport? _import;
    volatile bool _stopping;

    /// <summary>A D1 row (from ConvertTo-D1Row), a Postgres row (converted with the default policy) or a plain object (needs -TableName).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public PSObject InputObject { get; set; } = null!;

    /// <summary>The database file; wildcards must match exactly one file. A missing file is created.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The database file, taken literally (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = "";

    /// <summary>A remote D1 database: its name or UUID (resolved as wrangler does).</summary>
    [Parameter(ParameterSetName = DatabaseSet)]
    [ValidateNotNullOrEmpty]
    public string? Database { get; set; }

    /// <summary>The Cloudflare account; else CLOUDFLARE_ACCOUNT_ID, else the wrangler config's account_id.</summary>
    [Parameter(ParameterSetName = DatabaseSet)]
    [ValidateNotNullOrEmpty]
    public string? AccountId { get; set; }

    /// <summary>The API token; else CLOUDFLARE_API_TOKEN. Never shown in any output or error.</summary>
    [Parameter(ParameterSetName = DatabaseSet)]
    [ValidateNotNull]
    public SecureString? ApiToken { get; set; }

    /// <summary>The API's base URL; else CLOUDFLARE_API_BASE_URL, else https://api.cloudflare.com/client/v4.</summary>
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

    /// <summary>The write path per table: Auto (import API for tables the run creates or finds empty, else /query), Import or Query.</summary>
    [Parameter(ParameterSetName = DatabaseSet)]
    public D1WriteMethod Method { get; set; } = new ImportOptions().Method;

    /// <summary>
    /// A folder (or a file path ending .sql) to write .sql files into instead of a database, for
    /// <c>wrangler d1 execute &lt;db&gt; --remote --file</c>: numbered files, no BEGIN/COMMIT,
    /// every statement within D1's 100,000 bytes. No journal is written (no -Resume, no undo).
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = SqlPathSet)]
    [ValidateNotNullOrEmpty]
    public string? SqlPath { get; set; }

    /// <summary>With -SqlPath: a new file starts before this many bytes (default 25 MB; each file is one D1 import).</summary>
    [Parameter(ParameterSetName = SqlPathSet)]
    [ValidateRange(200_000L, long.MaxValue)]
    public long MaxFileBytes { get; set; } = SqlFileSet.DefaultMaxFileBytes;

    /// <summary>The table plain objects belong to.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TableName { get; set; }

    /// <summary>Rows per batch; each batch is one transaction.</summary>
    [Parameter]
    [ValidateRange(1, 100_000)]
    public int BatchSize { get; set; } = new ImportOptions().BatchSize;

    /// <summary>What happens when the key already holds a row.</summary>
    [Parameter]
    public OnConflict OnConflict { get; set; } = new ImportOptions().OnConflict;

    /// <summary>Largest row (bytes of strings and BLOBs) D1 is taken to accept.</summary>
    [Parameter]
    [ValidateRange(1L, long.MaxValue)]
    public long MaxRowBytes { get; set; } = D1Limits.Default.MaxRowBytes;

    /// <summary>
    /// What happens to a row whose foreign key names a missing parent row (tables created from
    /// the source's definition): Fail (a row error), Skip (left out and reported), Null (the key
    /// written NULL when its columns allow it, and reported).
    /// </summary>
    [Parameter]
    public OrphanPolicy OrphanPolicy { get; set; } = new ImportOptions().OrphanPolicy;

    /// <summary>Emit one BatchResult per committed batch (with -SqlPath: the files written, as FileInfo, at the end).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Continue the newest unfinished run in the file: rows it already committed are not written again.</summary>
    [Parameter]
    public SwitchParameter Resume { get; set; }

    /// <summary>Continue this run (implies -Resume).</summary>
    [Parameter]
    [ValidateRange(1L, long.MaxValue)]
    [ArgumentCompleter(typeof(RunIdCompleter))]
    public long RunId { get; set; }

    /// <summary>Stop the run (terminating error, run marked Failed and resumable) once more than this many rows failed.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int MaxErrors { get; set; } = int.MaxValue;

    /// <summary>Also write every failed row to this CSV file (created or replaced).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ErrorLog { get; set; }

    /// <summary>Copy the database first (SQLite backup API) to &lt;file&gt;.&lt;UTC time&gt;.bak; Undo-Migration -RestoreBackup restores it.</summary>
    [Parameter]
    public SwitchParameter Backup { get; set; }

    /// <summary>Write no journal (no resume, no undo): for a throwaway file.</summary>
    [Parameter]
    public SwitchParameter NoJournal { get; set; }

    internal bool Resuming => Resume.IsPresent || MyInvocation.BoundParameters.ContainsKey(nameof(RunId));

    protected override void BeginProcessing() => _import = D1BatchImport.Begin(this);

    protected override void ProcessRecord()
    {
        if (InputItems.IsOne(InputObject))
        {
            if (_import is not null && !_stopping && _import.Accepting) _import.Import(InputObject);
            return;
        }
        foreach (var item in InputItems.Of(InputObject))
        {
            if (_import is null || _stopping || !_import.Accepting) return;
            _import.Import(item);
        }
    }

    protected override void EndProcessing() => _import?.End();

    protected override void StopProcessing() => _stopping = true;

    public void Dispose()
    {
        _import?.Abandon(_stopping);
        _import = null;
    }
}

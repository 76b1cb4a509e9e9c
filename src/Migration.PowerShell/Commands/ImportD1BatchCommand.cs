using System.Management.Automation;
using System.Security;
using Migration.Engine.Convert;
using Migration.Engine.Journal;
using Migration.Engine.Schema;
using Migration.Engine.Session;
using Migration.Engine.Target;
using Migration.Engine.Target.RemoteD1;
using Migration.Engine.Target.SqlFile;
using Migration.PowerShell.Completion;
using Migration.Engine.Target.Sqlite;

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
/// -MaxErrors, error log); this cmdlet binds and validates the parameters and feeds it the
/// pipeline's rows; <see cref="ImportReport"/> writes out what the session reports.
/// </remarks>
[Cmdlet(VerbsData.Import, "D1Batch", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PathSet)]
[OutputType(typeof(TableSummary), typeof(BatchResult), typeof(FileInfo))]
public sealed class ImportD1BatchCommand : PSCmdlet, IDisposable
{
    const string PathSet = "Path";
    const string LiteralPathSet = "LiteralPath";
    const string DatabaseSet = "Database";
    const string SqlPathSet = "SqlPath";

    string _path = "";
    bool _dryRun;
    bool _declined;
    bool _discard;
    D1RowProducer? _producer;
    RemoteD1Connection? _remote;
    SqlFileDatabase? _sqlFiles;
    ImportReport? _report;
    MigrationSession? _session;
    volatile bool _stopping;
    /// <summary>The item being imported (one element when -InputObject holds a collection), for error records.</summary>
    PSObject? _current;

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

    bool IsRemote => ParameterSetName == DatabaseSet;

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

    bool IsSqlFile => ParameterSetName == SqlPathSet;

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

    bool Resuming => Resume.IsPresent || MyInvocation.BoundParameters.ContainsKey(nameof(RunId));

    protected override void BeginProcessing()
    {
        if (IsRemote)
        {
            BeginRemote();
            return;
        }
        if (IsSqlFile)
        {
            BeginSqlFile();
            return;
        }
        try
        {
            _path = ParameterSetName == LiteralPathSet
                ? FileSystemPaths.Resolve(this, LiteralPath, literal: true)
                : FileSystemPaths.Resolve(this, Path, literal: false);
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "InvalidPath", ErrorCategory.InvalidArgument, ParameterSetName == LiteralPathSet ? LiteralPath : Path));
            return;
        }

        if (LocalD1File.Problem(_path) is { } problem)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(problem), "InvalidDatabaseFile",
                Directory.Exists(System.IO.Path.GetDirectoryName(_path) ?? "") ? ErrorCategory.InvalidArgument : ErrorCategory.ObjectNotFound, _path));
            return;
        }

        // One decision for the whole run (not one prompt per row). Under -WhatIf PowerShell
        // answers false with reason WhatIf: the engine then runs dry and the per-table figures
        // are reported through ShouldProcess at the end.
        var proceed = ShouldProcess(
            $"Writing rows into the D1 database \"{_path}\".",
            $"Write rows into the D1 database \"{_path}\"?",
            "Import-D1Batch",
            out var reason);
        _dryRun = !proceed && reason == ShouldProcessReason.WhatIf;
        _declined = !proceed && !_dryRun;
        // Plain objects are coerced to an existing table's column types.
        _producer = new D1RowProducer(ConversionOptions.Default, _path);
        if (_declined) return;
        if (NoJournal.IsPresent && (Resuming || Backup.IsPresent))
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Resume, -RunId and -Backup need the journal; they cannot go with -NoJournal."),
                "JournalRequired", ErrorCategory.InvalidArgument, null));
            return;
        }
        _report = new ImportReport(this, () => _current ?? InputObject, _path, _dryRun, PassThru.IsPresent, () => _session?.Run?.RunId);
        // The run starts with the first record (or at the end for an empty input), after that
        // record passed the parameter checks: a mistake found there changes nothing on disk.
    }

    /// <summary>The remote D1: resolved (a read) before anything is written; -WhatIf writes nothing and only reads (tables, keys already there) to count.</summary>
    void BeginRemote()
    {
        if (Backup.IsPresent)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Backup copies a local file; a remote D1 keeps its earlier states in Time Travel."),
                "BackupNotRemote", ErrorCategory.InvalidArgument, null));
            return;
        }
        if (RemoteD1Target.MethodProblem(Method, OnConflict) is { } methodProblem)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(methodProblem), "RemoteD1Parameters", ErrorCategory.InvalidArgument, null));
            return;
        }
        _remote = new RemoteD1Parameters(Database, AccountId, ApiToken, ApiBaseUri, WranglerConfig, Binding).Open(this);
        _path = _remote.Database.Location;
        // As for a file: under -WhatIf the engine runs dry (reads only: the tables and the keys
        // already there) and the per-table figures are reported through ShouldProcess at the end.
        var proceed = ShouldProcess($"Writing rows into the {_path}.", $"Write rows into the {_path}?", "Import-D1Batch", out var reason);
        _dryRun = !proceed && reason == ShouldProcessReason.WhatIf;
        _declined = !proceed && !_dryRun;
        _producer = new D1RowProducer(ConversionOptions.Default, null);
        if (_declined) return;
        if (NoJournal.IsPresent && Resuming)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Resume and -RunId need the journal; they cannot go with -NoJournal."),
                "JournalRequired", ErrorCategory.InvalidArgument, null));
            return;
        }
        _report = new ImportReport(this, () => _current ?? InputObject, _path, _dryRun, PassThru.IsPresent, () => _session?.Run?.RunId);
    }

    /// <summary>.sql files: checked before anything is written; -WhatIf writes nothing.</summary>
    void BeginSqlFile()
    {
        if (Resuming || Backup.IsPresent)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Resume, -RunId and -Backup need the journal; -SqlPath writes no journal."),
                "JournalRequired", ErrorCategory.InvalidArgument, null));
            return;
        }
        try
        {
            _path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(SqlPath);
        }
        catch (Exception ex) when (ex is ArgumentException or ItemNotFoundException or NotSupportedException or ProviderNotFoundException or System.Management.Automation.DriveNotFoundException)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"The path \"{SqlPath}\" cannot be used: {ex.Message}", ex), "InvalidPath", ErrorCategory.InvalidArgument, SqlPath));
            return;
        }
        if (SqlFileSet.Problem(_path) is { } problem)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(problem), "InvalidSqlPath", ErrorCategory.InvalidArgument, _path));
            return;
        }
        var proceed = ShouldProcess($"Writing .sql files for wrangler d1 execute --file to \"{_path}\".", $"Write .sql files to \"{_path}\"?", "Import-D1Batch", out _);
        _declined = !proceed;
        if (_declined) return;
        WriteVerbose("-SqlPath writes no journal (as -NoJournal): the run cannot be resumed or undone by this module, and the database that executes the files holds no record of it. "
            + "Each file is one D1 import, applied whole or not at all; apply them in order.");
        _producer = new D1RowProducer(ConversionOptions.Default, null);
        _report = new ImportReport(this, () => _current ?? InputObject, _path, dryRun: false, passThru: false, () => null);
    }

    /// <summary>Starts or resumes the journaled run; false when there is nothing to write (the run completed already).</summary>
    bool StartSession()
    {
        if (_session is not null) return !_discard;
        var started = false;
        _report!.Run(() =>
        {
            var target = IsSqlFile ? _sqlFiles = new SqlFileDatabase(_path, MaxFileBytes)
                : _remote is null ? (ITargetDatabase)new LocalD1Database(_path) : _remote.Database;
            // A file's statements are filled to D1's byte limit unless -BatchSize caps their rows.
            var batchSize = IsSqlFile && !MyInvocation.BoundParameters.ContainsKey(nameof(BatchSize)) ? 100_000 : BatchSize;
            _session = new MigrationSession(target, new SessionOptions
            {
                Import = new ImportOptions
                {
                    BatchSize = batchSize,
                    OnConflict = OnConflict,
                    Limits = D1Limits.Default with { MaxRowBytes = MaxRowBytes },
                    DryRun = _dryRun,
                    OrphanPolicy = OrphanPolicy,
                    StopAtFirstRefusal = ErrorActionStop.IsRequested(this),
                    Method = Method,
                },
                Journal = !NoJournal.IsPresent && !IsSqlFile,
                Source = "Import-D1Batch",
                Resume = Resuming,
                RunId = MyInvocation.BoundParameters.ContainsKey(nameof(RunId)) ? RunId : null,
                BackupPath = Backup.IsPresent ? MigrationSession.DefaultBackupPath(_path, DateTime.UtcNow) : null,
                MaxErrors = MaxErrors,
                ErrorLogPath = ErrorLog is null || _dryRun ? null : FileSystemPaths.Resolve(this, ErrorLog, literal: true),
            }, _report);
            started = _session.Start();
        }, "RunStartFailed", ErrorCategory.OpenError);
        if (started) return true;
        WriteWarning($"Run {_session!.Run!.RunId} in {_path} completed already; there is nothing to resume and no row is written.");
        _discard = true;
        return false;
    }

    protected override void ProcessRecord()
    {
        foreach (var item in InputItems.Of(InputObject))
        {
            if (_declined || _stopping || _discard) return;
            _current = item;
            Import(item);
        }
    }

    void Import(PSObject input)
    {
        if (!D1RowProducer.IsRow(input) && input.BaseObject is not RejectedRow && TableName is null)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException("Import-D1Batch got a plain object (not a row): give -TableName, the table it belongs to."),
                "TableNameRequired", ErrorCategory.InvalidArgument, input));
            return;
        }
        if (_session is null && _remote is not null && !Resuming)
        {
            // A -Method mistake is refused before the run starts: no run row, nothing written.
            var tables = TablesOf(input);
            _report!.Run(() => _remote.Database.CheckImportMethod(tables, new ImportOptions { Method = Method, DryRun = _dryRun }), "RemoteD1Parameters", ErrorCategory.InvalidArgument);
        }
        if (!StartSession()) return;
        var session = _session!;
        Row? row = null;
        _report!.Run(() => row = _producer!.ToD1Row(input, TableName, session));
        if (row is null) return;
        _report.Run(session.OpenTarget, "TargetOpenFailed", ErrorCategory.OpenError);
        _report.Run(() => session.Add(row));
    }

    /// <summary>The D1 tables the first record writes: its whole-database set, its table, or -TableName.</summary>
    string[] TablesOf(PSObject input)
    {
        if (input.BaseObject is not Row row) return input.BaseObject is RejectedRow || TableName is null ? [] : [TableName];
        var schema = row.GetSchema();
        if (schema.Kind != SchemaKind.D1) return [];
        return schema.Definition?.Set is { IsLoadOrder: true } set ? [.. set.Tables.Select(t => t.Name)] : [schema.Name];
    }

    protected override void EndProcessing()
    {
        if (_declined || _discard || !StartSession()) return;
        _report!.Run(() => _session!.Complete());
        if (IsSqlFile && PassThru.IsPresent && _sqlFiles is not null)
            foreach (var file in _sqlFiles.FilesWritten) WriteObject(new FileInfo(file));
    }

    protected override void StopProcessing() => _stopping = true;

    public void Dispose()
    {
        // Runs after the pipeline ends however it ends: what was committed stays, the open
        // batch is abandoned, and a run that did not complete is marked Failed (resumable).
        _session?.Abandon(_stopping ? "stopped (Ctrl+C or a downstream command)" : "stopped by an error; resume with -Resume");
        _session?.Dispose();
        _session = null;
        _remote?.Dispose();
        _remote = null;
    }
}

using System.Management.Automation;
using Migration.Engine.Convert;
using Migration.Engine.Session;
using Migration.Engine.Target;
using Migration.Engine.Target.RemoteD1;
using Migration.Engine.Target.Sqlite;
using Migration.Engine.Target.SqlFile;
using Migration.PowerShell.Commands;

namespace Migration.PowerShell;

/// <summary>
/// Where Import-D1Batch writes: a local D1 file (-Path / -LiteralPath), a remote D1 (-Database,
/// or -WranglerConfig with -Binding) or <c>.sql</c> files (-SqlPath). Resolved, checked and
/// confirmed (ShouldProcess) before anything is written, so a mistake in the parameters changes
/// nothing; then the target database and the options of the run, from the cmdlet's parameters.
/// Kept apart from the cmdlet so that the cmdlet only binds its parameters and reports.
/// </summary>
internal sealed class D1ImportDestination : IDisposable
{
    readonly ImportD1BatchCommand _cmdlet;
    SqlFileDatabase? _sqlFiles;

    D1ImportDestination(ImportD1BatchCommand cmdlet, string location, RemoteD1Connection? remote)
    {
        _cmdlet = cmdlet;
        Location = location;
        Remote = remote;
    }

    /// <summary>The file, the remote database's location (d1://...) or the .sql folder/file.</summary>
    public string Location { get; }

    public RemoteD1Connection? Remote { get; private set; }

    public bool IsSqlFile { get; private init; }

    /// <summary>-WhatIf: the engine runs dry (counts and validates, writes nothing).</summary>
    public bool DryRun { get; private set; }

    /// <summary>The user said no (or -Confirm was declined): nothing is done.</summary>
    public bool Declined { get; private set; }

    /// <summary>The .sql files written, in the order they are to be applied (after the run).</summary>
    public IReadOnlyList<string> FilesWritten => _sqlFiles?.FilesWritten ?? [];

    /// <summary>The destination of the cmdlet's parameter set; a parameter mistake is a terminating error.</summary>
    public static D1ImportDestination Open(ImportD1BatchCommand cmdlet) =>
        cmdlet.ParameterSetName switch
        {
            ImportD1BatchCommand.DatabaseSet => OpenRemote(cmdlet),
            ImportD1BatchCommand.SqlPathSet => OpenSqlFiles(cmdlet),
            _ => OpenFile(cmdlet),
        };

    static D1ImportDestination OpenFile(ImportD1BatchCommand cmdlet)
    {
        var literal = cmdlet.ParameterSetName == ImportD1BatchCommand.LiteralPathSet;
        string path = "";
        try
        {
            path = FileSystemPaths.Resolve(cmdlet, literal ? cmdlet.LiteralPath : cmdlet.Path, literal);
        }
        catch (ArgumentException ex)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(ex, "InvalidPath", ErrorCategory.InvalidArgument, literal ? cmdlet.LiteralPath : cmdlet.Path));
        }
        if (LocalD1File.Problem(path) is { } problem)
            cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException(problem), "InvalidDatabaseFile",
                Directory.Exists(System.IO.Path.GetDirectoryName(path) ?? "") ? ErrorCategory.InvalidArgument : ErrorCategory.ObjectNotFound, path));
        var destination = new D1ImportDestination(cmdlet, path, null);
        destination.Confirm($"Writing rows into the D1 database \"{path}\".", $"Write rows into the D1 database \"{path}\"?");
        if (!destination.Declined && cmdlet.NoJournal.IsPresent && (cmdlet.Resuming || cmdlet.Backup.IsPresent))
            Refuse(cmdlet, "-Resume, -RunId and -Backup need the journal; they cannot go with -NoJournal.", "JournalRequired");
        return destination;
    }

    /// <summary>The remote D1: resolved (a read) before anything is written; -WhatIf writes nothing and only reads (tables, keys already there) to count.</summary>
    static D1ImportDestination OpenRemote(ImportD1BatchCommand cmdlet)
    {
        if (cmdlet.Backup.IsPresent)
            Refuse(cmdlet, "-Backup copies a local file; a remote D1 keeps its earlier states in Time Travel.", "BackupNotRemote");
        if (RemoteD1Target.MethodProblem(cmdlet.Method, cmdlet.OnConflict) is { } methodProblem)
            Refuse(cmdlet, methodProblem, "RemoteD1Parameters");
        var remote = new RemoteD1Parameters(cmdlet.Database, cmdlet.AccountId, cmdlet.ApiToken, cmdlet.ApiBaseUri, cmdlet.WranglerConfig, cmdlet.Binding).Open(cmdlet);
        var destination = new D1ImportDestination(cmdlet, remote.Database.Location, remote);
        try
        {
            destination.Confirm($"Writing rows into the {destination.Location}.", $"Write rows into the {destination.Location}?");
            if (!destination.Declined && cmdlet.NoJournal.IsPresent && cmdlet.Resuming)
                Refuse(cmdlet, "-Resume and -RunId need the journal; they cannot go with -NoJournal.", "JournalRequired");
        }
        catch
        {
            destination.Dispose();
            throw;
        }
        return destination;
    }

    /// <summary>.sql files: checked before anything is written; -WhatIf writes nothing (no dry run: a file has nothing to count against).</summary>
    static D1ImportDestination OpenSqlFiles(ImportD1BatchCommand cmdlet)
    {
        if (cmdlet.Resuming || cmdlet.Backup.IsPresent)
            Refuse(cmdlet, "-Resume, -RunId and -Backup need the journal; -SqlPath writes no journal.", "JournalRequired");
        string path = "";
        try
        {
            path = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(cmdlet.SqlPath);
        }
        catch (Exception ex) when (ex is ArgumentException or ItemNotFoundException or NotSupportedException or ProviderNotFoundException or System.Management.Automation.DriveNotFoundException)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException($"The path \"{cmdlet.SqlPath}\" cannot be used: {ex.Message}", ex), "InvalidPath", ErrorCategory.InvalidArgument, cmdlet.SqlPath));
        }
        if (SqlFileSet.Problem(path) is { } problem)
            cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException(problem), "InvalidSqlPath", ErrorCategory.InvalidArgument, path));
        var destination = new D1ImportDestination(cmdlet, path, null) { IsSqlFile = true };
        destination.Declined = !cmdlet.ShouldProcess($"Writing .sql files for wrangler d1 execute --file to \"{path}\".", $"Write .sql files to \"{path}\"?", "Import-D1Batch", out _);
        if (!destination.Declined)
            cmdlet.WriteVerbose("-SqlPath writes no journal (as -NoJournal): the run cannot be resumed or undone by this module, and the database that executes the files holds no record of it. "
                + "Each file is one D1 import, applied whole or not at all; apply them in order.");
        return destination;
    }

    /// <summary>
    /// One decision for the whole run (not one prompt per row). Under -WhatIf PowerShell answers
    /// false with reason WhatIf: the engine then runs dry and the per-table figures are reported
    /// through ShouldProcess at the end.
    /// </summary>
    void Confirm(string description, string warning)
    {
        var proceed = _cmdlet.ShouldProcess(description, warning, "Import-D1Batch", out var reason);
        DryRun = !proceed && reason == ShouldProcessReason.WhatIf;
        Declined = !proceed && !DryRun;
    }

    static void Refuse(PSCmdlet cmdlet, string message, string errorId) =>
        cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, null));

    /// <summary>Plain objects are coerced to an existing table's column types (a local file's; the others are not read for that).</summary>
    public D1RowProducer Producer() => new(ConversionOptions.Default, Remote is null && !IsSqlFile ? Location : null);

    /// <summary>The database the session writes to.</summary>
    public ITargetDatabase Database() =>
        IsSqlFile ? _sqlFiles = new SqlFileDatabase(Location, _cmdlet.MaxFileBytes)
        : Remote is null ? new LocalD1Database(Location) : Remote.Database;

    /// <summary>The run's options, from the cmdlet's parameters.</summary>
    public SessionOptions Options()
    {
        var bound = _cmdlet.MyInvocation.BoundParameters;
        return new SessionOptions
        {
            Import = new ImportOptions
            {
                // A file's statements are filled to D1's byte limit unless -BatchSize caps their rows.
                BatchSize = IsSqlFile && !bound.ContainsKey(nameof(_cmdlet.BatchSize)) ? SqlFileDatabase.DefaultBatchRows : _cmdlet.BatchSize,
                OnConflict = _cmdlet.OnConflict,
                Limits = D1Limits.Default with { MaxRowBytes = _cmdlet.MaxRowBytes },
                DryRun = DryRun,
                OrphanPolicy = _cmdlet.OrphanPolicy,
                StopAtFirstRefusal = ErrorActionStop.IsRequested(_cmdlet),
                Method = _cmdlet.Method,
            },
            Journal = !_cmdlet.NoJournal.IsPresent && !IsSqlFile,
            Source = "Import-D1Batch",
            Resume = _cmdlet.Resuming,
            RunId = bound.ContainsKey(nameof(_cmdlet.RunId)) ? _cmdlet.RunId : null,
            BackupPath = _cmdlet.Backup.IsPresent ? MigrationSession.DefaultBackupPath(Location, DateTime.UtcNow) : null,
            MaxErrors = _cmdlet.MaxErrors,
            ErrorLogPath = _cmdlet.ErrorLog is null || DryRun ? null : FileSystemPaths.Resolve(_cmdlet, _cmdlet.ErrorLog, literal: true),
        };
    }

    public void Dispose()
    {
        Remote?.Dispose();
        Remote = null;
    }
}

using System.Collections.Concurrent;
using System.Management.Automation;
using System.Security;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Migration.Engine.Source.RemoteD1;
using Migration.Engine.Source.Sqlite;
using Migration.PowerShell.Completion;

namespace Migration.PowerShell.Commands;

/// <summary>
/// Export-D1Table: streams the rows of tables of a D1 database as light row objects, every value
/// exactly as stored (INTEGER as Int64, REAL as Double, TEXT as String, BLOB as Byte[]): from a
/// file (-Path: a D1 export, wrangler's local state file, any SQLite file; all tables of one call
/// read in one read transaction, i.e. one snapshot), or from a remote D1 over Cloudflare's API
/// (-Database: each table read through /raw in keyset pages; D1 keeps no snapshot across
/// requests, so a table whose row count changes during its read is reported by a warning).
/// -All takes every user table, parents before children by the database's foreign keys. Rows
/// come in primary-key order (rowid order without a key), which is what a resumed Import-PgTable
/// relies on. The cmdlet binds; the reading is the engine's (SqliteFileSource, RemoteD1Source).
/// </summary>
[Cmdlet(VerbsData.Export, "D1Table", DefaultParameterSetName = PathSet)]
[OutputType(typeof(Row))]
public sealed class ExportD1TableCommand : PSCmdlet
{
    const string PathSet = "Path";
    const string LiteralPathSet = "LiteralPath";
    const string DatabaseSet = "Database";
    readonly List<string> _tables = [];

    /// <summary>The D1/SQLite file; wildcards must match exactly one file.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The D1/SQLite file, taken literally.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
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

    /// <summary>Tables to export, in this order (with -All: wildcard patterns).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [Alias("Name", "TableName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(D1TableCompleter))]
    public string[] Table { get; set; } = [];

    /// <summary>Every user table (never sqlite_*, _cf_* or the module's d1_migration_* journal), parents before children.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <summary>With -All: tables to leave out (wildcards). A pattern that matches no table is an error.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(D1TableCompleter))]
    public string[]? ExcludeTable { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var t in Table)
            if (!_tables.Contains(t, StringComparer.Ordinal)) _tables.Add(t);
    }

    protected override void EndProcessing()
    {
        D1SourceTables.CheckChoice(this, All.IsPresent, _tables, ExcludeTable, "export");
        if (ParameterSetName == DatabaseSet)
        {
            using var remote = new RemoteD1Parameters(Database, AccountId, ApiToken, ApiBaseUri, WranglerConfig, Binding).Open(this);
            var messages = new ConcurrentQueue<(bool Warning, string Text)>();
            using var source = new RemoteD1Source(remote.Database.Client, remote.Database.Location);
            // Raised on the reader thread; written on the pipeline's after each table.
            source.Warning += w => messages.Enqueue((true, w));
            source.Log += l => messages.Enqueue((false, l));
            Export(source, "read in keyset pages (no snapshot across requests: a table that changes during its read is reported)", () =>
            {
                while (messages.TryDequeue(out var m))
                    if (m.Warning) WriteWarning(m.Text);
                    else WriteVerbose(m.Text);
            });
            WriteVerbose($"{source.Requests} request(s) to {remote.Database.Location}.");
            return;
        }
        var (file, path) = D1SourceTables.Open(this, ParameterSetName == LiteralPathSet, ParameterSetName == LiteralPathSet ? LiteralPath : Path);
        using (file) Export(file, "in one snapshot", () => { });
    }

    /// <summary>The tables of the choice, read one after another, each on a reader thread of its own.</summary>
    void Export(D1Source source, string how, Action afterTable)
    {
        var where = source.Location;
        var tables = D1SourceTables.Describe(this, source, where, All.IsPresent, _tables, ExcludeTable, "exported");
        WriteVerbose($"Reading {tables.Count} table(s) of {where} {how}: {string.Join(", ", tables.Select(t => t.Name))}.");
        for (var i = 0; i < tables.Count; i++)
        {
            var progress = new TableExportProgress(this, $"Export-D1Table ({i + 1} of {tables.Count})", tables[i].Name, estimate: 0, status: tables[i].Name);
            long rows = 0;
            // The database is read and its values decoded on a thread of its own, a few hundred
            // rows ahead (as Export-PgTable reads COPY), so SQLite's (or the API's) work overlaps
            // with what the commands downstream do with each row. Tables are read one after
            // another and the reader is stopped and waited for before the next one starts, so
            // the source is never used by two threads at once. A source that counts a table before
            // reading it (a remote D1) says so with a first progress report of 0 rows.
            var table = tables[i];
            using (var reader = new ReadAhead<Row>(() => source.Export(table, progress: p => { if (p.RowsDone == 0) progress.Estimate(p.EstimatedTotal); }), threadName: "Migration D1 reader"))
            {
                while (true)
                {
                    // Only the reading is guarded: an exception out of WriteObject belongs downstream.
                    Row row;
                    try
                    {
                        if (!reader.TryTake(out row)) break;
                    }
                    catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or SqliteSourceException or IOException
                                               || RemoteD1Connection.ErrorCategoryOf(ex) is not null)
                    {
                        afterTable();
                        ThrowTerminatingError(new ErrorRecord(new IOException($"Export of {table.Name} from {where} stopped after {rows} rows: {ex.Message}", ex),
                            "ExportFailed", RemoteD1Connection.ErrorCategoryOf(ex) is ErrorCategory.AuthenticationError ? ErrorCategory.AuthenticationError : ErrorCategory.ReadError, table.Name));
                        return;
                    }
                    WriteObject(row);
                    progress.Row(++rows);
                }
            }
            afterTable();
            progress.Complete(rows);
        }
    }
}

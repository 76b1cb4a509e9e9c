using System.Management.Automation;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Migration.Engine.Source.Sqlite;
using Migration.PowerShell.Completion;

namespace Migration.PowerShell.Commands;

/// <summary>
/// Export-D1Table: streams the rows of tables of a D1 database file (a D1 export, wrangler's
/// local state file, any SQLite file) as light row objects, every value exactly as stored
/// (INTEGER as Int64, REAL as Double, TEXT as String, BLOB as Byte[]). All tables of one call are
/// read in one read transaction, i.e. one snapshot; -All takes every user table, parents before
/// children by the file's foreign keys. Rows come in primary-key order (rowid order without a
/// key), which is what a resumed Import-PgTable relies on.
/// </summary>
[Cmdlet(VerbsData.Export, "D1Table", DefaultParameterSetName = PathSet)]
[OutputType(typeof(Row))]
public sealed class ExportD1TableCommand : PSCmdlet
{
    const string PathSet = "Path";
    const string LiteralPathSet = "LiteralPath";
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
        var (source, path) = D1SourceTables.Open(this, ParameterSetName == LiteralPathSet, ParameterSetName == LiteralPathSet ? LiteralPath : Path);
        using (source)
        {
            var tables = D1SourceTables.Describe(this, source, path, All.IsPresent, _tables, ExcludeTable, "exported");
            WriteVerbose($"Reading {tables.Count} table(s) of {path} in one snapshot: {string.Join(", ", tables.Select(t => t.Name))}.");
            for (var i = 0; i < tables.Count; i++)
            {
                var progress = new TableExportProgress(this, $"Export-D1Table ({i + 1} of {tables.Count})", tables[i].Name, estimate: 0, status: tables[i].Name);
                long rows = 0;
                // The file is read and its values decoded on a thread of its own, a few hundred
                // rows ahead (as Export-PgTable reads COPY), so SQLite's work overlaps with what
                // the commands downstream do with each row. Tables are read one after another
                // and the reader is stopped and waited for before the next one starts, so the
                // source's one connection is never used by two threads at once.
                var table = tables[i];
                using var reader = new ReadAhead<Row>(() => source.Export(table), threadName: "Migration D1 file reader");
                while (true)
                {
                    // Only the reading is guarded: an exception out of WriteObject belongs downstream.
                    Row row;
                    try
                    {
                        if (!reader.TryTake(out row)) break;
                    }
                    catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or SqliteSourceException or IOException)
                    {
                        ThrowTerminatingError(new ErrorRecord(new IOException($"Export of {table.Name} from {path} stopped after {rows} rows: {ex.Message}", ex),
                            "ExportFailed", ErrorCategory.ReadError, table.Name));
                        return;
                    }
                    WriteObject(row);
                    progress.Row(++rows);
                }
                progress.Complete(rows);
            }
        }
    }
}

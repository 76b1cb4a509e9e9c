using System.Collections;
using System.Management.Automation;
using System.Text;
using Migration.Engine.Convert;
using Migration.Engine.Convert.D1ToPg;
using Migration.Engine.Schema;
using Migration.Engine.Target.Postgres;
using Migration.PowerShell.Completion;

namespace Migration.PowerShell.Commands;

/// <summary>
/// Export-PgSchema: the PostgreSQL DDL for the tables of a D1 database file, for users leaving D1
/// who have no Postgres schema yet. Column types by documented cast rules anchored on pgloader's
/// SQLite cast rules (docs/pg-schema.md), checked against the data (-ValueScan) with the very
/// converters ConvertTo-PgRow uses; every decision the data made, and everything not carried
/// (a CHECK, a partial index, a default SQLite computes), is a <see cref="SchemaWarning"/>. The
/// renames are ConvertTo-PgRow's (-TableMap, -ColumnMap, -ColumnNaming, -Exclude), so the schema
/// is the one the rows load into. Emits one <see cref="PgSchemaStatement"/> per statement
/// (tables, indexes, foreign keys; with -AfterLoad the identity sequences' setval), or writes
/// them as one script with -OutFile. Reads only; the file is the one thing it writes.
/// </summary>
[Cmdlet(VerbsData.Export, "PgSchema", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(PgSchemaStatement), typeof(SchemaWarning), typeof(FileInfo), typeof(string))]
public sealed class ExportPgSchemaCommand : PSCmdlet
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

    /// <summary>Tables (with -All: wildcard patterns). Not from the pipeline: what comes down it is the file (Get-Item binds -LiteralPath), which must not become a table name.</summary>
    [Parameter(Position = 0)]
    [Alias("Name", "TableName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(D1TableCompleter))]
    public string[] Table { get; set; } = [];

    /// <summary>Every user table, parents before children.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <summary>With -All: tables to leave out (wildcards); a pattern that matches no table is an error.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(D1TableCompleter))]
    public string[]? ExcludeTable { get; set; }

    /// <summary>D1 table -> Postgres table, as ConvertTo-PgRow takes it; two D1 tables mapped to one are merged (joined on the key).</summary>
    [Parameter]
    public Hashtable? TableMap { get; set; }

    /// <summary><c>'table.column'</c> or <c>'column'</c> -> Postgres column, as ConvertTo-PgRow takes it (wins over -ColumnNaming).</summary>
    [Parameter]
    public Hashtable? ColumnMap { get; set; }

    /// <summary>D1 columns to leave out (<c>'table.column'</c> or <c>'column'</c>), as ConvertTo-PgRow takes them.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Exclude { get; set; }

    /// <summary>AsIs or SnakeCase (userId -> user_id), as ConvertTo-PgRow takes it.</summary>
    [Parameter]
    public ColumnNaming ColumnNaming { get; set; } = ColumnNaming.AsIs;

    /// <summary>The -IdMap Import-PgTable will run with: Generate or Deterministic make a one-column TEXT key (and the foreign keys to it) uuid whatever it holds.</summary>
    [Parameter]
    public IdMapMode IdMap { get; set; } = IdMapMode.None;

    /// <summary><c>'table.column'</c> (D1 names) -> a Postgres type (boolean, bigint, timestamptz, jsonb, numeric(12,2), text[], ...): your decision wins over every rule.</summary>
    [Parameter]
    public Hashtable? ColumnType { get; set; }

    /// <summary>
    /// <c>'table.column'</c> (the D1 table, the Postgres column, as ConvertTo-PgRow -ComputedColumn
    /// names them) -> the column's Postgres type: the columns the load computes, created nullable;
    /// one named like a mapped D1 column replaces it.
    /// </summary>
    [Parameter]
    public Hashtable? ComputedColumn { get; set; }

    /// <summary>How much data is read to decide types: Full (default: every row), Sample (-SampleSize rows per table), None (declared types only).</summary>
    [Parameter]
    public ValueScan ValueScan { get; set; } = ValueScan.Full;

    /// <summary>Rows per table read with -ValueScan Sample (default 1000).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int SampleSize { get; set; } = 1000;

    /// <summary>Emit only the statements to run after the load: each identity's sequence set past the largest id.</summary>
    [Parameter]
    public SwitchParameter AfterLoad { get; set; }

    /// <summary>Write the statements as one SQL script (BEGIN ... COMMIT, the warnings as comments) to this file instead of the pipeline.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    /// <summary>Emit the whole script as one string (what -OutFile writes: the warnings as comments, BEGIN, the statements, COMMIT), e.g. to pipe into psql.</summary>
    [Parameter]
    public SwitchParameter AsScript { get; set; }

    /// <summary>With -OutFile: overwrite an existing file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Lets a name in -TableMap, -ColumnMap or -Exclude match no D1 table or column (by default an error: almost always a typo).</summary>
    [Parameter]
    public SwitchParameter AllowUnmatchedName { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var t in Table)
            if (!_tables.Contains(t, StringComparer.Ordinal)) _tables.Add(t);
    }

    /// <summary>-ComputedColumn's types; ConvertTo-PgRow's script block in their place is a clear error, not a name.</summary>
    Dictionary<string, string> ComputedColumnTypes()
    {
        foreach (DictionaryEntry e in ComputedColumn ?? [])
            if (PSObjectAdapter.Unwrap(e.Value) is ScriptBlock)
                throw new ArgumentException($"-ComputedColumn \"{e.Key}\": give the column's Postgres type (e.g. 'timestamptz'); the script block that computes it is ConvertTo-PgRow's.", nameof(ComputedColumn));
        return ConversionOptionsBuilder.StringMap(ComputedColumn, nameof(ComputedColumn));
    }

    protected override void EndProcessing()
    {
        D1SourceTables.CheckChoice(this, All.IsPresent, _tables, ExcludeTable, "describe");
        PgSchemaOptions options;
        string? outFile = null;
        try
        {
            options = new PgSchemaOptions
            {
                Conversion = ConversionOptionsBuilder.PgOptions(TableMap, ColumnMap, Exclude, null, ColumnNaming),
                IdMap = IdMap != IdMapMode.None,
                ColumnTypes = ConversionOptionsBuilder.StringMap(ColumnType, "ColumnType"),
                ComputedColumnTypes = ComputedColumnTypes(),
                Scan = ValueScan,
                SampleSize = SampleSize,
            };
            if (OutFile is not null) outFile = FileSystemPaths.ResolveAny(this, OutFile, nameof(OutFile));
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "InvalidArgument", ErrorCategory.InvalidArgument, null));
            return;
        }
        if (outFile is not null && File.Exists(outFile) && !Force.IsPresent)
        {
            ThrowTerminatingError(new ErrorRecord(new IOException($"-OutFile: {outFile} exists; give -Force to overwrite it."), "FileExists", ErrorCategory.ResourceExists, outFile));
            return;
        }

        var (source, path) = D1SourceTables.Open(this, ParameterSetName == LiteralPathSet, ParameterSetName == LiteralPathSet ? LiteralPath : Path);
        PgSchema schema;
        int tableCount;
        using (source)
        {
            var tables = D1SourceTables.Describe(this, source, path, All.IsPresent, _tables, ExcludeTable, "emitted");
            // A name in the maps that matches nothing is a parameter mistake: nothing is emitted.
            var unmatched = AllowUnmatchedName.IsPresent ? [] : new PgRowConverter(options.Conversion, []).UnmatchedNames(tables);
            if (unmatched.Count > 0)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(string.Join("; ", unmatched).TrimEnd('.') + ". Nothing was emitted."), "UnmatchedName", ErrorCategory.InvalidArgument, null));
                return;
            }
            WriteVerbose($"Describing {tables.Count} table(s) of {path}: {string.Join(", ", tables.Select(t => t.Name))}; values read: {ValueScan}.");
            try
            {
                var throttle = ProgressThrottle.Default();
                var record = new ProgressRecord(1, "Export-PgSchema", "Reading the values to check the column types");
                schema = PgSchemaBuilder.Build(source, tables, options, WriteVerbose, (table, rows) =>
                {
                    if (!throttle.ShouldReport()) return;
                    record.StatusDescription = $"{table}: {rows} rows read to check the column types";
                    WriteProgress(record);
                });
                record.RecordType = ProgressRecordType.Completed;
                WriteProgress(record);
            }
            catch (MappingException ex)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(ex.Message + " Nothing was emitted.", ex), "MappingFailed", ErrorCategory.InvalidArgument, ex.Table));
                return;
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or Migration.Engine.Source.Sqlite.SqliteSourceException)
            {
                ThrowTerminatingError(new ErrorRecord(new IOException($"Cannot read {path}: {ex.Message}", ex), "ReadFailed", ErrorCategory.ReadError, path));
                return;
            }
            tableCount = tables.Count;
        }

        var statements = AfterLoad.IsPresent ? schema.AfterLoad : schema.Statements;
        foreach (var w in schema.Warnings) WriteWarning(w.ToString());
        if (!AfterLoad.IsPresent && schema.AfterLoad.Count > 0)
            WriteVerbose($"{schema.AfterLoad.Count} identity column(s): after the load, run the statements of Export-PgSchema -AfterLoad (each sequence set past the largest id).");
        var header = $"PostgreSQL {(AfterLoad.IsPresent ? "after-load statements (run them once the data is in)" : "schema")} generated from the D1 file {System.IO.Path.GetFileName(path)} by Export-PgSchema (Migration module).\n"
            + (AfterLoad.IsPresent ? "" : "Import-PgTable creates its journal schema (migration_journal, with migration_id_map for -IdMap) itself.");
        if (outFile is null && AsScript.IsPresent)
        {
            WriteObject(PgSchemaStatement.Script(statements, schema.Warnings, header));
            return;
        }
        if (outFile is null)
        {
            foreach (var s in statements) WriteObject(s);
            foreach (var w in schema.Warnings) WriteObject(w);
            return;
        }
        if (!ShouldProcess(outFile, $"Write the PostgreSQL {(AfterLoad.IsPresent ? "after-load statements" : "schema")} of {tableCount} D1 table(s) ({statements.Count} statements)")) return;
        try
        {
            using (var stream = new FileStream(outFile, Force.IsPresent ? FileMode.Create : FileMode.CreateNew, FileAccess.Write))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
                writer.Write(PgSchemaStatement.Script(statements, schema.Warnings, header));
            WriteVerbose($"Wrote {statements.Count} statements to {outFile}.");
            WriteObject(new FileInfo(outFile));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(new IOException($"Cannot write {outFile}: {ex.Message}", ex), "WriteFailed", ErrorCategory.WriteError, outFile));
        }
    }
}

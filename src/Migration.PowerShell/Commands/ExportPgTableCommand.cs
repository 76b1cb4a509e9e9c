using System.Management.Automation;
using System.Net;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Migration.PowerShell.Completion;

namespace Migration.PowerShell.Commands;

/// <summary>
/// Export-PgTable: streams the rows of one or more Postgres tables. All tables of one call are
/// read by one exporter, i.e. from one REPEATABLE READ snapshot, so they are consistent with each
/// other; tables are therefore collected while input arrives and exported at the end.
/// </summary>
[Cmdlet(VerbsData.Export, "PgTable")]
[OutputType(typeof(Row))]
public sealed class ExportPgTableCommand : PSCmdlet
{
    readonly List<string> _tables = [];
    volatile bool _stopping;

    /// <summary>An Npgsql/libpq-style connection string; parts left out come from PG* environment variables.</summary>
    [Parameter]
    public string? ConnectionString { get; set; }

    /// <summary>User name and password; the password never appears in output or errors.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>
    /// Tables to export: <c>name</c>, <c>schema.name</c> or a quoted name. With -All (or a
    /// wildcard in an entry) these are wildcard patterns over <c>name</c> and <c>schema.name</c>.
    /// </summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "TableName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PgTableCompleter))]
    public string[] Table { get; set; } = [];

    /// <summary>Every table of the database (ordinary and partitioned; never system schemas), parents before children.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <summary>With -All: only these schemas (wildcards).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Schema { get; set; }

    /// <summary>With -All: leave out these tables (wildcards over <c>name</c> and <c>schema.name</c>).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PgTableCompleter))]
    public string[]? ExcludeTable { get; set; }

    /// <summary>Only these columns (default: all).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PgColumnCompleter))]
    public string[]? Column { get; set; }

    /// <summary>
    /// A D1 database file with a journal: each table starts after the last key the run (the
    /// newest not undone, or -RunId) committed for it, so a resumed run does not read again
    /// what is done. Keyset paging on the primary key, never OFFSET.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ResumeFrom { get; set; }

    /// <summary>With -ResumeFrom: the run whose checkpoints are used.</summary>
    [Parameter]
    [ValidateRange(1L, long.MaxValue)]
    [ArgumentCompleter(typeof(RunIdCompleter))]
    public long RunId { get; set; }

    /// <summary>One table only: start after this primary key (its values in key order).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public object[]? AfterKey { get; set; }

    PgExportStart? _start;

    protected override void ProcessRecord()
    {
        foreach (var t in Table)
            if (!_tables.Contains(t, StringComparer.Ordinal)) _tables.Add(t);
    }

    protected override void EndProcessing()
    {
        // Checked before connecting: a mistake in the table choice contacts nothing.
        var chooser = new PgTableChooser(All.IsPresent, _tables, Schema, ExcludeTable, Column);
        try
        {
            chooser.Validate();
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, _tables.Count == 0 && !All.IsPresent ? "TableRequired" : "InvalidArgument", ErrorCategory.InvalidArgument, null));
            return;
        }
        var credential = Credential?.GetNetworkCredential();
        var settings = PgConnectionErrors.Settings(this, ConnectionString, credential);
        PgExporter exporter;
        try
        {
            exporter = new PgExporter(settings);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowTerminatingError(PgConnectionErrors.Failure(ex, ex.Message, "ConnectionFailed", ErrorCategory.ConnectionError, settings.Describe(), ConnectionString, credential));
            return;
        }
        WriteVerbose(exporter.DescribeConnection());

        using (exporter)
        {
            IReadOnlyList<TableSchema> schemas;
            try
            {
                schemas = chooser.Describe(exporter, WriteVerbose);
                foreach (var warning in schemas.SelectMany(t => t.Definition?.Warnings ?? []))
                    if (warning.ObjectKind == "Table") WriteWarning(warning.ToString());
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                var what = _tables.Count > 0 ? string.Join(", ", _tables) : "the tables";
                Terminate("DescribeFailed", ex is ArgumentException ? ErrorCategory.InvalidArgument : ErrorCategory.ObjectNotFound, what,
                    $"Cannot read the definition of {what} on {settings.Describe()}: {ex.Message}", credential);
                return;
            }

            _start = PgExportStart.Read(this, schemas);
            if (_start is null) return;
            for (var i = 0; i < schemas.Count && !_stopping; i++)
                ExportTable(exporter, schemas[i], i, schemas.Count, settings, credential);
        }
    }

    protected override void StopProcessing() => _stopping = true;

    void ExportTable(PgExporter exporter, TableSchema schema, int index, int tableCount, PgConnectionSettings settings, NetworkCredential? credential)
    {
        var name = schema.SourceDisplayName;
        // The estimate is the planner's, read with the table's definition.
        var progress = new TableExportProgress(this, $"Export-PgTable ({index + 1} of {tableCount})", name, schema.EstimatedRows ?? 0, $"{name}: starting");
        var startAfter = _start!.After(schema);
        long rows = 0;
        // COPY is read and decoded on a thread of its own, a few hundred rows ahead, so the
        // decoding overlaps with what the commands downstream do with each row (measured: the
        // pipeline thread otherwise spends about half its time in the reader). The reader
        // uses the exporter alone (one connection, one snapshot) and is stopped and waited
        // for before this method returns, however it ends.
        using var reader = new ReadAhead<Row>(() => exporter.Export(schema, startAfter), threadName: "Migration COPY reader");
        while (!_stopping)
        {
            // Only the engine's reading is guarded here: an exception out of WriteObject
            // belongs to a downstream command (e.g. its -ErrorAction Stop) and must pass.
            Row row;
            try
            {
                if (!reader.TryTake(out row)) break;
            }
            catch (Exception ex) when (ex is not PipelineStoppedException && !_stopping)
            {
                Terminate("ExportFailed", ErrorCategory.ReadError, name,
                    $"Export of {name} from {settings.Describe()} stopped after {rows} rows: {ex.Message}", credential);
                return;
            }
            WriteObject(row);
            progress.Row(++rows);
        }
        if (!_stopping) progress.Complete(rows);
    }

    /// <summary>A terminating error whose message has passed through <see cref="SecretRedactor"/>.</summary>
    void Terminate(string errorId, ErrorCategory category, object? target, string message, NetworkCredential? credential) =>
        ThrowTerminatingError(PgConnectionErrors.Redacted(message, errorId, category, target, ConnectionString, credential));
}

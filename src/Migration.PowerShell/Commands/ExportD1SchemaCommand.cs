using System.Collections;
using System.Management.Automation;
using System.Net;
using Migration.Engine.Convert;
using Migration.Engine.Preflight;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Migration.Engine.Target;
using Migration.PowerShell.Completion;

namespace Migration.PowerShell.Commands;

/// <summary>
/// Export-D1Schema: reads the Postgres catalog and emits the D1 DDL the migration would create
/// (one <see cref="D1SchemaStatement"/> per CREATE TABLE / CREATE INDEX, in load order), and a
/// <see cref="SchemaWarning"/> for each object that D1 cannot carry as it is, without importing
/// anything. With -MigrationsPath the DDL is written as the next numbered migration file that
/// <c>wrangler d1 migrations apply</c> takes. The mapping options are ConvertTo-D1Row's, so the
/// DDL names and types are exactly those the rows will have. Every table is checked first (see
/// <see cref="MigrationPreflight"/>): a table D1 cannot take is one error for that table and the
/// others' DDL is still written; under -ErrorAction Stop one error lists every problem and
/// nothing is emitted or written.
/// </summary>
[Cmdlet(VerbsData.Export, "D1Schema", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(D1SchemaStatement), typeof(SchemaWarning), typeof(FileInfo))]
public sealed class ExportD1SchemaCommand : ConversionCmdlet
{
    readonly List<string> _tables = [];

    /// <summary>An Npgsql/libpq-style connection string; parts left out come from PG* environment variables.</summary>
    [Parameter]
    public string? ConnectionString { get; set; }

    /// <summary>User name and password; the password never appears in output or errors.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Tables (names, or wildcard patterns with -All), as Export-PgTable takes them.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "TableName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PgTableCompleter))]
    public string[] Table { get; set; } = [];

    /// <summary>Every table of the database, parents before children.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <summary>With -All: only these schemas (wildcards).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Schema { get; set; }

    /// <summary>With -All: leave out these tables (wildcards).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PgTableCompleter))]
    public string[]? ExcludeTable { get; set; }

    /// <summary>A wrangler migrations folder: the DDL is written there as <c>NNNN_name.sql</c> with the next free number.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MigrationsPath { get; set; }

    /// <summary>The name part of the migration file (default <c>from_postgres</c>).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string MigrationName { get; set; } = "from_postgres";

    /// <summary>Lets a name in the mapping parameters match no table or column of the export (by default an error: almost always a typo).</summary>
    [Parameter]
    public SwitchParameter AllowUnmatchedName { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var t in Table)
            if (!_tables.Contains(t, StringComparer.Ordinal)) _tables.Add(t);
    }

    protected override void EndProcessing()
    {
        var credential = Credential?.GetNetworkCredential();
        ConversionOptions options;
        PgConnectionSettings settings;
        string? folder = null;
        PgTableChooser chooser;
        try
        {
            chooser = new PgTableChooser(All.IsPresent, _tables, Schema, ExcludeTable);
            chooser.Validate();
            options = BuildConversionOptions();
            if (MigrationsPath is not null) folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(MigrationsPath);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or ItemNotFoundException or NotSupportedException)
        {
            Terminate("InvalidArgument", ErrorCategory.InvalidArgument, null, ex.Message, credential);
            return;
        }
        settings = PgConnectionErrors.Settings(this, ConnectionString, credential);

        IReadOnlyList<TableSchema> source;
        PreflightReport report;
        try
        {
            using var exporter = new PgExporter(settings);
            source = chooser.Describe(exporter, WriteVerbose);
            report = MigrationPreflight.Check(source, new RowConverter(options));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            if (PgConnectionErrors.ConnectionFailed(ex, ConnectionString, credential) is { } connectionFailed)
            {
                ThrowTerminatingError(connectionFailed);
                return;
            }
            Terminate("SchemaFailed", ex is ArgumentException or MappingException ? ErrorCategory.InvalidArgument : ErrorCategory.ReadError,
                settings.Describe(), $"Cannot produce the D1 schema from {settings.Describe()}: {ex.Message}", credential);
            return;
        }

        // A name in the maps that matches nothing is a parameter mistake: nothing is emitted.
        var unmatched = MigrationPreflight.UnmatchedNames(source, options);
        if (unmatched.Count > 0 && !AllowUnmatchedName.IsPresent)
        {
            Terminate("UnmatchedName", ErrorCategory.InvalidArgument, unmatched.Select(u => u.Name).ToArray(),
                ConversionPreflight.UnmatchedMessage(unmatched).Replace("Nothing was converted.", "Nothing was emitted.", StringComparison.Ordinal), credential);
            return;
        }

        // D1's limits fail a table here, before anyone applies the schema: all of them at once under Stop, else each on its own.
        if (report.HasRefusals && ErrorActionStop.IsRequested(this))
        {
            Terminate("TablesRefused", ErrorCategory.InvalidData, null, new PreflightException(report).Message, credential);
            return;
        }
        foreach (var refused in report.RefusedTableErrors)
            WriteError(new ErrorRecord(refused, "TableRefused", ErrorCategory.InvalidData, refused.Table));
        var d1 = report.Accepted;

        var statements = D1Ddl.Statements(d1);
        var warnings = d1.SelectMany(t => t.Definition?.Warnings ?? []).ToList();
        foreach (var w in warnings) WriteWarning(w.ToString());
        // A migration file says which tables it leaves out and why (the errors above say it too).
        var fileNotes = report.RefusedTableErrors.Select(r => new SchemaWarning(r.D1Table ?? r.Table, "Table", r.Table, r.Message)).Concat(warnings).ToList();

        if (folder is null)
        {
            foreach (var s in statements) WriteObject(s);
            foreach (var w in warnings) WriteObject(w);
            return;
        }
        if (!ShouldProcess(folder, $"Write the D1 schema of {d1.Count} tables as the next migration file")) return;
        try
        {
            var path = D1Ddl.WriteMigration(folder, MigrationName, D1Ddl.Script(statements, fileNotes));
            WriteVerbose($"Wrote {statements.Count} statements to {path}.");
            WriteObject(new FileInfo(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            Terminate("WriteFailed", ErrorCategory.WriteError, folder, $"Cannot write the migration file into {folder}: {ex.Message}", credential);
        }
    }

    void Terminate(string errorId, ErrorCategory category, object? target, string message, NetworkCredential? credential)
    {
        var safe = SecretRedactor.Redact(message, ConnectionString, credential);
        ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(safe), errorId, category, target));
    }
}

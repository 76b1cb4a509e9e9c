using System.Collections;
using System.Management.Automation;
using Migration.Engine.Convert;
using Migration.Engine.Journal;
using Migration.Engine.Preflight;
using Migration.Engine.Schema;
using Migration.Engine.Source.Kv;

namespace Migration.PowerShell.Commands;

/// <summary>
/// ConvertTo-D1Row: turns Postgres rows (from Export-PgTable) and plain objects (hashtables,
/// ConvertFrom-Json or Import-Csv records) into D1 rows under one mapping policy. A value that
/// cannot be converted without changing it is a non-terminating error for that row; the others
/// go on. Before the first row of a set of tables (the tables of one Export-PgTable call), the
/// whole set is checked at once: a name in the mapping parameters that matches nothing stops
/// the command; a table the mapping cannot apply to is an error for that table (its rows are
/// dropped and counted) while the others go on, or under -ErrorAction Stop one error lists every
/// problem before any row goes out.
/// </summary>
[Cmdlet(VerbsData.ConvertTo, "D1Row")]
[OutputType(typeof(Row), typeof(RejectedRow))]
public sealed class ConvertToD1RowCommand : KvShapingCmdlet
{
    D1RowProducer? _producer;
    ConversionPreflight? _preflight;

    /// <summary>A row from Export-PgTable, a D1 row (passed on unchanged), or a plain object (needs -TableName).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public PSObject InputObject { get; set; } = null!;

    /// <summary>The table plain objects belong to.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TableName { get; set; }

    /// <summary>An existing D1 file: plain objects are coerced to its table's column types.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TargetPath { get; set; }

    /// <summary>
    /// After the error record of a row that cannot be converted, also pass a RejectedRow down the
    /// pipeline, so Import-D1Batch records it in the run's quarantine (off by default: the output
    /// is then rows only, as any other consumer expects).
    /// </summary>
    [Parameter]
    public SwitchParameter IncludeRejected { get; set; }

    /// <summary>
    /// Lets a name in -Exclude, -ColumnMap, -TableMap, -ColumnOverride or -ComputedColumn match
    /// nothing in the tables being converted (by default that is an error: it is almost always a typo).
    /// </summary>
    [Parameter]
    public SwitchParameter AllowUnmatchedName { get; set; }

    protected override void BeginProcessing()
    {
        ConversionOptions options;
        string? targetPath = null;
        try
        {
            options = BuildConversionOptions();
            if (TargetPath is not null)
            {
                targetPath = FileSystemPaths.ResolveExisting(this, TargetPath, literal: false, nameof(TargetPath));
            }
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "InvalidConversionOptions", ErrorCategory.InvalidArgument, null));
            return;
        }
        try
        {
            _kvShape = KvShape();
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "InvalidKeyPattern", ErrorCategory.InvalidArgument, KeyPattern));
            return;
        }
        _producer = new D1RowProducer(options, targetPath);
        _preflight = new ConversionPreflight(_producer.Converter);
    }

    KvShapeOptions? _kvShape;

    protected override void ProcessRecord()
    {
        if (InputItems.IsOne(InputObject)) Convert(InputObject);
        else foreach (var item in InputItems.Of(InputObject)) Convert(item);
    }

    void Convert(PSObject input)
    {
        if (input.BaseObject is KvRecord record)
        {
            ConvertKv(record, input);
            return;
        }
        if (_kvShape is not null)
        {
            // A silently ignored -KeyPattern would load rows without the key's columns.
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException("-KeyPattern, -ExpandProperty, -ExpirationColumn, -MetadataColumn, -KeyColumn and -AllowNonJson shape KV entries (from Export-KvEntry); this input is not one."),
                "KvParameterWithoutKvEntry", ErrorCategory.InvalidArgument, input));
            return;
        }
        if (!D1RowProducer.IsRow(input) && TableName is null)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException("ConvertTo-D1Row got a plain object (not a row from Export-PgTable): give -TableName, the table it belongs to."),
                "TableNameRequired", ErrorCategory.InvalidArgument, input));
            return;
        }
        if (input.BaseObject is Row source && source.GetSchema().Kind == SchemaKind.Postgres)
        {
            var schema = source.GetSchema();
            if (_preflight!.Meet(schema) is { } finding) ConversionPreflight.Report(this, finding, AllowUnmatchedName.IsPresent);
            if (_preflight.Drop(schema)) return;
        }
        Row converted;
        try
        {
            converted = _producer!.ToD1Row(input, TableName);
        }
        catch (ConversionException ex)
        {
            // Non-terminating: this row is reported and dropped, the pipeline goes on
            // (-ErrorAction Stop turns it into a stop, as for any cmdlet).
            WriteError(new ErrorRecord(ex, "ConversionFailed", ErrorCategory.InvalidData, input));
            if (IncludeRejected.IsPresent)
                WriteObject(new RejectedRow(_producer!.TargetTableName(input, TableName) ?? ex.Table, ex.Table, ex.Key, ex.Column, ex.Reason, ex.ValueExcerpt));
            return;
        }
        WriteObject(converted);
    }

    /// <summary>
    /// One KV entry: its rows go out; a record that fails is an error naming the KV key, and is
    /// also passed on as a RejectedRow (always, for KV entries) so Import-D1Batch quarantines it
    /// under its key and counts it against -MaxErrors.
    /// </summary>
    void ConvertKv(KvRecord record, PSObject input)
    {
        if (TableName is null)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException("ConvertTo-D1Row got a KV entry: give -TableName, the table its rows belong to."),
                "TableNameRequired", ErrorCategory.InvalidArgument, input));
            return;
        }
        foreach (var (row, error) in _producer!.ToD1Rows(record, TableName, _kvShape ?? new KvShapeOptions()))
        {
            if (row is not null)
            {
                WriteObject(row);
                continue;
            }
            WriteError(new ErrorRecord(error!, "ConversionFailed", ErrorCategory.InvalidData, record.Key));
            WriteObject(new RejectedRow(_producer.TargetTableName(input, TableName) ?? TableName, record.Key, error!.Key, error.Column, error.Reason, error.ValueExcerpt));
        }
    }

    protected override void EndProcessing()
    {
        foreach (var (table, rows) in _preflight?.Dropped ?? new Dictionary<string, long>())
            WriteWarning($"Table {table} is refused (see its error): its {rows} row{(rows == 1 ? " was" : "s were")} not converted.");
    }
}

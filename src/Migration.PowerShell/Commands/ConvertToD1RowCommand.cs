using System.Collections;
using System.Management.Automation;
using Migration.Engine.Convert;
using Migration.Engine.Journal;
using Migration.Engine.Schema;

namespace Migration.PowerShell.Commands;

/// <summary>
/// ConvertTo-D1Row: turns Postgres rows (from Export-PgTable) and plain objects (hashtables,
/// ConvertFrom-Json or Import-Csv records) into D1 rows under one mapping policy. A value that
/// cannot be converted without changing it is a non-terminating error for that row; the others
/// go on.
/// </summary>
[Cmdlet(VerbsData.ConvertTo, "D1Row")]
[OutputType(typeof(Row), typeof(RejectedRow))]
public sealed class ConvertToD1RowCommand : ConversionCmdlet
{
    D1RowProducer? _producer;

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
        _producer = new D1RowProducer(options, targetPath);
    }

    protected override void ProcessRecord()
    {
        if (!D1RowProducer.IsRow(InputObject) && TableName is null)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException("ConvertTo-D1Row got a plain object (not a row from Export-PgTable): give -TableName, the table it belongs to."),
                "TableNameRequired", ErrorCategory.InvalidArgument, InputObject));
            return;
        }
        Row converted;
        try
        {
            converted = _producer!.ToD1Row(InputObject, TableName);
        }
        catch (ConversionException ex)
        {
            // Non-terminating: this row is reported and dropped, the pipeline goes on
            // (-ErrorAction Stop turns it into a stop, as for any cmdlet).
            WriteError(new ErrorRecord(ex, "ConversionFailed", ErrorCategory.InvalidData, InputObject));
            if (IncludeRejected.IsPresent)
                WriteObject(new RejectedRow(_producer!.TargetTableName(InputObject, TableName) ?? ex.Table, ex.Table, ex.Key, ex.Column, ex.Reason, ex.ValueExcerpt));
            return;
        }
        WriteObject(converted);
    }
}

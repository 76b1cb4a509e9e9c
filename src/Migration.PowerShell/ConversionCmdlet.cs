using System.Collections;
using System.Management.Automation;
using Migration.Engine.Convert;

namespace Migration.PowerShell;

/// <summary>
/// The conversion parameters every cmdlet that maps values to D1 takes (ConvertTo-D1Row,
/// Export-D1Schema, Test-MigrationIntegrity), declared once so the three always agree: a
/// check or a schema must use exactly the mapping the migration used.
/// </summary>
public abstract class ConversionCmdlet : PSCmdlet
{
    /// <summary>Source table -> D1 table name.</summary>
    [Parameter]
    public Hashtable? TableMap { get; set; }

    /// <summary><c>'table.column'</c> or <c>'column'</c> -> new column name.</summary>
    [Parameter]
    public Hashtable? ColumnMap { get; set; }

    /// <summary>Columns to leave out: <c>'table.column'</c> or <c>'column'</c>.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Exclude { get; set; }

    [Parameter]
    public TimestampFormat TimestampFormat { get; set; } = ConversionOptions.Default.TimestampFormat;

    [Parameter]
    public NumericMode NumericAs { get; set; } = ConversionOptions.Default.NumericAs;

    [Parameter]
    public NonFiniteMode NonFinite { get; set; } = ConversionOptions.Default.NonFinite;

    /// <summary>Lets UnixSeconds/UnixMilliseconds drop a sub-second (sub-millisecond) part.</summary>
    [Parameter]
    public SwitchParameter AllowPrecisionLoss { get; set; }

    /// <summary><c>'table.column'</c> -> <c>@{ TimestampFormat = ...; NumericAs = ...; NonFinite = ... }</c>.</summary>
    [Parameter]
    public Hashtable? ColumnOverride { get; set; }

    /// <summary><c>'table.column'</c> -> scriptblock, or <c>@{ Expression = {...}; Type = 'Text' }</c>.</summary>
    [Parameter]
    public Hashtable? ComputedColumn { get; set; }

    /// <summary>The mapping policy these parameters describe; throws ArgumentException on a malformed map.</summary>
    /// <param name="tableMap">The table names to use instead of -TableMap (a journal run's).</param>
    protected internal ConversionOptions BuildConversionOptions(IReadOnlyDictionary<string, string>? tableMap = null) => new()
    {
        TimestampFormat = TimestampFormat,
        NumericAs = NumericAs,
        NonFinite = NonFinite,
        AllowPrecisionLoss = AllowPrecisionLoss.IsPresent,
        TableMap = tableMap ?? ConversionOptionsBuilder.StringMap(TableMap, nameof(TableMap)),
        ColumnMap = ConversionOptionsBuilder.StringMap(ColumnMap, nameof(ColumnMap)),
        Exclude = Exclude ?? [],
        ColumnOverrides = ConversionOptionsBuilder.ColumnOverrides(ColumnOverride),
        Computed = ConversionOptionsBuilder.ComputedColumns(ComputedColumn),
    };
}

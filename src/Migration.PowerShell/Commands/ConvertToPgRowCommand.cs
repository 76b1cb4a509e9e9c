using System.Collections;
using System.Management.Automation;
using System.Net;
using Migration.Engine.Convert;
using Migration.Engine.Convert.D1ToPg;
using Migration.Engine.Journal;
using Migration.Engine.Schema;
using Migration.Engine.Source;
using Migration.Engine.Target.Postgres;

namespace Migration.PowerShell.Commands;

/// <summary>
/// ConvertTo-PgRow: turns D1 rows (from Export-D1Table) into rows of the EXISTING Postgres
/// tables, every value converted to its Postgres column's type as the catalog gives it (the
/// D1 -> PostgreSQL cast rules, docs/type-mapping.md). Renames (-TableMap, -ColumnMap,
/// -ColumnNaming SnakeCase; explicit maps win), exclusions, computed columns and merges (two D1
/// tables mapped to one Postgres table) are planned once per table. A value that cannot be
/// converted without a change is a non-terminating error naming table, key, column and value;
/// the other rows go on. A name in the maps that matches nothing, or a D1 column with no Postgres
/// column to go to, stops the command before any row goes out.
/// </summary>
[Cmdlet(VerbsData.ConvertTo, "PgRow")]
[OutputType(typeof(Row), typeof(RejectedRow))]
public sealed class ConvertToPgRowCommand : PSCmdlet
{
    PgRowConverter? _converter;
    readonly HashSet<object> _checkedSets = new(ReferenceEqualityComparer.Instance);
    readonly HashSet<TableSchema> _planned = new(ReferenceEqualityComparer.Instance);
    /// <summary>Per set of D1 tables: the target's foreign-key order the rows go out in.</summary>
    readonly Dictionary<object, TargetLoadOrder> _orders = new(ReferenceEqualityComparer.Instance);

    /// <summary>A row from Export-D1Table.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public PSObject InputObject { get; set; } = null!;

    /// <summary>The target Postgres database (its catalog gives the column types); parts left out come from PG* variables.</summary>
    [Parameter]
    public string? ConnectionString { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>D1 table -> Postgres table. Two D1 tables mapped to one Postgres table merge into it.</summary>
    [Parameter]
    public Hashtable? TableMap { get; set; }

    /// <summary><c>'table.column'</c> or <c>'column'</c> -> Postgres column (wins over -ColumnNaming).</summary>
    [Parameter]
    public Hashtable? ColumnMap { get; set; }

    /// <summary>D1 columns to leave out: <c>'table.column'</c> or <c>'column'</c>.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Exclude { get; set; }

    /// <summary><c>'table.column'</c> (D1 table, Postgres column) -> scriptblock over the D1 row (<c>$_</c>). Replaces a D1 column that maps to the same name.</summary>
    [Parameter]
    public Hashtable? ComputedColumn { get; set; }

    /// <summary>How D1 column names become Postgres names when -ColumnMap does not name them: AsIs or SnakeCase (userId -> user_id).</summary>
    [Parameter]
    public ColumnNaming ColumnNaming { get; set; } = ColumnNaming.AsIs;

    /// <summary>The time zone of timestamps written without one (an IANA or Windows id). Default UTC.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string AssumeTimeZone { get; set; } = "UTC";

    /// <summary>What an INTEGER in a timestamp column counts: Auto (seconds; milliseconds from 10^11 on), Seconds, Milliseconds.</summary>
    [Parameter]
    public EpochUnit EpochUnit { get; set; } = EpochUnit.Auto;

    /// <summary>Also pass a RejectedRow down the pipeline for each row that cannot be converted (Import-PgTable quarantines it).</summary>
    [Parameter]
    public SwitchParameter IncludeRejected { get; set; }

    /// <summary>Lets a name in -TableMap, -ColumnMap, -Exclude or -ComputedColumn match no D1 table or column.</summary>
    [Parameter]
    public SwitchParameter AllowUnmatchedName { get; set; }

    protected override void BeginProcessing()
    {
        PgConversionOptions options;
        try
        {
            options = ConversionOptionsBuilder.PgOptions(TableMap, ColumnMap, Exclude, ComputedColumn, ColumnNaming,
                new D1ToPgSettings { AssumeTimeZone = TimeZone(), EpochUnit = EpochUnit });
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "InvalidConversionOptions", ErrorCategory.InvalidArgument, null));
            return;
        }
        var credential = Credential?.GetNetworkCredential();
        var settings = PgConnectionErrors.Settings(this, ConnectionString, credential);
        IReadOnlyList<TableSchema> catalog;
        try
        {
            using var exporter = new PgExporter(settings);
            catalog = [.. exporter.DescribeAll(PgTableSelection.All, out _).Where(t => t.SourceSchema != PgJournal.DefaultSchema)];
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowTerminatingError(PgConnectionErrors.Failure(ex, $"Cannot read the catalog of {settings.Describe()}: {ex.Message}", "CatalogFailed", ErrorCategory.ReadError, null, ConnectionString, credential));
            return;
        }
        WriteVerbose($"Target {settings.Describe()}: {catalog.Count} tables.");
        _converter = new PgRowConverter(options, catalog);
    }

    /// <summary>-AssumeTimeZone; one this system does not know ends the command before anything is read.</summary>
    TimeZoneInfo TimeZone()
    {
        try { return D1ToPgSettings.TimeZone(AssumeTimeZone); }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "InvalidTimeZone", ErrorCategory.InvalidArgument, AssumeTimeZone));
            throw; // not reached: ThrowTerminatingError throws
        }
    }

    protected override void ProcessRecord()
    {
        // The common case, one D1 row from Export-D1Table, without InputItems' enumerator.
        if (InputObject.BaseObject is Row single && single.GetSchema().Kind == SchemaKind.D1)
        {
            Convert(InputObject, single);
            return;
        }
        foreach (var item in InputItems.Of(InputObject))
        {
            if (item.BaseObject is not Row row || row.GetSchema().Kind != SchemaKind.D1)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("ConvertTo-PgRow takes D1 rows from Export-D1Table."), "NotAD1Row", ErrorCategory.InvalidArgument, item));
                return;
            }
            Convert(item, row);
        }
    }

    void Convert(PSObject input, Row row)
    {
        var schema = row.GetSchema();
        if (_planned.Add(schema)) Plan(schema);
        Row converted;
        try
        {
            converted = _converter!.Convert(row);
        }
        catch (ConversionException ex)
        {
            WriteError(new ErrorRecord(ex, "ConversionFailed", ErrorCategory.InvalidData, input));
            if (IncludeRejected.IsPresent)
                WriteObject(new RejectedRow(_converter!.TargetSchemaFor(schema).Name, ex.Table, ex.Key, ex.Column, ex.Reason, ex.ValueExcerpt));
            return;
        }
        if (_orders.TryGetValue((object?)schema.Definition?.Set ?? schema, out var order) && !order.PassesThrough(schema.Name))
            foreach (var r in order.Accept(schema.Name, converted)) WriteObject(r);
        else WriteObject(converted);
    }

    protected override void EndProcessing()
    {
        foreach (var order in _orders.Values)
            foreach (var r in order.Drain()) WriteObject(r);
    }

    /// <summary>Before the first row of a set of tables: every name in the maps must match, and every table of the set must map (else nothing goes out).</summary>
    void Plan(TableSchema schema)
    {
        var set = (object?)schema.Definition?.Set ?? schema;
        if (!_checkedSets.Add(set)) return;
        var tables = schema.Definition?.Set?.Tables ?? [schema];
        IReadOnlyDictionary<string, TableSchema> targets;
        try { targets = _converter!.CheckMapping(tables, AllowUnmatchedName.IsPresent, "converted"); }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "MappingFailed", ErrorCategory.InvalidArgument, null));
            return;
        }
        foreach (var t in tables)
            WriteVerbose($"{t.Name} -> {targets[t.Name].Name} ({string.Join(", ", targets[t.Name].Columns.Select(c => c.Name))})");
        if (schema.Definition?.Set is { IsLoadOrder: true } && tables.Count > 1)
        {
            var order = new TargetLoadOrder(tables, _converter!.TargetTableFor);
            _orders[set] = order;
            if (order.Reordered)
                WriteVerbose($"Rows go out in the target's foreign-key order: {string.Join(", ", order.Order)} (a table that arrives early is held back until its parents are out).");
        }
    }
}

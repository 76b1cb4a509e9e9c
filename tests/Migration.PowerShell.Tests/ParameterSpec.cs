namespace Migration.PowerShell.Tests;

/// <summary>One parameter as the public interface promises it.</summary>
public sealed record ParameterSpec(
    string Name,
    string Type,
    bool Mandatory = false,
    bool FromPipeline = false,
    bool FromPipelineByName = false,
    string Set = "__AllParameterSets",
    int? Position = null,
    string[]? Aliases = null);

/// <summary>The promised surface of every cmdlet (the brief's "public interface").</summary>
public static class ExpectedSurface
{
    public const string Sma = "System.Management.Automation.";

    public static readonly IReadOnlyDictionary<string, ParameterSpec[]> Parameters = new Dictionary<string, ParameterSpec[]>
    {
        ["Export-PgTable"] =
        [
            new("ConnectionString", "System.String"),
            new("Credential", Sma + "PSCredential"),
            new("Table", "System.String[]", FromPipeline: true, FromPipelineByName: true, Position: 0, Aliases: ["Name", "TableName"]),
            new("All", Sma + "SwitchParameter"),
            new("Schema", "System.String[]"),
            new("ExcludeTable", "System.String[]"),
            new("Column", "System.String[]"),
        ],
        ["Export-D1Schema"] =
        [
            new("ConnectionString", "System.String"),
            new("Credential", Sma + "PSCredential"),
            new("Table", "System.String[]", FromPipeline: true, FromPipelineByName: true, Position: 0, Aliases: ["Name", "TableName"]),
            new("All", Sma + "SwitchParameter"),
            new("Schema", "System.String[]"),
            new("ExcludeTable", "System.String[]"),
            new("TableMap", "System.Collections.Hashtable"),
            new("ColumnMap", "System.Collections.Hashtable"),
            new("Exclude", "System.String[]"),
            new("TimestampFormat", "Migration.Engine.Convert.TimestampFormat"),
            new("NumericAs", "Migration.Engine.Convert.NumericMode"),
            new("NonFinite", "Migration.Engine.Convert.NonFiniteMode"),
            new("AllowPrecisionLoss", Sma + "SwitchParameter"),
            new("ColumnOverride", "System.Collections.Hashtable"),
            new("ComputedColumn", "System.Collections.Hashtable"),
            new("MigrationsPath", "System.String"),
            new("MigrationName", "System.String"),
        ],
        ["ConvertTo-D1Row"] =
        [
            new("InputObject", Sma + "PSObject", Mandatory: true, FromPipeline: true),
            new("TableMap", "System.Collections.Hashtable"),
            new("ColumnMap", "System.Collections.Hashtable"),
            new("Exclude", "System.String[]"),
            new("TimestampFormat", "Migration.Engine.Convert.TimestampFormat"),
            new("NumericAs", "Migration.Engine.Convert.NumericMode"),
            new("NonFinite", "Migration.Engine.Convert.NonFiniteMode"),
            new("AllowPrecisionLoss", Sma + "SwitchParameter"),
            new("ColumnOverride", "System.Collections.Hashtable"),
            new("ComputedColumn", "System.Collections.Hashtable"),
            new("TableName", "System.String"),
            new("TargetPath", "System.String"),
        ],
        ["Import-D1Batch"] =
        [
            new("InputObject", Sma + "PSObject", Mandatory: true, FromPipeline: true),
            new("Path", "System.String", Mandatory: true, Set: "Path", Position: 0),
            new("LiteralPath", "System.String", Mandatory: true, Set: "LiteralPath", Aliases: ["PSPath", "LP"]),
            new("TableName", "System.String"),
            new("BatchSize", "System.Int32"),
            new("OnConflict", "Migration.Engine.Target.OnConflict"),
            new("MaxRowBytes", "System.Int64"),
            new("OrphanPolicy", "Migration.Engine.Target.OrphanPolicy"),
            new("PassThru", Sma + "SwitchParameter"),
        ],
        ["Test-MigrationIntegrity"] =
        [
            new("ConnectionString", "System.String"),
            new("Credential", Sma + "PSCredential"),
            new("Path", "System.String", Mandatory: true, Set: "Path", Position: 0),
            new("LiteralPath", "System.String", Mandatory: true, Set: "LiteralPath", Aliases: ["PSPath", "LP"]),
            new("Table", "System.String[]", FromPipeline: true, Aliases: ["Name", "TableName"]),
            new("TableMap", "System.Collections.Hashtable"),
            new("ColumnMap", "System.Collections.Hashtable"),
            new("Exclude", "System.String[]"),
            new("TimestampFormat", "Migration.Engine.Convert.TimestampFormat"),
            new("NumericAs", "Migration.Engine.Convert.NumericMode"),
            new("NonFinite", "Migration.Engine.Convert.NonFiniteMode"),
            new("AllowPrecisionLoss", Sma + "SwitchParameter"),
            new("ColumnOverride", "System.Collections.Hashtable"),
            new("ComputedColumn", "System.Collections.Hashtable"),
            new("Check", "Migration.Engine.Integrity.IntegrityCheck[]"),
            new("SampleSize", "System.Int32"),
            new("MaxDifferences", "System.Int32"),
            new("Quiet", Sma + "SwitchParameter"),
        ],
    };

    /// <summary>Cmdlets that change data: they must support -WhatIf/-Confirm.</summary>
    public static readonly IReadOnlySet<string> Writers = new HashSet<string> { "Import-D1Batch", "Export-D1Schema" };

    public static readonly IReadOnlyDictionary<string, string[]> OutputTypes = new Dictionary<string, string[]>
    {
        ["Export-PgTable"] = ["Migration.Engine.Schema.Row"],
        ["Export-D1Schema"] = ["Migration.Engine.Target.D1SchemaStatement", "Migration.Engine.Schema.SchemaWarning", "System.IO.FileInfo"],
        ["ConvertTo-D1Row"] = ["Migration.Engine.Schema.Row"],
        ["Import-D1Batch"] = ["Migration.Engine.Target.TableSummary", "Migration.Engine.Target.BatchResult"],
        ["Test-MigrationIntegrity"] = ["Migration.Engine.Integrity.IntegrityResult", "System.Boolean"],
    };
}

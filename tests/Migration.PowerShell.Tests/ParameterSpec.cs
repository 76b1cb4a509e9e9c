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
            new("ResumeFrom", "System.String"),
            new("RunId", "System.Int64"),
            new("AfterKey", "System.Object[]"),
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
            new("AllowUnmatchedName", Sma + "SwitchParameter"),
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
            new("IncludeRejected", Sma + "SwitchParameter"),
            new("KeyPattern", "System.String"),
            new("ExpandProperty", "System.String"),
            new("ExpirationColumn", "System.String"),
            new("MetadataColumn", "System.String"),
            new("KeyColumn", "System.String"),
            new("AllowUnmatchedName", Sma + "SwitchParameter"),
        ],
        ["Export-KvEntry"] =
        [
            new("Namespace", "System.String", Position: 0),
            new("Path", "System.String", Mandatory: true, Set: "Local"),
            new("InputFile", "System.String", Mandatory: true, Set: "File"),
            new("Prefix", "System.String"),
            new("StartAfter", "System.String"),
            new("ResumeFrom", "System.String"),
            new("RunId", "System.Int64"),
            new("TableName", "System.String"),
            new("KeyPattern", "System.String"),
            new("AccountId", "System.String", Set: "Remote"),
            new("ApiToken", "System.Security.SecureString", Set: "Remote"),
            new("ApiBaseUri", "System.Uri", Set: "Remote"),
            new("WranglerConfig", "System.String"),
            new("Binding", "System.String"),
        ],
        ["Import-D1Batch"] =
        [
            new("InputObject", Sma + "PSObject", Mandatory: true, FromPipeline: true),
            new("Path", "System.String", Mandatory: true, Set: "Path", Position: 0),
            new("LiteralPath", "System.String", Mandatory: true, Set: "LiteralPath", Aliases: ["PSPath", "LP"]),
            new("Database", "System.String", Set: "Database"),
            new("AccountId", "System.String", Set: "Database"),
            new("ApiToken", "System.Security.SecureString", Set: "Database"),
            new("ApiBaseUri", "System.Uri", Set: "Database"),
            new("WranglerConfig", "System.String", Set: "Database"),
            new("Binding", "System.String", Set: "Database"),
            new("SqlPath", "System.String", Mandatory: true, Set: "SqlPath"),
            new("MaxFileBytes", "System.Int64", Set: "SqlPath"),
            new("TableName", "System.String"),
            new("BatchSize", "System.Int32"),
            new("OnConflict", "Migration.Engine.Target.OnConflict"),
            new("MaxRowBytes", "System.Int64"),
            new("OrphanPolicy", "Migration.Engine.Target.OrphanPolicy"),
            new("PassThru", Sma + "SwitchParameter"),
            new("Resume", Sma + "SwitchParameter"),
            new("RunId", "System.Int64"),
            new("MaxErrors", "System.Int32"),
            new("ErrorLog", "System.String"),
            new("Backup", Sma + "SwitchParameter"),
            new("NoJournal", Sma + "SwitchParameter"),
        ],
        ["Test-MigrationIntegrity"] =
        [
            new("ConnectionString", "System.String"),
            new("Credential", Sma + "PSCredential"),
            new("Path", "System.String", Mandatory: true, FromPipelineByName: true, Set: "Path", Position: 0),
            new("LiteralPath", "System.String", Mandatory: true, FromPipelineByName: true, Set: "LiteralPath", Aliases: ["PSPath", "LP"]),
            new("Database", "System.String", Set: "Database"),
            new("AccountId", "System.String", Set: "Database"),
            new("ApiToken", "System.Security.SecureString", Set: "Database"),
            new("ApiBaseUri", "System.Uri", Set: "Database"),
            new("WranglerConfig", "System.String", Set: "Database"),
            new("Binding", "System.String", Set: "Database"),
            new("RunId", "System.Int64", FromPipelineByName: true),
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
            new("Direction", "Migration.Engine.Integrity.MigrationDirection"),
            new("ColumnNaming", "Migration.Engine.Convert.D1ToPg.ColumnNaming"),
        ],
        ["Get-MigrationRun"] =
        [
            new("Path", "System.String[]", Mandatory: true, FromPipeline: true, FromPipelineByName: true, Set: "Path", Position: 0),
            new("LiteralPath", "System.String[]", Mandatory: true, FromPipelineByName: true, Set: "LiteralPath", Aliases: ["PSPath", "LP"]),
            new("RunId", "System.Int64", FromPipelineByName: true),
            new("Last", Sma + "SwitchParameter"),
            new("Quarantine", Sma + "SwitchParameter"),
            new("ConnectionString", "System.String", Mandatory: true, Set: "Postgres"),
            new("Credential", Sma + "PSCredential", Set: "Postgres"),
            new("JournalSchema", "System.String", Set: "Postgres"),
            new("Database", "System.String", Mandatory: true, Set: "Database"),
            new("AccountId", "System.String", Set: "Database"),
            new("ApiToken", "System.Security.SecureString", Set: "Database"),
            new("ApiBaseUri", "System.Uri", Set: "Database"),
        ],
        ["Undo-Migration"] =
        [
            new("Path", "System.String[]", Mandatory: true, FromPipeline: true, FromPipelineByName: true, Set: "Path", Position: 0),
            new("LiteralPath", "System.String[]", Mandatory: true, FromPipelineByName: true, Set: "LiteralPath", Aliases: ["PSPath", "LP"]),
            new("RunId", "System.Int64", FromPipelineByName: true),
            new("Last", Sma + "SwitchParameter"),
            new("RestoreBackup", Sma + "SwitchParameter"),
            new("TimeTravel", Sma + "SwitchParameter"),
            new("Force", Sma + "SwitchParameter"),
            new("ConnectionString", "System.String", Mandatory: true, Set: "Postgres"),
            new("Credential", Sma + "PSCredential", Set: "Postgres"),
            new("JournalSchema", "System.String", Set: "Postgres"),
            new("Database", "System.String", Mandatory: true, Set: "Database"),
            new("AccountId", "System.String", Set: "Database"),
            new("ApiToken", "System.Security.SecureString", Set: "Database"),
            new("ApiBaseUri", "System.Uri", Set: "Database"),
        ],
        ["Export-D1Table"] =
        [
            new("Path", "System.String", Mandatory: true, Set: "Path"),
            new("LiteralPath", "System.String", Mandatory: true, FromPipelineByName: true, Set: "LiteralPath", Aliases: ["PSPath", "LP"]),
            new("Table", "System.String[]", FromPipeline: true, Position: 0, Aliases: ["Name", "TableName"]),
            new("All", Sma + "SwitchParameter"),
            new("ExcludeTable", "System.String[]"),
        ],
        ["ConvertTo-PgRow"] =
        [
            new("InputObject", Sma + "PSObject", Mandatory: true, FromPipeline: true),
            new("ConnectionString", "System.String"),
            new("Credential", Sma + "PSCredential"),
            new("TableMap", "System.Collections.Hashtable"),
            new("ColumnMap", "System.Collections.Hashtable"),
            new("Exclude", "System.String[]"),
            new("ComputedColumn", "System.Collections.Hashtable"),
            new("ColumnNaming", "Migration.Engine.Convert.D1ToPg.ColumnNaming"),
            new("AssumeTimeZone", "System.String"),
            new("EpochUnit", "Migration.Engine.Convert.D1ToPg.EpochUnit"),
            new("IncludeRejected", Sma + "SwitchParameter"),
            new("AllowUnmatchedName", Sma + "SwitchParameter"),
        ],
        ["Import-PgTable"] =
        [
            new("InputObject", Sma + "PSObject", Mandatory: true, FromPipeline: true),
            new("ConnectionString", "System.String"),
            new("Credential", Sma + "PSCredential"),
            new("BatchSize", "System.Int32"),
            new("IdMap", "Migration.Engine.Target.Postgres.IdMapMode"),
            new("OrphanPolicy", "Migration.Engine.Target.OrphanPolicy"),
            new("Resume", Sma + "SwitchParameter"),
            new("RunId", "System.Int64"),
            new("JournalSchema", "System.String"),
            new("PassThru", Sma + "SwitchParameter"),
        ],
    };

    /// <summary>Cmdlets that change data: they must support -WhatIf/-Confirm.</summary>
    public static readonly IReadOnlySet<string> Writers = new HashSet<string> { "Import-D1Batch", "Undo-Migration", "Export-D1Schema", "Import-PgTable" };

    /// <summary>ConfirmImpact of each writer: Medium (2) asks only with -Confirm; High (3) asks by default.</summary>
    public static readonly IReadOnlyDictionary<string, int> ConfirmImpact = new Dictionary<string, int>
    {
        ["Import-D1Batch"] = 2,
        ["Undo-Migration"] = 3,
        ["Export-D1Schema"] = 2,
        ["Import-PgTable"] = 2,
    };

    public static readonly IReadOnlyDictionary<string, string[]> OutputTypes = new Dictionary<string, string[]>
    {
        ["Export-PgTable"] = ["Migration.Engine.Schema.Row"],
        ["Export-D1Schema"] = ["Migration.Engine.Target.D1SchemaStatement", "Migration.Engine.Schema.SchemaWarning", "System.IO.FileInfo"],
        ["ConvertTo-D1Row"] = ["Migration.Engine.Schema.Row", "Migration.Engine.Journal.RejectedRow"],
        ["Export-KvEntry"] = ["Migration.Engine.Source.Kv.KvRecord"],
        ["Get-MigrationRun"] = ["Migration.Engine.Journal.MigrationRunInfo", "Migration.Engine.Journal.QuarantinedRow"],
        ["Undo-Migration"] = ["Migration.Engine.Journal.UndoAction"],
        ["Import-D1Batch"] = ["Migration.Engine.Target.TableSummary", "Migration.Engine.Target.BatchResult", "System.IO.FileInfo"],
        ["Test-MigrationIntegrity"] = ["Migration.Engine.Integrity.IntegrityResult", "System.Boolean"],
        ["Export-D1Table"] = ["Migration.Engine.Schema.Row"],
        ["ConvertTo-PgRow"] = ["Migration.Engine.Schema.Row", "Migration.Engine.Journal.RejectedRow"],
        ["Import-PgTable"] = ["Migration.Engine.Target.TableSummary", "Migration.Engine.Target.BatchResult"],
    };
}

# Manifest of the assembled module folder (out/Migration, and the packaged copies build.ps1
# makes). Paths are relative to this file. The repository root has a twin manifest whose root
# module is this manifest (as built into out/Migration), so `Import-Module ./Migration.psd1`
# works right after `dotnet build` and finds the help where this one does.
@{
    RootModule           = 'Migration.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = 'f1173bde-a214-46fe-beb1-43aca5e0d3ab'
    Author               = 'Migration contributors'
    CompanyName          = 'Migration'
    Copyright            = '(c) Migration contributors. All rights reserved.'
    Description          = 'Moves data from PostgreSQL into Cloudflare D1 (SQLite) losslessly: Export-PgTable | ConvertTo-D1Row | Import-D1Batch, then proves it with Test-MigrationIntegrity.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    # Loaded before the types file is read: its TypeAdapter names types in these assemblies.
    RequiredAssemblies   = @('Migration.Engine.dll', 'Migration.PowerShell.dll')
    TypesToProcess       = @('Migration.types.ps1xml')
    FormatsToProcess     = @('Migration.format.ps1xml')
    CmdletsToExport      = @('Export-PgTable', 'Export-KvEntry', 'Export-D1Schema', 'ConvertTo-D1Row', 'Import-D1Batch', 'Test-MigrationIntegrity', 'Get-MigrationRun', 'Undo-Migration', 'Export-D1Table', 'ConvertTo-PgRow', 'Import-PgTable', 'Export-PgSchema')
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags = @('PostgreSQL', 'D1', 'Cloudflare', 'SQLite', 'Migration')
        }
    }
}

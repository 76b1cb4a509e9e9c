# Development manifest: `Import-Module ./Migration.psd1` from the repository root right after
# `dotnet build`. It loads the assembled module folder's own manifest, out/Migration/Migration.psd1
# (built from module/Migration.psd1), as its root module: so the module's base is out/Migration,
# where PowerShell finds the help (en-US/Migration.PowerShell.dll-Help.xml) next to the
# assemblies, and both manifests load exactly the same files. Same GUID, version and exports.
@{
    RootModule           = 'out/Migration/Migration.psd1'
    ModuleVersion        = '0.1.0'
    GUID                 = 'f1173bde-a214-46fe-beb1-43aca5e0d3ab'
    Author               = 'Migration contributors'
    CompanyName          = 'Migration'
    Copyright            = '(c) Migration contributors. All rights reserved.'
    Description          = 'Moves data from PostgreSQL into Cloudflare D1 (SQLite) losslessly: Export-PgTable | ConvertTo-D1Row | Import-D1Batch, then proves it with Test-MigrationIntegrity.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
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

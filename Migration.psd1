# Development manifest: `Import-Module ./Migration.psd1` from the repository root right after
# `dotnet build`. Everything it loads is in out/Migration, which building
# src/Migration.PowerShell assembles; out/Migration/Migration.psd1 is the same module for
# installing elsewhere (same GUID, version and exports).
@{
    RootModule           = 'out/Migration/Migration.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = 'f1173bde-a214-46fe-beb1-43aca5e0d3ab'
    Author               = 'Migration contributors'
    CompanyName          = 'Migration'
    Copyright            = '(c) Migration contributors. All rights reserved.'
    Description          = 'Moves data from PostgreSQL into Cloudflare D1 (SQLite) losslessly: Export-PgTable | ConvertTo-D1Row | Import-D1Batch, then proves it with Test-MigrationIntegrity.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    # Loaded before the types file is read: its TypeAdapter names types in these assemblies.
    RequiredAssemblies   = @('out/Migration/Migration.Engine.dll', 'out/Migration/Migration.PowerShell.dll')
    TypesToProcess       = @('out/Migration/Migration.types.ps1xml')
    FormatsToProcess     = @('out/Migration/Migration.format.ps1xml')
    CmdletsToExport      = @('Export-PgTable', 'Export-D1Schema', 'ConvertTo-D1Row', 'Import-D1Batch', 'Test-MigrationIntegrity', 'Get-MigrationRun', 'Undo-Migration')
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags = @('PostgreSQL', 'D1', 'Cloudflare', 'SQLite', 'Migration')
        }
    }
}

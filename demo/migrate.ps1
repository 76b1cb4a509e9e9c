#Requires -Version 7.4
<#
.SYNOPSIS
The demo's migration, with the cmdlets as a user writes them: the whole List Cutter database into
a local D1, then Test-MigrationIntegrity. demo/run.sh calls it; it also runs alone.

.EXAMPLE
pwsh demo/migrate.ps1 -ConnectionString 'Host=127.0.0.1;Port=5432;Username=postgres;Database=listcutter' -Path ./listcutter.sqlite
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ConnectionString,
    [Parameter(Mandatory)] [string] $Path
)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../Migration.psd1')

$tableMap = @{ auth_user = 'users'; list_cutter_savedfile = 'saved_files'; contacts_person = 'persons' }

Write-Host "`n== migrate: Export-PgTable -All | ConvertTo-D1Row -TableMap | Import-D1Batch" -ForegroundColor Cyan
# The whole database, parents first; the tables are created from the source's definition (keys,
# UNIQUE, foreign keys with their actions, indexes after the data, ANALYZE). -Verbose says where
# it connected, the snapshot, and each table's plan.
$summary = Export-PgTable -ConnectionString $ConnectionString -All -Verbose |
    ConvertTo-D1Row -TableMap $tableMap |
    Import-D1Batch -Path $Path -OrphanPolicy Fail -Verbose
$summary | Format-Table -AutoSize | Out-String -Width 200 | Write-Host

Write-Host "`n== Test-MigrationIntegrity: counts, content checksums, samples, FKs, JSON, domains, keys" -ForegroundColor Cyan
$results = Test-MigrationIntegrity -ConnectionString $ConnectionString -Path $Path -TableMap $tableMap
$results | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
$failed = @($results | Where-Object { -not $_.Passed })
$written = ($summary | Measure-Object -Property RowsWritten -Sum).Sum
Write-Host ("{0} rows written in {1} tables; {2} of {3} integrity checks passed." -f
    $written, @($summary).Count, ($results.Count - $failed.Count), $results.Count)
if ($failed.Count -gt 0) {
    $failed | Format-List | Out-Host
    exit 1
}
exit 0

#Requires -Version 7.4
<#
.SYNOPSIS
Runs the Pester suite (tests/pester) against the module in out/Migration, for .ci/run and build.ps1.

.DESCRIPTION
Run it in a fresh pwsh process (the tests import the module with -Force; a session that
already holds the module's assemblies could not load a rebuilt copy). Writes the NUnit XML
result when -ResultPath is given, and one line "passed failed skipped" to -CountsPath.
Exits 0 when every test passed, 1 otherwise: a container that failed to load or a failing
BeforeAll/AfterAll counts as a failure even when it holds no test.
#>
[CmdletBinding()]
param(
    [string] $Path = (Join-Path $PSScriptRoot '../tests/pester'),
    [string] $ResultPath,
    [string] $CountsPath,
    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')]
    [string] $Output = 'Detailed',
    [string] $PesterVersion = '5.7.1'
)

$ErrorActionPreference = 'Stop'
Import-Module Pester -RequiredVersion $PesterVersion

$c = New-PesterConfiguration
$c.Run.Path = $Path
$c.Run.PassThru = $true
$c.Output.Verbosity = $Output
if ($ResultPath) {
    $c.TestResult.Enabled = $true
    $c.TestResult.OutputFormat = 'NUnitXml'
    $c.TestResult.OutputPath = $ResultPath
}
# The tests run under PowerShell's default preference, as a user's shell does: a test that
# means -ErrorAction Stop says so. (This script's own Stop above would otherwise reach every
# test scope and turn each non-terminating error, e.g. a quarantined row, into a thrown one.)
$ErrorActionPreference = 'Continue'
$r = Invoke-Pester -Configuration $c

$failed = $r.FailedCount + $r.FailedContainersCount + $r.FailedBlocksCount
$skipped = $r.SkippedCount + $r.NotRunCount
if ($CountsPath) {
    "$($r.PassedCount) $failed $skipped" | Set-Content -LiteralPath $CountsPath
}
if ($r.Result -ne 'Passed' -or $failed -gt 0) { exit 1 }
exit 0

#Requires -Version 7.4
<#
.SYNOPSIS
Builds the Migration module, runs its tests, and packages it.

.DESCRIPTION
1. dotnet build of Migration.sln, which assembles out/Migration (the module folder).
2. The xUnit test projects (engine and cmdlet surface).
3. The Pester tests in tests/pester (Pester 5.7.1; `bash scripts/install-prereqs.sh --pester`
   installs it), in a separate pwsh process so this session does not keep the module's
   assemblies loaded. Not installed is a failure unless -SkipPester.
Then one closing line counts both suites, "N passed, N failed, N skipped"; any failure stops
the script before packaging. It installs nothing: .ci/run is the same with the installs.
4. A versioned copy out/dist/Migration/<version>/ (a layout Import-Module and $env:PSModulePath
   understand) and out/dist/Migration-<version>.zip.

.EXAMPLE
./build.ps1 -Configuration Release

.EXAMPLE
./build.ps1 -SkipTests
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Builds and packages only.
    [switch] $SkipTests,

    # Runs the xUnit tests but not Pester.
    [switch] $SkipPester
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot

function Invoke-Dotnet {
    # A simple function on purpose: $args passes -c and the other dotnet options through
    # untouched, where an advanced function would try to bind them as its own parameters.
    Write-Host "dotnet $($args -join ' ')" -ForegroundColor Cyan
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args[0]) failed with exit code $LASTEXITCODE." }
}

Invoke-Dotnet build (Join-Path $root 'Migration.sln') -c $Configuration -nologo
$moduleFolder = Join-Path $root 'out/Migration'
if (-not (Test-Path -LiteralPath (Join-Path $moduleFolder 'Migration.psd1'))) {
    throw "The build did not assemble $moduleFolder."
}

if (-not $SkipTests) {
    # Every suite runs even when an earlier one failed; the closing line counts them all.
    $results = Join-Path $root 'out/test-results'
    if (Test-Path -LiteralPath $results) { Remove-Item -LiteralPath $results -Recurse -Force }
    $counts = [ordered]@{}
    $failedSuites = [System.Collections.Generic.List[string]]::new()

    Write-Host "dotnet test Migration.sln -c $Configuration --no-build" -ForegroundColor Cyan
    & dotnet test (Join-Path $root 'Migration.sln') -c $Configuration --no-build -nologo `
        --logger trx --results-directory (Join-Path $results 'xunit')
    if ($LASTEXITCODE -ne 0) { $failedSuites.Add("xUnit (exit $LASTEXITCODE)") }
    $x = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0 }
    $trxs = @(Get-ChildItem -Path (Join-Path $results 'xunit') -Filter *.trx -ErrorAction SilentlyContinue)
    if ($trxs.Count -eq 0) { $x.Failed = 1 }
    foreach ($trx in $trxs) {
        $c = ([xml](Get-Content -LiteralPath $trx.FullName -Raw)).TestRun.ResultSummary.Counters
        $x.Passed += [int]$c.passed
        $x.Failed += [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted
        $x.Skipped += [int]$c.notExecuted
    }
    $counts['xUnit'] = $x

    $pester = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version -eq [version]'5.7.1' }
    if ($SkipPester) {
        Write-Host 'Pester tests skipped (-SkipPester).' -ForegroundColor Yellow
    } elseif ($null -eq $pester) {
        # Not installed here: bash scripts/install-prereqs.sh --pester installs it (from NuGet).
        Write-Warning 'Pester 5.7.1 is not installed (bash scripts/install-prereqs.sh --pester): the Pester tests were not run.'
        $failedSuites.Add('Pester (not installed)')
        $counts['Pester'] = [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 }
    } else {
        # A separate pwsh process, so this session does not keep the module's assemblies loaded.
        # $PSHOME's pwsh, not this process's path: as a dotnet tool that is `dotnet`.
        $pesterCounts = Join-Path $results 'pester.counts'
        & (Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')) -NoProfile -NonInteractive -File (Join-Path $root 'scripts/invoke-pester.ps1') `
            -ResultPath (Join-Path $results 'pester.xml') -CountsPath $pesterCounts
        if ($LASTEXITCODE -ne 0) { $failedSuites.Add("Pester (exit $LASTEXITCODE)") }
        $p = if (Test-Path -LiteralPath $pesterCounts) { (Get-Content -LiteralPath $pesterCounts -Raw).Trim() -split ' ' } else { 0, 1, 0 }
        $counts['Pester'] = [pscustomobject]@{ Passed = [int]$p[0]; Failed = [int]$p[1]; Skipped = [int]$p[2] }
    }

    foreach ($suite in $counts.Keys) {
        $c = $counts[$suite]
        Write-Host ('  {0,-10} {1} passed, {2} failed, {3} skipped' -f $suite, $c.Passed, $c.Failed, $c.Skipped)
    }
    $total = $counts.Values | Measure-Object -Property Passed, Failed, Skipped -Sum
    $sum = @{}; foreach ($m in $total) { $sum[$m.Property] = [int]$m.Sum }
    Write-Host ('{0} passed, {1} failed, {2} skipped' -f $sum.Passed, $sum.Failed, $sum.Skipped)
    if ($failedSuites.Count -gt 0 -or $sum.Failed -gt 0) {
        throw "Tests failed: $($failedSuites -join ', '); nothing was packaged."
    }
}

$version = (Import-PowerShellDataFile -LiteralPath (Join-Path $moduleFolder 'Migration.psd1')).ModuleVersion
$dist = Join-Path $root 'out/dist'
$packageFolder = Join-Path $dist "Migration/$version"
if (Test-Path -LiteralPath $packageFolder) { Remove-Item -LiteralPath $packageFolder -Recurse -Force }
New-Item -ItemType Directory -Path $packageFolder -Force | Out-Null
Copy-Item -Path (Join-Path $moduleFolder '*') -Destination $packageFolder -Recurse
$zip = Join-Path $dist "Migration-$version.zip"
Compress-Archive -Path (Join-Path $dist 'Migration') -DestinationPath $zip -Force
Write-Host "Packaged $packageFolder and $zip" -ForegroundColor Green

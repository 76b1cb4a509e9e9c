#Requires -Version 7.4
<#
.SYNOPSIS
Builds the Migration module, runs its tests, and packages it.

.DESCRIPTION
1. dotnet build of src/Migration.PowerShell, which assembles out/Migration (the module folder).
2. The xUnit test projects (engine and cmdlet surface).
3. The Pester tests in tests/pester, when Pester 5 is installed, in a separate pwsh process so
   this session does not keep the module's assemblies loaded.
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

Invoke-Dotnet build (Join-Path $root 'src/Migration.PowerShell/Migration.PowerShell.csproj') -c $Configuration
$moduleFolder = Join-Path $root 'out/Migration'
if (-not (Test-Path -LiteralPath (Join-Path $moduleFolder 'Migration.psd1'))) {
    throw "The build did not assemble $moduleFolder."
}

if (-not $SkipTests) {
    foreach ($project in 'tests/Migration.Engine.Tests', 'tests/Migration.PowerShell.Tests') {
        Invoke-Dotnet test (Join-Path $root $project) -c $Configuration
    }

    $pester = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version -ge [version]'5.0.0' } |
        Sort-Object Version -Descending | Select-Object -First 1
    if ($SkipPester) {
        Write-Host 'Pester tests skipped (-SkipPester).' -ForegroundColor Yellow
    } elseif ($null -eq $pester) {
        Write-Warning 'Pester 5 is not installed (Install-Module Pester -MinimumVersion 5.0): the Pester tests were not run.'
    } else {
        $pesterPath = Join-Path $root 'tests/pester'
        $command = "Import-Module Pester -RequiredVersion $($pester.Version); " +
            "`$r = Invoke-Pester -Path '$($pesterPath -replace "'", "''")' -Output Detailed -PassThru; " +
            "exit `$r.FailedCount"
        & (Get-Process -Id $PID).Path -NoProfile -NonInteractive -Command $command
        if ($LASTEXITCODE -ne 0) { throw "Pester: $LASTEXITCODE test(s) failed." }
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

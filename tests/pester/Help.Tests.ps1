#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# The help loads from either manifest: the repository root's (the README's first line) and the
# built module folder's (what users install). Each is imported in a fresh pwsh, as a user does.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    $root = Get-MigrationRepoRoot
    # This pwsh, also when it runs as a dotnet tool (there the process is `dotnet`).
    $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')

    function Get-HelpFromFreshSession {
        param([Parameter(Mandatory)][string] $Manifest)
        $script = @'
param($Manifest)
Import-Module $Manifest -ErrorAction Stop
foreach ($c in Get-Command -Module Migration) {
    $h = Get-Help $c.Name -Full
    [pscustomobject]@{
        Name        = $c.Name
        Synopsis    = "$($h.Synopsis)".Trim()
        Description = ($h.description | Out-String).Trim()
        Examples    = @($h.examples.example).Count
        Parameters  = @($h.parameters.parameter).Count
        ExamplesText = (Get-Help $c.Name -Examples | Out-String)
        ModuleBase  = $c.Module.ModuleBase
    }
}
'@
        $file = Join-Path ([System.IO.Path]::GetTempPath()) ("migration-help-" + [guid]::NewGuid().ToString('N') + '.ps1')
        Set-Content -LiteralPath $file -Value $script
        try {
            $json = & $pwsh -NoProfile -NonInteractive -Command "& '$file' -Manifest '$Manifest' | ConvertTo-Json -Depth 3"
            if ($LASTEXITCODE -ne 0) { throw "pwsh exited with $LASTEXITCODE" }
            @($json | ConvertFrom-Json)
        } finally {
            Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue
        }
    }
}

Describe 'help' {
    It 'loads after Import-Module <Label>' -ForEach @(
        @{ Label = './Migration.psd1 (repository root)'; Relative = 'Migration.psd1' }
        @{ Label = 'out/Migration/Migration.psd1 (the module folder)'; Relative = 'out/Migration/Migration.psd1' }
    ) {
        $help = Get-HelpFromFreshSession -Manifest (Join-Path $root $Relative)
        # Every exported cmdlet (the manifest's list), so a new cmdlet without help fails here.
        $help.Count | Should -Be (Import-PowerShellDataFile (Join-Path $root 'module/Migration.psd1')).CmdletsToExport.Count
        foreach ($h in $help) {
            # Without a help file Get-Help makes a synopsis of the syntax and has no examples.
            $h.Examples | Should -BeGreaterThan 0 -Because "$($h.Name) has examples in its MAML help"
            $h.Description | Should -Not -BeNullOrEmpty -Because "$($h.Name) has a description"
            $h.Synopsis | Should -Not -Match '^\s*\S+ \[' -Because "$($h.Name)'s synopsis is prose, not the syntax"
        }
        $export = $help | Where-Object Name -eq 'Export-PgTable'
        $export.ExamplesText | Should -Match 'EXAMPLE 1|Example 1'
        $export.ExamplesText | Should -Match 'Export-PgTable -ConnectionString'
        $export.ModuleBase | Should -Be (Join-Path $root 'out/Migration')
    }
}

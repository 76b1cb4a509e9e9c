#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# The module as a whole, seen from pwsh: what every command's output looks like to the tools an
# admin pipes it into (ConvertTo-Json, Format-Table).

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-MigrationTestModule

    # Every type a command declares, and the module's types reachable from their properties.
    function Get-OutputShape {
        $seen = @{}
        $queue = [System.Collections.Generic.Queue[type]]::new()
        Get-Command -Module Migration | ForEach-Object { $_.OutputType.Type } | Where-Object { $_ -and $_.Namespace -like 'Migration*' } |
            ForEach-Object { $queue.Enqueue($_) }
        while ($queue.Count -gt 0) {
            $type = $queue.Dequeue()
            if ($seen.ContainsKey($type.FullName)) { continue }
            $seen[$type.FullName] = $type
            foreach ($p in $type.GetProperties()) {
                $t = $p.PropertyType
                if ($t.IsArray) { $t = $t.GetElementType() }
                elseif ($t.IsGenericType) { $t = $t.GetGenericArguments()[0] }
                if ([Nullable]::GetUnderlyingType($t)) { $t = [Nullable]::GetUnderlyingType($t) }
                [pscustomobject]@{ Type = $type.FullName; Property = $p.Name; PropertyType = $t }
                if ($t.Namespace -like 'Migration*' -and -not $t.IsEnum) { $queue.Enqueue($t) }
            }
        }
    }
}

Describe 'the module''s output' {
    It 'has no enum-typed property anywhere (ConvertTo-Json would write a number without -EnumsAsStrings)' {
        $shape = @(Get-OutputShape)
        $shape.Count | Should -BeGreaterThan 20
        @($shape | Where-Object { $_.PropertyType.IsEnum } | ForEach-Object { "$($_.Type).$($_.Property)" }) | Should -BeNullOrEmpty
    }
}

Describe 'the module''s native code' {
    It 'is used by this pwsh: a Release build''s first pipeline compiles almost none of the module''s methods' {
        $engine = Join-Path (Get-MigrationRepoRoot) 'out/Migration/Migration.Engine.dll'
        $stream = [System.IO.File]::OpenRead($engine)
        try { $native = [System.Reflection.PortableExecutable.PEReader]::new($stream).PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size -gt 0 }
        finally { $stream.Dispose() }
        $sdkMajor = [int]((& dotnet --version).Split('.')[0])
        if (-not $native) { Set-ItResult -Skipped -Because 'the module was built without ReadyToRun (a Debug build, or -p:MigrationReadyToRun=false)'; return }
        if ([Environment]::Version.Major -ne $sdkMajor) { Set-ItResult -Skipped -Because "the native code is for .NET $sdkMajor (the building SDK's), this pwsh runs on .NET $([Environment]::Version)"; return }

        # A fresh pwsh, so nothing of the module ran before: the runtime's JIT events name every
        # method it compiles. Compiled against another .NET (Crossgen2 8 for .NET 10) the native
        # code is ignored and ~550 of the module's methods are compiled here; used, a dozen.
        $script = Join-Path $TestDrive 'jit.ps1'
        $database = Join-Path $TestDrive 'jit.sqlite'
        Set-Content -LiteralPath $script -Value @'
param($Module, $Database)
Add-Type -TypeDefinition @"
using System; using System.Diagnostics.Tracing; using System.Threading;
public sealed class ModuleJitCounter : EventListener {
    public int Compiled;
    protected override void OnEventSourceCreated(EventSource source) {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x10);
    }
    protected override void OnEventWritten(EventWrittenEventArgs e) {
        if (e.EventName == null || !e.EventName.StartsWith("MethodJittingStarted") || e.Payload == null) return;
        var i = e.PayloadNames.IndexOf("MethodNamespace");
        if (i >= 0 && e.Payload[i] is string ns && ns.StartsWith("Migration.", StringComparison.Ordinal)) Interlocked.Increment(ref Compiled);
    }
}
"@
$counter = [ModuleJitCounter]::new()
Import-Module $Module -ErrorAction Stop
[pscustomobject]@{ id = 1; name = 'x'; ok = $true; n = 1.5 } | ConvertTo-D1Row -TableName t | Import-D1Batch -Path $Database -ErrorAction Stop | Out-Null
Start-Sleep -Milliseconds 300 # the listener's events arrive on their own thread
$counter.Compiled
'@
        $compiled = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File $script -Module (Join-Path (Get-MigrationRepoRoot) 'Migration.psd1') -Database $database
        $LASTEXITCODE | Should -Be 0
        [int]($compiled | Select-Object -Last 1) | Should -BeLessThan 60
    }
}

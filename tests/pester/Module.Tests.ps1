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

#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Tab completion as an admin gets it at the prompt (TabExpansion2, what the console calls on Tab):
# table and column names from a real Postgres catalog, run ids from a real journal.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-MigrationTestModule
    $server = Start-TestPostgres
    $pg = $server.ConnectionString
    Initialize-ListCutterDatabase -ConnectionString $pg
    Invoke-TestPgSql -ConnectionString $pg -Sql 'CREATE SCHEMA archive; CREATE TABLE archive.items (id int PRIMARY KEY, "label text" text); CREATE TABLE "odd name" (id int PRIMARY KEY);'

    $db = Join-Path $TestDrive 'runs.sqlite'
    foreach ($i in 1..2) {
        Export-PgTable -ConnectionString $pg -Table auth_user | ConvertTo-D1Row -TableMap @{ auth_user = 'users' } |
            Import-D1Batch -Path $db -OnConflict Replace | Out-Null
    }

    # The completions offered with the cursor at the end of the line.
    function Get-Completion([string] $Line) {
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText)
    }
}

AfterAll {
    Stop-TestPostgres -Server $server
}

Describe 'tab completion' {
    Context 'tables and columns from the Postgres catalog of the connection on the line' {
        It 'completes -Table of Export-PgTable' {
            Get-Completion "Export-PgTable -ConnectionString '$pg' -Table auth" | Should -Be @('auth_user')
            Get-Completion "Export-PgTable -ConnectionString '$pg' -Table " | Should -Contain 'contacts_person'
        }

        It 'reads the connection string from a variable on the line' {
            $global:MigrationCompletionPg = $pg
            try { Get-Completion 'Export-PgTable -ConnectionString $MigrationCompletionPg -Table list_' | Should -Be @('list_cutter_savedfile') }
            finally { Remove-Variable -Name MigrationCompletionPg -Scope Global }
        }

        It 'names tables outside public as schema.table and quotes names PowerShell would split' {
            Get-Completion "Export-PgTable -ConnectionString '$pg' -Table archive" | Should -Be @('archive.items')
            Get-Completion "Export-PgTable -ConnectionString '$pg' -Table items" | Should -Be @('archive.items')
            Get-Completion "Export-PgTable -ConnectionString '$pg' -Table odd" | Should -Be @("'odd name'")
        }

        It 'completes -ExcludeTable of Export-PgTable and Export-D1Schema, and -Table of Test-MigrationIntegrity' {
            Get-Completion "Export-PgTable -ConnectionString '$pg' -All -ExcludeTable contacts" | Should -Be @('contacts_person')
            Get-Completion "Export-D1Schema -ConnectionString '$pg' -All -ExcludeTable arch" | Should -Be @('archive.items')
            Get-Completion "Export-D1Schema -ConnectionString '$pg' -Table auth" | Should -Be @('auth_user')
            Get-Completion "Test-MigrationIntegrity -ConnectionString '$pg' -Path x.sqlite -Table contacts" | Should -Be @('contacts_person')
        }

        It 'completes -Column with the columns of the -Table on the line' {
            Get-Completion "Export-PgTable -ConnectionString '$pg' -Table auth_user -Column e" | Should -Be @('email')
            $all = Get-Completion "Export-PgTable -ConnectionString '$pg' -Table auth_user -Column "
            $all[0] | Should -Be 'id'
            $all | Should -Contain 'date_joined'
            $all | Should -Not -Contain 'cuttyid'
            Get-Completion "Export-PgTable -ConnectionString '$pg' -Table archive.items -Column la" | Should -Be @("'label text'")
        }

        It 'offers nothing, and quickly, when the server does not answer' {
            $port = Get-FreeTcpPort
            $elapsed = Measure-Command { $r = Get-Completion "Export-PgTable -ConnectionString 'Host=127.0.0.1;Port=$port;Username=x;Password=secret' -Table a" }
            @($r | Where-Object { $_ -notlike './*' -and $_ -notlike '*/*' }) -join ',' | Should -Not -Match 'auth'
            $elapsed.TotalSeconds | Should -BeLessThan 10
        }
    }

    Context 'run ids from the journal of the file on the line' {
        It 'completes -RunId of Get-MigrationRun, Undo-Migration, Test-MigrationIntegrity and Import-D1Batch, newest first' {
            Get-Completion "Get-MigrationRun -Path '$db' -RunId " | Should -Be @('2', '1')
            Get-Completion "Get-MigrationRun -LiteralPath '$db' -RunId 1" | Should -Be @('1')
            Get-Completion "Undo-Migration -Path '$db' -RunId " | Should -Be @('2', '1')
            Get-Completion "Test-MigrationIntegrity -Path '$db' -RunId " | Should -Be @('2', '1')
            Get-Completion "Import-D1Batch -Path '$db' -Resume -RunId " | Should -Be @('2', '1')
        }

        It 'completes -RunId of Export-PgTable from -ResumeFrom, with a relative path' {
            Push-Location $TestDrive
            try { Get-Completion 'Export-PgTable -Table auth_user -ResumeFrom runs.sqlite -RunId ' | Should -Be @('2', '1') }
            finally { Pop-Location }
        }

        It 'tells each run''s status and tables in the tooltip' {
            $match = (TabExpansion2 -inputScript "Get-MigrationRun -Path '$db' -RunId 1" -cursorColumn ("Get-MigrationRun -Path '$db' -RunId 1").Length).CompletionMatches[0]
            $match.ToolTip | Should -Match 'Run 1: Completed'
            $match.ToolTip | Should -Match 'users'
        }
    }
}

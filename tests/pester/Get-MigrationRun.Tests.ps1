#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-MigrationTestModule
    $server = Start-TestPostgres
    $pg = $server.ConnectionString
    Initialize-ListCutterDatabase -ConnectionString $pg
    $tableMap = @{ auth_user = 'users'; list_cutter_savedfile = 'saved_files'; contacts_person = 'persons' }
}

AfterAll {
    Stop-TestPostgres -Server $server
}

Describe 'Get-MigrationRun' {
    Context 'a run with a row that cannot be converted' {
        BeforeAll {
            $db = Join-Path $TestDrive 'journal.sqlite'
            $csv = Join-Path $TestDrive 'errors.csv'
            # Default -NonFinite Error: the person with a NaN cannot be converted.
            $summaries = @(Export-PgTable -ConnectionString $pg -Table auth_user, list_cutter_savedfile, contacts_person |
                ConvertTo-D1Row -TableMap $tableMap -AllowUnmatchedName -IncludeRejected -ErrorAction SilentlyContinue |
                Import-D1Batch -Path $db -BatchSize 2 -ErrorLog $csv)
            $run = Get-MigrationRun -Path $db -Last
        }

        It 'lists the run with its status, totals and per-table progress' {
            $run | Should -BeOfType [Migration.Engine.Journal.MigrationRunInfo]
            $run.RunId | Should -Be 1
            $run.Status | Should -Be 'Completed'
            $run.RowsWritten | Should -Be 8
            $run.RowsQuarantined | Should -Be 1
            @($run.TableProgress.Table) | Should -Be @('users', 'saved_files', 'persons')
            ($run.TableProgress | Where-Object Table -eq 'users').Batches | Should -Be 2
            ($run.TableProgress | Where-Object Table -eq 'users').LastKey | Should -Be 'id=3'
            ($run.TableProgress | Where-Object Table -eq 'users').Created | Should -BeTrue
        }

        It 'takes the file from Get-Item (PSPath) and a run from the pipeline' {
            (Get-Item -LiteralPath $db | Get-MigrationRun -Last).RunId | Should -Be 1
            ($run | Get-MigrationRun).RunId | Should -Be 1
            @($run | Get-MigrationRun -Quarantine) | Should -HaveCount 1
        }

        It 'ConvertTo-Json writes the status by name, without -EnumsAsStrings' {
            ($run | ConvertTo-Json -Depth 3 -Compress) | Should -Match '"Status":"Completed"'
            $run.Status -eq 'Completed' | Should -BeTrue
        }

        It 'never records the connection secret' {
            $run.Source | Should -Not -Match 'Password'
            $run.Options | Should -Match 'BatchSize=2'
        }

        It '-Quarantine lists the row that was not written, with key, column and reason' {
            $q = @(Get-MigrationRun -Path $db -RunId $run.RunId -Quarantine)
            $q.Count | Should -Be 1
            $q[0] | Should -BeOfType [Migration.Engine.Journal.QuarantinedRow]
            $q[0].Table | Should -Be 'persons'
            $q[0].Stage | Should -Be 'Convert'
            $q[0].Key | Should -Match '3'
            $q[0].ValueExcerpt | Should -Match 'NaN'
        }

        It '-ErrorLog holds the same row as CSV' {
            $rows = @(Import-Csv -LiteralPath $csv)
            $rows.Count | Should -Be 1
            $rows[0].Table | Should -Be 'persons'
            $rows[0].RunId | Should -Be '1'
        }

        It 'reports a run that does not exist as an error' {
            $errs = $null
            Get-MigrationRun -Path $db -RunId 99 -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'RunNotFound,*'
        }
    }

    Context 'resume' {
        It 'an import stopped by -MaxErrors is Failed, and -Resume finishes it without writing a row twice' {
            $db = Join-Path $TestDrive 'resume.sqlite'
            { Export-PgTable -ConnectionString $pg -Table auth_user, contacts_person |
                ConvertTo-D1Row -TableMap $tableMap -AllowUnmatchedName -IncludeRejected -ErrorAction SilentlyContinue |
                Import-D1Batch -Path $db -BatchSize 1 -MaxErrors 0 } | Should -Throw -ErrorId 'MaxErrorsExceeded,*'
            (Get-MigrationRun -Path $db -Last).Status | Should -Be 'Failed'

            Export-PgTable -ConnectionString $pg -Table auth_user, contacts_person -ResumeFrom $db |
                ConvertTo-D1Row -TableMap $tableMap -AllowUnmatchedName -NonFinite Text |
                Import-D1Batch -Path $db -BatchSize 1 -Resume | Out-Null
            $run = Get-MigrationRun -Path $db -Last
            $run.RunId | Should -Be 1
            $run.Status | Should -Be 'Completed'
            $run.Attempts | Should -Be 2
            Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM users' | Should -Be 3
            Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM persons' | Should -Be 3
        }
    }
}

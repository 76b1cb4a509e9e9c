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

        It 'shows a table by default, with the tables and their progress readable' {
            $text = Get-MigrationRun -Path $db | Out-String -Width 150
            $text | Should -Match 'RunId\s+Status\s+StartedAt'
            $text | Should -Match '1\s+Completed'
            $text | Should -Match 'users:3\+, saved_files:3\+, persons:2\+'
            @($run.Tables) | Should -Be @('users', 'saved_files', 'persons')
            $progress = $run.TableProgress | Out-String -Width 150
            $progress | Should -Match 'Table\s+SourceTable\s+Created\s+Batches\s+RowsWritten'
            $progress | Should -Match 'users\s+public\.auth_user\s+True\s+2\s+3'
            "$($run.TableProgress[0])" | Should -Be 'users: 3 rows in 2 batches, created, last key id=3'
        }

        It 'run, table progress and Import-D1Batch''s summaries carry RunId and Path, so they pipe on' {
            @($summaries.RunId | Select-Object -Unique) | Should -Be @(1)
            @($summaries.Path | Select-Object -Unique) | Should -Be @($db)
            ($run.TableProgress | Select-Object -Unique -ExpandProperty Path) | Should -Be $db
            # One run per object piped, as Get-Item gives one item per path piped.
            @($summaries | Get-MigrationRun).RunId | Should -Be @(1, 1, 1)
            ($run.TableProgress[0] | Get-MigrationRun).RunId | Should -Be 1
            # A summary names the run Undo-Migration plans for (-WhatIf: planned, nothing changed).
            { $summaries[0] | Undo-Migration -WhatIf -ErrorAction Stop } | Should -Not -Throw
            Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM users' | Should -Be 3
        }

        It 'a run piped to Test-MigrationIntegrity is checked with the tables and D1 names it wrote' {
            $r = @($run | Test-MigrationIntegrity -ConnectionString $pg -Check RowCount)
            @($r | ForEach-Object { "$($_.Table) $($_.Passed)" }) | Should -Be @('users True', 'saved_files True', 'persons False')
            # The person that could not be converted is the one row fewer.
            ($r | Where-Object Table -eq persons).Details | Should -Match '1 rows fewer'
            # Summaries of one run (one per table) check that run once.
            @($summaries | Test-MigrationIntegrity -ConnectionString $pg -Check RowCount).Count | Should -Be 3
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

    Context 'paths as Get-ChildItem users give them' {
        BeforeAll {
            $dir = Join-Path $TestDrive 'many'
            New-Item -ItemType Directory -Path $dir | Out-Null
            foreach ($name in 'a.sqlite', 'b.sqlite') {
                Export-PgTable -ConnectionString $pg -Table auth_user | ConvertTo-D1Row -TableMap $tableMap -AllowUnmatchedName | Import-D1Batch -Path (Join-Path $dir $name) | Out-Null
            }
        }

        It 'takes files from Get-ChildItem, wildcards and path strings on the pipeline' {
            @(Get-ChildItem -Path (Join-Path $dir '*.sqlite') | Get-MigrationRun -Last).Path | Should -Be @((Join-Path $dir 'a.sqlite'), (Join-Path $dir 'b.sqlite'))
            @(Get-MigrationRun -Path (Join-Path $dir '*.sqlite')).Count | Should -Be 2
            @((Join-Path $dir 'a.sqlite'), (Join-Path $dir 'b.sqlite') | Get-MigrationRun).Count | Should -Be 2
            Push-Location $dir
            try { (Get-MigrationRun a.sqlite).Path | Should -Be (Join-Path $dir 'a.sqlite') } finally { Pop-Location }
        }

        It 'a path that names no file is an error for that path; the others are listed' {
            $errs = $null
            $runs = @(Get-MigrationRun -Path (Join-Path $dir 'missing.sqlite'), (Join-Path $dir 'a.sqlite') -ErrorVariable errs -ErrorAction SilentlyContinue)
            $runs.Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
            $errs[0].Exception.Message | Should -Match 'missing\.sqlite'
        }

        It 'Undo-Migration still takes one file at a time' {
            { Undo-Migration -Path (Join-Path $dir '*.sqlite') -Last -WhatIf } | Should -Throw -ErrorId 'InvalidPath,*'
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

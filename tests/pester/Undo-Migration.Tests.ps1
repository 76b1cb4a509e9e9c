#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-MigrationTestModule
    $server = Start-TestPostgres
    $pg = $server.ConnectionString
    Initialize-ListCutterDatabase -ConnectionString $pg
    $tableMap = @{ auth_user = 'users'; list_cutter_savedfile = 'saved_files'; contacts_person = 'persons' }
    function Get-Content-Snapshot {
        param([string] $Path)
        # Every data table's rows (with rowid) as JSON: equal snapshots, equal content. Not the
        # journal (d1_migration_*), nor SQLite's own tables: Import-D1Batch runs ANALYZE after a
        # load that created tables, which rewrites sqlite_stat1 (the journal's tables included),
        # and statistics are not content an undo takes back.
        $tables = Invoke-TestSqlite -Path $Path -Sql "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'd1_migration_%' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ($tables | ForEach-Object { $_.name + ':' + (Invoke-TestSqlite -Path $Path -Sql "SELECT rowid AS _rowid, * FROM `"$($_.name)`" ORDER BY rowid" | ConvertTo-Json -Compress -Depth 3) }) -join "`n"
    }
}

AfterAll {
    Stop-TestPostgres -Server $server
}

Describe 'Undo-Migration' {
    BeforeEach {
        $db = Join-Path $TestDrive ("undo-" + [guid]::NewGuid().ToString('N') + '.sqlite')
        # The target already has data: the users, loaded by a first run.
        Export-PgTable -ConnectionString $pg -Table auth_user | ConvertTo-D1Row -TableMap $tableMap -AllowUnmatchedName |
            Import-D1Batch -Path $db | Out-Null
        Invoke-TestSqliteWrite -Path $db -Sql "UPDATE users SET first_name = 'changed since' WHERE id = 2"
        $before = Get-Content-Snapshot -Path $db
    }

    It 'undoes a <Mode> run into a table that had data, exactly, and a second undo changes nothing' -ForEach @(
        @{ Mode = 'Abort' }, @{ Mode = 'Ignore' }, @{ Mode = 'Replace' }, @{ Mode = 'Upsert' }
    ) {
        Export-PgTable -ConnectionString $pg -Table auth_user, list_cutter_savedfile | ConvertTo-D1Row -TableMap $tableMap -AllowUnmatchedName |
            Import-D1Batch -Path $db -OnConflict $Mode -ErrorAction SilentlyContinue | Out-Null
        $run = Get-MigrationRun -Path $db -Last
        $run.RunId | Should -Be 2

        $actions = @(Undo-Migration -Path $db -RunId $run.RunId -Force)
        ($actions | Where-Object Table -eq 'saved_files').DropTable | Should -BeTrue
        Get-Content-Snapshot -Path $db | Should -Be $before
        (Get-MigrationRun -Path $db -RunId 2).Status | Should -Be 'Undone'

        @(Undo-Migration -Path $db -RunId $run.RunId -Force) | Should -HaveCount 0
        Get-Content-Snapshot -Path $db | Should -Be $before
    }

    It '-WhatIf lists per table what would be done and changes nothing' {
        Export-PgTable -ConnectionString $pg -Table auth_user, list_cutter_savedfile | ConvertTo-D1Row -TableMap $tableMap -AllowUnmatchedName |
            Import-D1Batch -Path $db -OnConflict Upsert | Out-Null
        $after = Get-Content-Snapshot -Path $db
        $out = Undo-Migration -Path $db -Last -WhatIf 6>&1 | Out-String
        Get-Content-Snapshot -Path $db | Should -Be $after
        (Get-MigrationRun -Path $db -Last).Status | Should -Be 'Completed'
    }

    It 'takes runs from Get-MigrationRun on the pipeline' {
        Export-PgTable -ConnectionString $pg -Table list_cutter_savedfile | ConvertTo-D1Row -TableMap $tableMap -AllowUnmatchedName |
            Import-D1Batch -Path $db | Out-Null
        Get-MigrationRun -Path $db -Last | Undo-Migration -Force | Out-Null
        Get-Content-Snapshot -Path $db | Should -Be $before
    }

    It 'refuses to undo an older run under a newer one, with the reason, unless -Force' {
        Export-PgTable -ConnectionString $pg -Table auth_user | ConvertTo-D1Row -TableMap $tableMap -AllowUnmatchedName |
            Import-D1Batch -Path $db -OnConflict Upsert | Out-Null
        $errs = $null
        Undo-Migration -Path $db -RunId 1 -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'NewerRunExists,*'
        $errs[0].Exception.Message | Should -Match 'run 2'
        (Get-MigrationRun -Path $db -RunId 1).Status | Should -Be 'Completed'
    }

    It '-RestoreBackup puts back the copy Import-D1Batch -Backup made' {
        Export-PgTable -ConnectionString $pg -Table auth_user, list_cutter_savedfile | ConvertTo-D1Row -TableMap $tableMap -AllowUnmatchedName |
            Import-D1Batch -Path $db -OnConflict Replace -Backup | Out-Null
        $run = Get-MigrationRun -Path $db -Last
        Test-Path -LiteralPath $run.BackupPath | Should -BeTrue
        Undo-Migration -Path $db -RunId $run.RunId -RestoreBackup -Force | Out-Null
        Get-Content-Snapshot -Path $db | Should -Be $before
        (Get-MigrationRun -Path $db -RunId $run.RunId).Status | Should -Be 'Undone'
    }
}

Describe 'Undo-Migration of tables that were empty before the run (schema applied first)' {
    BeforeEach {
        $db = Join-Path $TestDrive ("empty-" + [guid]::NewGuid().ToString('N') + '.sqlite')
        # As after `wrangler d1 migrations apply`: the tables exist, with no rows.
        Export-D1Schema -ConnectionString $pg -Table auth_user, list_cutter_savedfile -TableMap $tableMap -AllowUnmatchedName |
            Where-Object { $_ -is [Migration.Engine.Target.D1SchemaStatement] } |
            ForEach-Object { Invoke-TestSqliteWrite -Path $db -Sql $_.Sql }
        $emptySchema = Get-Content-Snapshot -Path $db
        Export-PgTable -ConnectionString $pg -Table auth_user, list_cutter_savedfile | ConvertTo-D1Row -TableMap $tableMap -AllowUnmatchedName |
            Import-D1Batch -Path $db | Out-Null
    }

    It 'empties them again and keeps the tables' {
        $actions = @(Undo-Migration -Path $db -Last -Force)
        ($actions | Where-Object Table -eq 'users').EmptiesTable | Should -BeTrue
        ($actions | Where-Object Table -eq 'users').DropTable | Should -BeFalse
        Get-Content-Snapshot -Path $db | Should -Be $emptySchema
        Get-TestSqliteScalar -Path $db -Sql "SELECT count(*) FROM sqlite_schema WHERE name = 'users'" | Should -Be 1
    }

    It 'refuses when a row was added since the run, naming the table, unless -Force' {
        Invoke-TestSqliteWrite -Path $db -Sql "INSERT INTO users (id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined) VALUES (999999, 'x', 0, 'added-later', '', '', '', 0, 1, '2026-01-01T00:00:00.000000Z')"
        $errs = $null
        Undo-Migration -Path $db -Last -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'TableChangedSinceRun,*'
        $errs[0].Exception.Message | Should -Match 'users was empty before run'
        Get-TestSqliteScalar -Path $db -Sql "SELECT count(*) FROM users WHERE id = 999999" | Should -Be 1

        Undo-Migration -Path $db -Last -Force | Out-Null
        Get-TestSqliteScalar -Path $db -Sql "SELECT count(*) FROM users" | Should -Be 0
    }
}

Describe 'Undo-Migration after -OrphanPolicy Skip deleted an orphan in the fix-up' {
    BeforeAll {
        # A self-reference filled in after the load (insert-then-update), over an orphan (NOT VALID).
        $orphanPg = New-TestPgDatabase -Server $server -Sql @'
CREATE TABLE nodes (id int PRIMARY KEY, up int, label text);
INSERT INTO nodes VALUES (1, NULL, 'root'), (2, 1, 'child'), (3, 55, 'orphan');
ALTER TABLE nodes ADD CONSTRAINT nodes_up_fk FOREIGN KEY (up) REFERENCES nodes (id) NOT VALID;
'@
    }
    BeforeEach {
        $db = Join-Path $TestDrive ("orphan-" + [guid]::NewGuid().ToString('N') + '.sqlite')
        # The schema applied first: the table exists, empty, so undo must prove its rows are the run's.
        Invoke-TestSqliteWrite -Path $db -Sql 'CREATE TABLE nodes (id INTEGER PRIMARY KEY, up INTEGER REFERENCES nodes (id), label TEXT)'
        $emptySchema = Get-Content-Snapshot -Path $db
        Export-PgTable -ConnectionString $orphanPg -Table nodes | ConvertTo-D1Row |
            Import-D1Batch -Path $db -OrphanPolicy Skip -WarningAction SilentlyContinue | Out-Null
        $run = Get-MigrationRun -Path $db | Select-Object -Last 1
    }

    It 'the orphan was written NULL first, deleted in the fix-up and counted skipped' {
        Get-TestSqliteScalar -Path $db -Sql 'SELECT group_concat(id) FROM (SELECT id FROM nodes ORDER BY id)' | Should -Be '1,2'
        $run.RowsWritten | Should -Be 2
        $run.RowsSkipped | Should -Be 1
    }

    It 'Undo-Migration -RunId without -Force empties the table back to its state before the run' {
        $actions = @(Undo-Migration -Path $db -RunId $run.RunId -Confirm:$false -ErrorAction Stop)
        ($actions | Where-Object Table -eq 'nodes').EmptiesTable | Should -BeTrue
        Get-Content-Snapshot -Path $db | Should -Be $emptySchema
        (Get-MigrationRun -Path $db -RunId $run.RunId).Status | Should -Be 'Undone'
    }

    It 'still refuses without -Force when a row was changed since the run' {
        Invoke-TestSqliteWrite -Path $db -Sql "UPDATE nodes SET label = 'changed since' WHERE id = 2"
        $errs = $null
        Undo-Migration -Path $db -RunId $run.RunId -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'TableChangedSinceRun,*'
        $errs[0].Exception.Message | Should -Match 'nodes was empty before run'
        Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM nodes' | Should -Be 2
    }
}

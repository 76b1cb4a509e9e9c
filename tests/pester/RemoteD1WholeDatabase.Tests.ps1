#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# The whole-database pipeline into a remote D1 (the API test server: a real local D1 under
# wrangler dev): a cycle and a self-reference filled in after the load, orphans under each
# -OrphanPolicy, the same values as the local file, integrity passing; and a kill -9 in the
# middle of the fix-ups, resumed exactly.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-MigrationTestModule
    $pgServer = Start-TestPostgres
    $pg = New-TestPgDatabase -Server $pgServer -Sql @'
CREATE TABLE auth_user (id serial PRIMARY KEY, username text NOT NULL UNIQUE);
CREATE TABLE categories (id int PRIMARY KEY, parent_id int, name text NOT NULL);
CREATE TABLE teams (id int PRIMARY KEY, captain_id int, name text NOT NULL);
CREATE TABLE players (id int PRIMARY KEY, team_id int NOT NULL REFERENCES teams (id));
ALTER TABLE teams ADD CONSTRAINT teams_captain_fk FOREIGN KEY (captain_id) REFERENCES players (id);
CREATE TABLE notes (id int PRIMARY KEY, user_id int, body text);
INSERT INTO auth_user (username) VALUES ('alice'), ('bob');
INSERT INTO categories VALUES (3, NULL, 'root'), (1, 3, 'child'), (2, 4, 'forward'), (4, 3, 'late'), (5, 77, 'lost');
INSERT INTO teams VALUES (1, NULL, 'Reds');
INSERT INTO players VALUES (10, 1);
UPDATE teams SET captain_id = 10;
INSERT INTO notes VALUES (1, 1, 'ok'), (2, 999, 'orphan');
ALTER TABLE notes ADD CONSTRAINT notes_user_fk FOREIGN KEY (user_id) REFERENCES auth_user (id) NOT VALID;
ALTER TABLE categories ADD CONSTRAINT categories_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES categories (id) NOT VALID;
'@

    $d1 = Start-TestD1ApiServer -Database wfail, wskip, wnull, wkill, wmethod, wundo
    function Invoke-RemoteSql([string] $Database, [string] $Sql) { Invoke-TestD1ApiSql -Server $d1 -Database $Database -Sql $Sql }

    # A table's content, every value with its storage class (reals as %!.17g, text and blobs as hex), in a fixed order.
    function Get-FingerprintSql([string[]] $Columns, [string] $Table) {
        $values = ($Columns | ForEach-Object {
                $c = '"' + $_.Replace('"', '""') + '"'
                "typeof($c) || ':' || coalesce(CASE typeof($c) WHEN 'blob' THEN hex($c) WHEN 'real' THEN printf('%!.17g', $c) WHEN 'text' THEN hex($c) ELSE $c END, '')"
            }) -join " || '|' || "
        "SELECT count(*) || '#' || coalesce(group_concat(v, char(10)), '') AS f FROM (SELECT $values AS v FROM `"$Table`" ORDER BY 1)"
    }
    $tableMap = @{ auth_user = 'users' }
}

AfterAll {
    Stop-TestD1ApiServer -Server $d1
    Stop-TestPostgres -Server $pgServer
}

Describe 'Export-PgTable -All | ConvertTo-D1Row | Import-D1Batch -Database: foreign keys as locally' {
    It '-OrphanPolicy <Policy>: the same tables, values and orphans as the local file, and integrity passes' -ForEach @(
        @{ Policy = 'Fail'; Database = 'wfail' }, @{ Policy = 'Skip'; Database = 'wskip' }, @{ Policy = 'Null'; Database = 'wnull' }
    ) {
        $local = Join-Path $TestDrive "local-$Policy.sqlite"
        $localErrors = $null
        $localSummaries = @(Export-PgTable -ConnectionString $pg -All | ConvertTo-D1Row -TableMap $tableMap |
                Import-D1Batch -Path $local -OrphanPolicy $Policy -BatchSize 2 -ErrorVariable localErrors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        $remoteErrors = $null
        $summaries = @(Export-PgTable -ConnectionString $pg -All | ConvertTo-D1Row -TableMap $tableMap |
                Import-D1Batch -Database $Database -OrphanPolicy $Policy -BatchSize 2 -ErrorVariable remoteErrors -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue)

        foreach ($table in 'users', 'categories', 'teams', 'players', 'notes') {
            $columns = @(Invoke-TestSqlite -Path $local -Sql "SELECT name FROM pragma_table_info('$table')" | ForEach-Object name)
            $sql = Get-FingerprintSql -Columns $columns -Table $table
            (Invoke-RemoteSql -Database $Database -Sql $sql)[0][0] | Should -Be (Get-TestSqliteScalar -Path $local -Sql $sql) -Because "table $table"
        }
        # The cycle and the self-reference were filled in after the load.
        (Invoke-RemoteSql -Database $Database -Sql 'SELECT captain_id FROM teams WHERE id = 1')[0][0] | Should -Be 10
        (Invoke-RemoteSql -Database $Database -Sql 'SELECT parent_id FROM categories WHERE id = 2')[0][0] | Should -Be 4
        (Invoke-RemoteSql -Database $Database -Sql 'SELECT count(*) FROM pragma_foreign_key_check')[0][0] | Should -Be 0
        foreach ($s in $localSummaries) {
            $r = $summaries | Where-Object Table -eq $s.Table
            "$($r.RowsWritten)/$($r.RowsSkipped)/$($r.RowsFailed)/$($r.RowsOrphaned)" | Should -Be "$($s.RowsWritten)/$($s.RowsSkipped)/$($s.RowsFailed)/$($s.RowsOrphaned)" -Because "table $($s.Table)"
        }
        @($remoteErrors | ForEach-Object { "$_" } | Sort-Object) | Should -Be @($localErrors | ForEach-Object { "$_" } | Sort-Object)
        if ($Policy -eq 'Fail') {
            @($remoteErrors | Where-Object { "$_" -like '*Table notes, row id=2, column user_id*notes_user_fk*no row of users*999*' }).Count | Should -Be 1
            @($remoteErrors | Where-Object { "$_" -like '*Table categories, row id=5, column parent_id*categories_parent_id_fkey*77*keeps it*' }).Count | Should -Be 1
        }
        else {
            @($warnings | Where-Object { "$_" -like '*notes, row id=2: foreign key notes_user_fk -> users (999) has no parent row*' }).Count | Should -Be 1
        }
        # Integrity judges the remote D1 as it judges the local file (an orphan left out or nulled is a difference in both).
        $remoteChecks = @(Test-MigrationIntegrity -ConnectionString $pg -Database $Database -Check RowCount, Checksum, ForeignKeys | ForEach-Object { "$($_.Table) $($_.Check) $($_.Passed)" })
        $remoteChecks.Count | Should -BeGreaterThan 0
        $remoteChecks | Should -Be @(Test-MigrationIntegrity -ConnectionString $pg -Path $local -Check RowCount, Checksum, ForeignKeys | ForEach-Object { "$($_.Table) $($_.Check) $($_.Passed)" })
        $remoteChecks | Where-Object { $_ -like 'teams *' -or $_ -like 'players *' -or $_ -like 'users *' } | ForEach-Object { $_ | Should -BeLike '* True' }
        (Invoke-RemoteSql -Database $Database -Sql 'SELECT count(*) FROM d1_migration_fixups')[0][0] | Should -Be 0
        # The journal's figures follow the tables (a row deleted as an orphan while its key was filled in is skipped, not written), locally and remotely.
        $remoteRun = Get-MigrationRun -Database $Database -Last
        $localRun = Get-MigrationRun -Path $local -Last
        foreach ($p in $remoteRun.TableProgress) {
            $p.RowsWritten | Should -Be (Invoke-RemoteSql -Database $Database -Sql "SELECT count(*) FROM `"$($p.Table)`"")[0][0] -Because "remote $($p.Table)"
            $p.RowsWritten | Should -Be ($summaries | Where-Object Table -eq $p.Table).RowsWritten -Because "the summary of $($p.Table)"
        }
        foreach ($p in $localRun.TableProgress) {
            $p.RowsWritten | Should -Be (Get-TestSqliteScalar -Path $local -Sql "SELECT count(*) FROM `"$($p.Table)`"") -Because "local $($p.Table)"
            "$($p.RowsWritten)/$($p.RowsSkipped)" | Should -Be "$(($remoteRun.TableProgress | Where-Object Table -eq $p.Table).RowsWritten)/$(($remoteRun.TableProgress | Where-Object Table -eq $p.Table).RowsSkipped)"
        }
        $remoteRun.RowsWritten | Should -Be ($remoteRun.TableProgress | Measure-Object RowsWritten -Sum).Sum
        if ($Policy -eq 'Skip') { ($remoteRun.TableProgress | Where-Object Table -eq 'categories').RowsSkipped | Should -Be 1 }
        @(Test-MigrationIntegrity -ConnectionString $pg -Database $Database -Check RowCount | ForEach-Object { "$($_.Actual)" }) |
            Should -Be @($remoteRun.TableProgress | ForEach-Object { "$($_.RowsWritten)" })
    }
}

Describe 'Import-D1Batch -Database -Method: tables whose foreign keys only /query can load' {
    It '-Method Import is refused up front naming the table, the reason and what to use: no table created, no run row' {
        { Export-PgTable -ConnectionString $pg -All | ConvertTo-D1Row -TableMap $tableMap | Import-D1Batch -Database wmethod -Method Import -ErrorAction Stop } |
            Should -Throw '*Table * -Method Import cannot write it: its foreign key(s) * refer to its own table or to a table loaded later (a cycle)*Use -Method Auto (which sends this table through /query) or -Method Query; nothing was written and no run was started.'
        # A parameter mistake changes nothing: no table, not even the journal's.
        (Invoke-RemoteSql -Database wmethod -Sql "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE '_cf%'")[0][0] | Should -Be 0
        # -WhatIf says the same.
        { Export-PgTable -ConnectionString $pg -All | ConvertTo-D1Row -TableMap $tableMap | Import-D1Batch -Database wmethod -Method Import -WhatIf -ErrorAction Stop } |
            Should -Throw '*-Method Import cannot write it*'
    }

    It '-Method Auto imports the tables it can and sends the cycle and the self-reference through /query, saying why in -Verbose' {
        $verbose = Export-PgTable -ConnectionString $pg -All | ConvertTo-D1Row -TableMap $tableMap |
            Import-D1Batch -Database wmethod -Method Auto -OrphanPolicy Null -Verbose -WarningAction SilentlyContinue 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $text = $verbose -join "`n"
        $text | Should -BeLike "*categories: through /query (its foreign key(s) categories_parent_id_fkey refer to its own table or to a table loaded later (a cycle)*"
        $text | Should -BeLike "*teams: through /query (its foreign key(s) teams_captain_fk refer*"
        $text | Should -BeLike "*users: through D1's import API*"
        (Invoke-RemoteSql -Database wmethod -Sql 'SELECT captain_id FROM teams WHERE id = 1')[0][0] | Should -Be 10
        (Invoke-RemoteSql -Database wmethod -Sql "SELECT status FROM d1_migration_runs")[0][0] | Should -Be 'Completed'
    }
}

Describe 'Import-D1Batch -Database: kill -9 in the middle of the fix-ups, then -Resume' {
    BeforeAll {
        # 6,000 rows whose parent comes later in key order: every row is a fix-up, applied in 12 pages.
        $kpg = New-TestPgDatabase -Server $pgServer -Sql @'
CREATE TABLE tree (id int PRIMARY KEY, up int REFERENCES tree (id), v text NOT NULL);
INSERT INTO tree SELECT i, CASE WHEN i < 6000 THEN i + 1 END, 'node ' || i || ' é' FROM generate_series(1, 6000) i;
'@
        $manifest = Join-Path (Get-MigrationRepoRoot) 'Migration.psd1'
        $clean = Join-Path $TestDrive 'tree.sqlite'
        $null = Export-PgTable -ConnectionString $kpg -All | ConvertTo-D1Row | Import-D1Batch -Path $clean -BatchSize 1000
        $fingerprint = Get-FingerprintSql -Columns 'id', 'up', 'v' -Table 'tree'
        $expected = Get-TestSqliteScalar -Path $clean -Sql $fingerprint
    }

    It 'the resumed run fills in exactly the fix-ups left, and equals a clean load' {
        $script = "Import-Module '$manifest'; Export-PgTable -ConnectionString '$kpg' -All | ConvertTo-D1Row | Import-D1Batch -Database wkill -BatchSize 1000"
        $child = Start-Process -FilePath (Join-Path $PSHOME 'pwsh') -ArgumentList '-NoProfile', '-Command', $script -PassThru
        $deadline = [datetime]::UtcNow.AddSeconds(240)
        $left = $null
        while ([datetime]::UtcNow -lt $deadline -and -not $child.HasExited) {
            # Every batch in (6), and some fix-ups applied but not all: the kill lands in the fix-up phase.
            $state = try { (Invoke-RemoteSql -Database wkill -Sql 'SELECT (SELECT count(*) FROM d1_migration_batches), (SELECT count(*) FROM d1_migration_fixups)')[0] } catch { $null }
            if ($state -and $state[0] -ge 6 -and $state[1] -lt 5999 -and $state[1] -gt 0) { $left = $state[1]; break }
            Start-Sleep -Milliseconds 20
        }
        $child.HasExited | Should -BeFalse -Because 'the child is killed in the middle of the fix-ups'
        $child.Kill()   # SIGKILL: no cleanup runs in the child
        $child.WaitForExit()
        $left | Should -BeGreaterThan 0
        $filled = (Invoke-RemoteSql -Database wkill -Sql 'SELECT count(*) FROM tree WHERE up IS NOT NULL')[0][0]
        $filled | Should -BeLessThan 5999
        # What is filled in and what is left add up: a page's UPDATEs and its fix-ups' deletion commit together.
        $left = (Invoke-RemoteSql -Database wkill -Sql 'SELECT count(*) FROM d1_migration_fixups')[0][0]
        ($filled + $left) | Should -Be 5999

        $null = Export-PgTable -ConnectionString $kpg -All | ConvertTo-D1Row | Import-D1Batch -Database wkill -BatchSize 1000 -Resume
        (Invoke-RemoteSql -Database wkill -Sql $fingerprint)[0][0] | Should -Be $expected
        (Invoke-RemoteSql -Database wkill -Sql 'SELECT count(*) FROM d1_migration_fixups')[0][0] | Should -Be 0
        $runs = Invoke-RemoteSql -Database wkill -Sql 'SELECT status, attempts, rows_written FROM d1_migration_runs'
        $runs.Count | Should -Be 1
        $runs[0][0] | Should -Be 'Completed'
        $runs[0][1] | Should -Be 2
        $runs[0][2] | Should -Be 6000
        Test-MigrationIntegrity -ConnectionString $kpg -Database wkill -Quiet | Should -BeTrue
    }
}

Describe 'Undo-Migration -Database after -OrphanPolicy Skip deleted an orphan in the fix-up' {
    It 'empties the table the run found empty back to its state before, without -Force' {
        # The schema applied first: categories exists, empty; its row 5 refers to a parent that does not exist.
        Invoke-RemoteSql -Database wundo -Sql 'CREATE TABLE categories (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES categories (id), name TEXT NOT NULL)' | Out-Null
        $null = Export-PgTable -ConnectionString $pg -Table categories | ConvertTo-D1Row |
            Import-D1Batch -Database wundo -OrphanPolicy Skip -WarningAction SilentlyContinue -ErrorAction Stop
        $run = Get-MigrationRun -Database wundo | Select-Object -Last 1
        $run.RowsWritten | Should -Be 4
        $run.RowsSkipped | Should -Be 1
        (Invoke-RemoteSql -Database wundo -Sql 'SELECT group_concat(id) FROM (SELECT id FROM categories ORDER BY id)')[0][0] | Should -Be '1,2,3,4'

        $actions = @(Undo-Migration -Database wundo -RunId $run.RunId -Confirm:$false -ErrorAction Stop)
        ($actions | Where-Object Table -eq 'categories').EmptiesTable | Should -BeTrue
        (Invoke-RemoteSql -Database wundo -Sql 'SELECT count(*) FROM categories')[0][0] | Should -Be 0
        (Invoke-RemoteSql -Database wundo -Sql "SELECT count(*) FROM sqlite_schema WHERE name = 'categories'")[0][0] | Should -Be 1
        (Get-MigrationRun -Database wundo -RunId $run.RunId).Status | Should -Be 'Undone'
    }
}

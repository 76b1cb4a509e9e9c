#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Scenario 2 ("Ignition", ../shared/scenarios.md): a Next.js app leaving D1 for PostgreSQL, with
# Export-D1Table | ConvertTo-PgRow | Import-PgTable exactly as the issue writes it, every rule
# asserted on the Postgres side.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-MigrationTestModule
    $server = Start-TestPostgres

    $targetSql = Get-IgnitionTargetSql
}

AfterAll {
    Stop-TestPostgres -Server $server
}

Describe 'Ignition: D1 -> PostgreSQL (scenario 2)' {
    BeforeAll {
        $pg = New-TestPgDatabase -Server $server -Sql $targetSql
        $d1 = Join-Path $TestDrive 'ignition.sqlite'
        New-IgnitionD1 -Path $d1
        # As the issue writes it (with the errors and warnings captured).
        $summaries = @(Export-D1Table -Path $d1 -All -ExcludeTable sessions |
            ConvertTo-PgRow -ConnectionString $pg -ColumnNaming SnakeCase `
                -TableMap @{ user_wallet = 'user_progress' } -ColumnMap @{ 'user_wallet.xp' = 'total_xp'; 'user_wallet.level' = 'current_level' } `
                -ComputedColumn @{ 'users.email_verified' = { if ($_.emailVerified -eq 1) { $_.created_at } } } -ErrorVariable convertErrors -ErrorAction SilentlyContinue |
            Import-PgTable -ConnectionString $pg -IdMap Generate -OrphanPolicy Skip -WarningVariable importWarnings -WarningAction SilentlyContinue)
        $ids = @{}
        Invoke-PgQuery $pg 'SELECT old_id, new_id FROM migration_journal.migration_id_map' | ForEach-Object { $ids[$_.old_id] = $_.new_id }
    }

    It 'refuses an INTEGER that is not 0/1 for a boolean, naming table, key, column and value' {
        $e = @($convertErrors | Where-Object { "$_" -match 'u_carol' })
        $e | Should -HaveCount 1
        "$($e[0])" | Should -Match 'Table users, row id=u_carol, column isAdmin: INTEGER 2 is not a boolean'
    }

    It 'refuses invalid JSON (never NULL), naming the row' {
        "$(@($convertErrors | Where-Object { "$_" -match 'u_dave' })[0])" | Should -Match 'column profile: invalid JSON'
        Get-PgScalar $pg "SELECT count(*) FROM users WHERE email = 'dave@example.com'" | Should -Be 0
    }

    It 'keeps UUID ids, gives the others new UUIDs and records them in the id map' {
        Get-PgScalar $pg 'SELECT count(*) FROM users' | Should -Be 3
        Get-PgScalar $pg "SELECT count(*) FROM users WHERE id = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'" | Should -Be 1
        $ids.Keys | Sort-Object | Should -Be @('u_alice', 'u_bob')
        Get-PgScalar $pg "SELECT email FROM users WHERE id = '$($ids['u_alice'])'" | Should -Be 'alice@example.com'
        Get-PgScalar $pg "SELECT email FROM users WHERE id = '$($ids['u_bob'])'" | Should -Be 'bob@example.com'
        Get-PgScalar $pg "SELECT string_agg(DISTINCT table_name, ',') FROM migration_journal.migration_id_map" | Should -Be 'users'
    }

    It 'rewrites the camelCase userId foreign key to the mapped ids (snake_case user_id)' {
        Get-PgScalar $pg "SELECT user_id::text FROM accounts WHERE id = 2" | Should -Be "$($ids['u_alice'])"
        Get-PgScalar $pg "SELECT user_id::text FROM accounts WHERE id = 4" | Should -Be "$($ids['u_bob'])"
        Get-PgScalar $pg "SELECT user_id::text FROM accounts WHERE id = 1" | Should -Be 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'
        Get-PgScalar $pg "SELECT user_id::text FROM achievements WHERE id = 1" | Should -Be "$($ids['u_alice'])"
    }

    It 'turns 0/1 into booleans' {
        Get-PgScalar $pg "SELECT is_admin FROM users WHERE email = 'ann@example.com'" | Should -BeTrue
        Get-PgScalar $pg "SELECT is_admin FROM users WHERE email = 'alice@example.com'" | Should -BeFalse
        Get-PgScalar $pg "SELECT is_admin IS NULL FROM users WHERE email = 'bob@example.com'" | Should -BeTrue
    }

    It 'reads every timestamp spelling (Z, offset, SQLite''s layout, epoch seconds and milliseconds) as the right instant' {
        Get-PgScalar $pg "SELECT created_at = '2024-01-15 10:30:00+00' FROM users WHERE email = 'ann@example.com'" | Should -BeTrue
        Get-PgScalar $pg "SELECT created_at = '2024-02-01 08:00:00+00' FROM users WHERE email = 'alice@example.com'" | Should -BeTrue
        Get-PgScalar $pg "SELECT created_at = '2024-03-05 10:00:00.123+00' FROM users WHERE email = 'bob@example.com'" | Should -BeTrue
        Get-PgScalar $pg "SELECT last_login = to_timestamp(1706000000) FROM accounts WHERE id = 1" | Should -BeTrue
        Get-PgScalar $pg "SELECT last_login = to_timestamp(1706000000.123) FROM accounts WHERE id = 2" | Should -BeTrue
        Get-PgScalar $pg "SELECT updated_at = '2024-04-02 09:15:00+00' FROM user_progress WHERE user_id = '$($ids['u_alice'])'" | Should -BeTrue
    }

    It 'computes email_verified: created_at when emailVerified is 1, NULL when 0' {
        Get-PgScalar $pg "SELECT email_verified = created_at FROM users WHERE email = 'ann@example.com'" | Should -BeTrue
        Get-PgScalar $pg "SELECT email_verified = created_at FROM users WHERE email = 'bob@example.com'" | Should -BeTrue
        Get-PgScalar $pg "SELECT email_verified IS NULL FROM users WHERE email = 'alice@example.com'" | Should -BeTrue
    }

    It 'converts JSON text to jsonb, JSON arrays to Postgres arrays, REAL to numeric exactly' {
        Get-PgScalar $pg "SELECT profile = '{""theme"":""dark""}'::jsonb FROM users WHERE email = 'ann@example.com'" | Should -BeTrue
        Get-PgScalar $pg "SELECT settings = '{""x"":[1,2]}'::jsonb FROM accounts WHERE id = 4" | Should -BeTrue
        Get-PgScalar $pg "SELECT tags = ARRAY['a','b,c',NULL,'NULL'] FROM achievements WHERE id = 1" | Should -BeTrue
        Get-PgScalar $pg "SELECT tags = '{}'::text[] FROM achievements WHERE id = 2" | Should -BeTrue
        Get-PgScalar $pg "SELECT score::text FROM achievements WHERE id = 1" | Should -Be '0.1'
        Get-PgScalar $pg "SELECT score = 1e20 FROM achievements WHERE id = 2" | Should -BeTrue
        Get-PgScalar $pg "SELECT tags IS NULL AND user_id IS NULL FROM achievements WHERE id = 3" | Should -BeTrue
    }

    It 'merges user_wallet.xp/level into the user_progress row of the same user' {
        $alice = Invoke-PgQuery $pg "SELECT streak_days, total_xp, current_level FROM user_progress WHERE user_id = '$($ids['u_alice'])'"
        $alice.streak_days | Should -Be 3
        $alice.total_xp | Should -Be 120
        $alice.current_level | Should -Be 2
        $bob = Invoke-PgQuery $pg "SELECT streak_days, total_xp, current_level FROM user_progress WHERE user_id = '$($ids['u_bob'])'"
        $bob.streak_days | Should -BeNullOrEmpty
        $bob.total_xp | Should -Be 50
        Get-PgScalar $pg 'SELECT count(*) FROM user_progress' | Should -Be 3
    }

    It 'does not migrate sessions' {
        Get-PgScalar $pg "SELECT to_regclass('public.sessions') IS NULL" | Should -BeTrue
        @((Get-MigrationRun -ConnectionString $pg -Last).TableProgress.SourceTable) -join ',' | Should -Not -Match 'sessions'
    }

    It 'skips orphans (a missing parent, or one whose own row was refused), reports and quarantines them' {
        Get-PgScalar $pg 'SELECT count(*) FROM accounts' | Should -Be 3
        @($importWarnings | Where-Object { "$_" -match 'no parent row; Skipped' }) | Should -HaveCount 3
        $q = @(Get-MigrationRun -ConnectionString $pg -Last -Quarantine)
        $q | Should -HaveCount 3
        ($q | Where-Object Key -eq 'id=3').Reason | Should -Match 'accounts_user_id_fkey -> users \(u_ghost\) has no parent row.*missing parent: users'
        ($q | Where-Object Key -eq 'id=5').Reason | Should -Match 'u_carol'
        ($q | Where-Object Key -eq 'userId=u_ghost').Table | Should -Be 'user_progress'
        ($q | ForEach-Object Column | Select-Object -Unique) | Should -Be 'user_id'
    }

    It 'reports the run: status, per-table counts, summaries' {
        $run = Get-MigrationRun -ConnectionString $pg -Last
        $run.Status | Should -Be 'Completed'
        $run.RowsWritten | Should -Be 13
        $run.RowsQuarantined | Should -Be 3
        ($run.TableProgress | Where-Object Table -eq 'users').RowsWritten | Should -Be 3
        ($run.TableProgress | Where-Object Table -eq 'user_progress').SourceTable | Should -Be 'user_progress, user_wallet'
        ($summaries | Where-Object Table -eq 'accounts').RowsSkipped | Should -Be 2
        ($summaries | Where-Object Table -eq 'accounts').RowsOrphaned | Should -Be 2
        $run.Path | Should -Not -Match 'Password'
    }

    It 'Test-MigrationIntegrity -Direction D1ToPostgres passes, as written, with the mapping the run recorded' {
        $r = @(Test-MigrationIntegrity -Path $d1 -ConnectionString $pg -Direction D1ToPostgres)
        @($r | Where-Object { -not $_.Passed }) | Should -BeNullOrEmpty
        @($r | Where-Object Check -eq 'Checksum') | Should -HaveCount 5
        ($r | Where-Object { $_.Check -eq 'Checksum' -and $_.Details -match 'from D1 users' }).Details | Should -Match '3 rows identical.*2 not convertible'
        ($r | Where-Object { $_.Check -eq 'Checksum' -and $_.Details -match 'from D1 accounts' }).Details | Should -Match '2 quarantined by the run'
        ($r | Where-Object { $_.Check -eq 'Domain' -and $_.Table -eq 'users' }).Details | Should -Match '2 non-UUID ids.*0 without a mapping'
        ($r | Where-Object { $_.Check -eq 'RowCount' -and $_.Table -eq 'user_progress' }).Actual | Should -Be '3'
        Test-MigrationIntegrity -Path $d1 -ConnectionString $pg -Direction D1ToPostgres -Quiet | Should -BeTrue
    }

    It 'Test-MigrationIntegrity -Direction D1ToPostgres narrows a changed value down to key and column' {
        # Its own copy: the tamper must not touch the run the undo test takes back.
        $copy = New-TestPgDatabase -Server $server -Sql $targetSql
        Export-D1Table -Path $d1 -Table users, accounts | ConvertTo-PgRow -ConnectionString $copy -ColumnNaming SnakeCase `
            -ComputedColumn @{ 'users.email_verified' = { if ($_.emailVerified -eq 1) { $_.created_at } } } -ErrorAction SilentlyContinue |
            Import-PgTable -ConnectionString $copy -IdMap Generate -OrphanPolicy Skip -WarningAction SilentlyContinue | Out-Null
        Test-MigrationIntegrity -Path $d1 -ConnectionString $copy -Direction D1ToPostgres -Quiet | Should -BeTrue
        Invoke-TestPgSql -ConnectionString $copy -Sql "UPDATE accounts SET provider = 'gitlab' WHERE id = 1"
        $bad = @(Test-MigrationIntegrity -Path $d1 -ConnectionString $copy -Direction D1ToPostgres | Where-Object { -not $_.Passed })
        $bad | Should -HaveCount 1
        $bad[0].Table | Should -Be 'accounts'
        $bad[0].Differences[0].Key | Should -Be 'id=1 -> id=1'
        $bad[0].Differences[0].Column | Should -Be 'provider'
        $bad[0].Differences[0].TargetValue | Should -Be 'gitlab'
    }

    It 'undoes the run: its rows and id-map entries go, the schema stays' {
        $plan = @(Undo-Migration -ConnectionString $pg -Last -WhatIf)
        Get-PgScalar $pg 'SELECT count(*) FROM users' | Should -Be 3
        $done = @(Undo-Migration -ConnectionString $pg -Last -Force)
        ($done | Measure-Object RowsToDelete -Sum).Sum | Should -Be 12   # 13 written: 2 of them merged into rows the run had inserted
        foreach ($t in 'users', 'accounts', 'user_progress', 'achievements') { Get-PgScalar $pg "SELECT count(*) FROM $t" | Should -Be 0 }
        Get-PgScalar $pg 'SELECT count(*) FROM migration_journal.migration_id_map' | Should -Be 0
        (Get-MigrationRun -ConnectionString $pg -RunId 1).Status | Should -Be 'Undone'
    }
}

Describe 'Ignition: the audit and the verification (Get-MigrationRun, Test-MigrationIntegrity)' {
    BeforeAll {
        $pg = New-TestPgDatabase -Server $server -Sql $targetSql
        $d1 = Join-Path $TestDrive 'audit.sqlite'
        New-IgnitionD1 -Path $d1
        # A second user with Ann's email (D1 had no UNIQUE on it; Postgres has), and an account of hers.
        Invoke-TestSqliteWrite -Path $d1 -Sql @"
INSERT INTO users VALUES ('u_ann2', 'ann@example.com', 'Ann again', 0, 0, '2024-03-08T00:00:00Z', NULL);
INSERT INTO accounts VALUES (6, 'u_ann2', 'github', NULL, NULL);
"@
        $before = [datetimeoffset]::UtcNow.AddSeconds(-1)
        # The issue's pipeline, with -IncludeRejected so ConvertTo-PgRow's refusals reach the run's audit log too.
        $null = Export-D1Table -Path $d1 -All -ExcludeTable sessions |
            ConvertTo-PgRow -ConnectionString $pg -ColumnNaming SnakeCase -IncludeRejected -ErrorAction SilentlyContinue `
                -TableMap @{ user_wallet = 'user_progress' } -ColumnMap @{ 'user_wallet.xp' = 'total_xp'; 'user_wallet.level' = 'current_level' } `
                -ComputedColumn @{ 'users.email_verified' = { if ($_.emailVerified -eq 1) { $_.created_at } } } |
            Import-PgTable -ConnectionString $pg -IdMap Generate -OrphanPolicy Skip -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $after = [datetimeoffset]::UtcNow.AddSeconds(1)
        $run = Get-MigrationRun -ConnectionString $pg -Last
        $quarantine = @(Get-MigrationRun -ConnectionString $pg -Last -Quarantine)
    }

    It 'records start and end, and per-table counts' {
        $run.Status | Should -Be 'Completed'
        $run.StartedAt | Should -BeGreaterThan $before
        $run.FinishedAt | Should -BeGreaterThan $run.StartedAt
        $run.FinishedAt | Should -BeLessThan $after
        $progress = @{}
        $run.TableProgress | ForEach-Object { $progress[$_.Table] = $_ }
        $progress['users'].RowsWritten | Should -Be 3
        $progress['users'].RowsFailed | Should -Be 1 -Because 'the duplicate email'
        $progress['accounts'].RowsWritten | Should -Be 3
        $progress['accounts'].RowsSkipped | Should -Be 3 -Because 'three orphans: u_ghost, u_carol (refused), u_ann2 (refused)'
        $progress['achievements'].RowsWritten | Should -Be 3
        $run.RowsQuarantined | Should -Be $quarantine.Count
    }

    It 'keeps every error and warning in the run''s quarantine: conversion refusals, Postgres refusals, orphans' {
        $quarantine | Should -HaveCount 7
        $convert = @($quarantine | Where-Object Stage -eq 'Convert' | Sort-Object Key)
        $convert.Key | Should -Be @('id=u_carol', 'id=u_dave')
        $convert.Column | Should -Be @('isAdmin', 'profile')
        $convert[1].ValueExcerpt | Should -Be '{bad json'
        $duplicate = @($quarantine | Where-Object Key -eq 'id=u_ann2')
        $duplicate | Should -HaveCount 1
        $duplicate[0].Table | Should -Be 'users'
        $duplicate[0].Column | Should -Be 'email'
        $duplicate[0].ValueExcerpt | Should -Be 'ann@example.com'
        $duplicate[0].Reason | Should -Match 'users_email_key'
        $orphans = @($quarantine | Where-Object Stage -eq 'Orphan')
        $orphans | Should -HaveCount 4
        ($orphans | ForEach-Object { "$($_.Table) $($_.Key)" } | Sort-Object) | Should -Be @('accounts id=3', 'accounts id=5', 'accounts id=6', 'user_progress userId=u_ghost')
        $orphans | ForEach-Object { $_.Reason | Should -Match 'missing parent: users' }
    }

    It 'verifies: counts, checksums, FKs, uniques and id-map coverage pass, the duplicate email accounted for as refused' {
        $r = @(Test-MigrationIntegrity -Path $d1 -ConnectionString $pg -Direction D1ToPostgres)
        @($r | Where-Object { -not $_.Passed }) | Should -BeNullOrEmpty
        @($r.Check | Select-Object -Unique | Sort-Object) | Should -Be @('Checksum', 'Domain', 'ForeignKeys', 'RowCount', 'Unique')
        ($r | Where-Object { $_.Check -eq 'Unique' -and $_.Table -eq 'users' }).Details | Should -Match '\(email\): 0'
        ($r | Where-Object { $_.Check -eq 'ForeignKeys' -and $_.Table -eq 'accounts' }).Details | Should -Match 'accounts_user_id_fkey: 0'
        ($r | Where-Object { $_.Check -eq 'Checksum' -and $_.Details -match 'from D1 users' }).Details | Should -Match '3 rows identical.*3 quarantined by the run'
    }

    It 'fails ForeignKeys, naming the key, when a row got in without its parent (triggers off, as a bulk loader may)' {
        $copy = New-TestPgDatabase -Server $server -Sql $targetSql
        $null = Export-D1Table -Path $d1 -Table users, accounts | ConvertTo-PgRow -ConnectionString $copy -ColumnNaming SnakeCase -Exclude emailVerified -ErrorAction SilentlyContinue |
            Import-PgTable -ConnectionString $copy -IdMap Generate -OrphanPolicy Skip -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        Invoke-TestPgSql -ConnectionString $copy -Sql "SET session_replication_role = replica; INSERT INTO accounts VALUES (99, gen_random_uuid(), 'github', NULL, NULL);"
        $fk = $null
        Test-MigrationIntegrity -Path $d1 -ConnectionString $copy -Direction D1ToPostgres -Check ForeignKeys | Where-Object Table -eq 'accounts' | ForEach-Object { $fk = $_ }
        $fk.Passed | Should -BeFalse
        $fk.Actual | Should -Be '1'
        $fk.Details | Should -Match 'accounts_user_id_fkey: 1'
    }

    It 'fails the id-map coverage, naming the id, when a mapping is lost' {
        $copy = New-TestPgDatabase -Server $server -Sql $targetSql
        $null = Export-D1Table -Path $d1 -Table users | ConvertTo-PgRow -ConnectionString $copy -ColumnNaming SnakeCase -Exclude emailVerified -ErrorAction SilentlyContinue |
            Import-PgTable -ConnectionString $copy -IdMap Generate -ErrorAction SilentlyContinue
        Invoke-TestPgSql -ConnectionString $copy -Sql "DELETE FROM migration_journal.migration_id_map WHERE old_id = 'u_bob'"
        $domain = @(Test-MigrationIntegrity -Path $d1 -ConnectionString $copy -Direction D1ToPostgres -Check Domain | Where-Object Table -eq 'users')
        $domain[0].Passed | Should -BeFalse
        $domain[0].Details | Should -Match '1 without a mapping \(u_bob\)'
        $domain[0].Differences[0].Key | Should -Be 'id=u_bob'
    }
}

Describe 'Import-PgTable: orphan policies, id maps and mistakes' {
    BeforeAll {
        $d1 = Join-Path $TestDrive 'ignition2.sqlite'
        New-IgnitionD1 -Path $d1
        function Invoke-Ignition {
            param([string] $Pg, [hashtable] $Import, [string[]] $Table = @('users', 'accounts'))
            # Errors and warnings come back as objects, for the tests to look at.
            Export-D1Table -Path $d1 -Table $Table | ConvertTo-PgRow -ConnectionString $Pg -ColumnNaming SnakeCase -Exclude emailVerified -AllowUnmatchedName -ErrorAction SilentlyContinue |
                Import-PgTable -ConnectionString $Pg @Import 2>&1 3>&1
        }
    }

    It '-OrphanPolicy Fail refuses each orphan as a row error; the other rows go in' {
        $pg = New-TestPgDatabase -Server $server -Sql $targetSql
        $out = Invoke-Ignition -Pg $pg -Import @{ IdMap = 'Generate'; OrphanPolicy = 'Fail' }
        @($out | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] -and "$_" -match 'has no parent row' }) | Should -HaveCount 2
        Get-PgScalar $pg 'SELECT count(*) FROM accounts' | Should -Be 3
    }

    It '-OrphanPolicy Null writes NULL where the column allows it, and refuses where it does not' {
        $pg = New-TestPgDatabase -Server $server -Sql ($targetSql -replace 'user_id uuid NOT NULL REFERENCES', 'user_id uuid REFERENCES')
        $out = Invoke-Ignition -Pg $pg -Import @{ IdMap = 'Generate'; OrphanPolicy = 'Null' }
        Get-PgScalar $pg 'SELECT count(*) FROM accounts WHERE user_id IS NULL' | Should -Be 2
        @($out | Where-Object { $_ -is [System.Management.Automation.WarningRecord] -and "$_" -match 'SetNull' }) | Should -HaveCount 2
    }

    It 'without -IdMap a text id that is not a UUID is an error for its row' {
        $pg = New-TestPgDatabase -Server $server -Sql $targetSql
        $out = Invoke-Ignition -Pg $pg -Table users -Import @{}
        $refused = @($out | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $refused | Should -HaveCount 2
        "$($refused[0])" | Should -Match 'Table users, row id=u_alice, column id: "u_alice" is not a UUID; -IdMap Generate'
        Get-PgScalar $pg 'SELECT count(*) FROM users' | Should -Be 1
    }

    It '-ErrorAction Stop stops at the refused row: its batch rolls back and the run is Failed, resumable' {
        $pg = New-TestPgDatabase -Server $server -Sql $targetSql
        { Export-D1Table -Path $d1 -Table users | ConvertTo-PgRow -ConnectionString $pg -ColumnNaming SnakeCase -Exclude emailVerified -ErrorAction SilentlyContinue |
            Import-PgTable -ConnectionString $pg -ErrorAction Stop } | Should -Throw '*u_alice*is not a UUID*'
        Get-PgScalar $pg 'SELECT count(*) FROM users' | Should -Be 0
        Get-PgScalar $pg 'SELECT count(*) FROM migration_journal.quarantine' | Should -Be 0
        (Get-MigrationRun -ConnectionString $pg -Last).Status | Should -Be 'Failed'
    }

    It '-IdMap Deterministic gives the same UUIDv5 in every database' {
        $a = New-TestPgDatabase -Server $server -Sql $targetSql
        $b = New-TestPgDatabase -Server $server -Sql $targetSql
        $null = Invoke-Ignition -Pg $a -Table users -Import @{ IdMap = 'Deterministic' }
        $null = Invoke-Ignition -Pg $b -Table users -Import @{ IdMap = 'Deterministic' }
        $ia = Get-PgScalar $a "SELECT new_id::text FROM migration_journal.migration_id_map WHERE old_id = 'u_alice'"
        $ib = Get-PgScalar $b "SELECT new_id::text FROM migration_journal.migration_id_map WHERE old_id = 'u_alice'"
        $ia | Should -Be $ib
        $ia.Substring(14, 1) | Should -Be '5'
    }

    It 'a later run reuses the id map: children loaded alone point at the parents mapped before' {
        $pg = New-TestPgDatabase -Server $server -Sql $targetSql
        $null = Invoke-Ignition -Pg $pg -Table users -Import @{ IdMap = 'Generate' }
        $null = Invoke-Ignition -Pg $pg -Table accounts -Import @{ IdMap = 'Generate'; OrphanPolicy = 'Skip' }
        Get-PgScalar $pg "SELECT count(*) FROM accounts a JOIN migration_journal.migration_id_map m ON m.new_id = a.user_id WHERE m.old_id = 'u_alice'" | Should -Be 1
    }

    It 'a name in -ColumnMap that matches nothing stops before anything is written' {
        $pg = New-TestPgDatabase -Server $server -Sql $targetSql
        { Export-D1Table -Path $d1 -Table users | ConvertTo-PgRow -ConnectionString $pg -ColumnMap @{ 'users.emial' = 'email' } | Import-PgTable -ConnectionString $pg -IdMap Generate } |
            Should -Throw '*-ColumnMap: no D1 column "users.emial"*'
        Get-PgScalar $pg 'SELECT count(*) FROM users' | Should -Be 0
    }

    It 'a D1 column with no Postgres column is an error (never dropped silently)' {
        $pg = New-TestPgDatabase -Server $server -Sql $targetSql
        { Export-D1Table -Path $d1 -Table users | ConvertTo-PgRow -ConnectionString $pg -ErrorAction Stop } |
            Should -Throw '*column emailVerified would go to "emailVerified", which users does not have*'
    }

    It '-ExcludeTable that matches nothing is an error' {
        { Export-D1Table -Path $d1 -All -ExcludeTable sesions } | Should -Throw '*matches no table*did you mean sessions*'
    }

    It 'loads in the target''s foreign-key order when the D1 file declares no foreign keys (children held back until their parents are in)' {
        $pg = New-TestPgDatabase -Server $server -Sql $targetSql
        $flat = Join-Path $TestDrive 'no-fks.sqlite'
        Invoke-TestSqliteWrite -Path $flat -Sql @'
CREATE TABLE accounts (id INTEGER PRIMARY KEY, userId TEXT NOT NULL, provider TEXT NOT NULL);
CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL, created_at TEXT NOT NULL);
INSERT INTO accounts VALUES (1, 'u_a', 'github'), (2, 'u_b', 'google');
INSERT INTO users VALUES ('u_a', 'a@example.com', '2024-01-01'), ('u_b', 'b@example.com', '2024-01-02');
'@
        $rows = Export-D1Table -Path $flat -All | ConvertTo-PgRow -ConnectionString $pg -ColumnNaming SnakeCase -Verbose 4>&1
        ($rows | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and "$_" -match 'foreign-key order: users, accounts' }) | Should -Not -BeNullOrEmpty
        $out = Export-D1Table -Path $flat -All | ConvertTo-PgRow -ConnectionString $pg -ColumnNaming SnakeCase | Import-PgTable -ConnectionString $pg -IdMap Generate 2>&1 3>&1
        @($out | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] -or $_ -is [System.Management.Automation.WarningRecord] }) | Should -BeNullOrEmpty
        @($out.Table) | Should -Be @('users', 'accounts')
        Get-PgScalar $pg 'SELECT count(*) FROM accounts a JOIN users u ON u.id = a.user_id' | Should -Be 2
    }

    It '-WhatIf counts and writes nothing, not even the journal' {
        $pg = New-TestPgDatabase -Server $server -Sql $targetSql
        $r = @(Invoke-Ignition -Pg $pg -Table users -Import @{ IdMap = 'Generate'; WhatIf = $true })
        $r[0].RowsSkipped | Should -Be 3
        Get-PgScalar $pg "SELECT to_regclass('migration_journal.runs') IS NULL" | Should -BeTrue
    }
}

Describe 'Import-PgTable: resume after kill -9, exactly once' {
    It 'a killed run resumes and writes every row exactly once, reusing the id map' {
        $pg = New-TestPgDatabase -Server $server -Sql 'CREATE TABLE events (id uuid PRIMARY KEY, n bigint NOT NULL, at timestamptz)'
        $d1 = Join-Path $TestDrive 'events.sqlite'
        Invoke-TestSqliteWrite -Path $d1 -Sql @'
CREATE TABLE events (id TEXT PRIMARY KEY, n INTEGER NOT NULL, at TEXT);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 60000)
INSERT INTO events SELECT printf('e_%06d', i), i, '2024-01-01 00:00:00' FROM c;
'@
        $manifest = Join-Path (Get-MigrationRepoRoot) 'Migration.psd1'
        $script = "Import-Module '$manifest'; Export-D1Table -Path '$d1' -Table events | ConvertTo-PgRow -ConnectionString '$pg' | Import-PgTable -ConnectionString '$pg' -IdMap Generate -BatchSize 100"
        $child = Start-Process -FilePath (Join-Path $PSHOME 'pwsh') -ArgumentList '-NoProfile', '-Command', $script -PassThru
        # Generous: the loop ends at the fifth batch; on a machine loaded by parallel test suites a
        # child pwsh took over two minutes to start and write its first batches.
        $deadline = [datetime]::UtcNow.AddSeconds(420)
        while ([datetime]::UtcNow -lt $deadline -and -not $child.HasExited) {
            $batches = try { Get-PgScalar $pg 'SELECT count(*) FROM migration_journal.batches' } catch { 0 }
            if ($batches -ge 5) { break }
            Start-Sleep -Milliseconds 50
        }
        $child.Kill()   # SIGKILL: no cleanup runs in the child
        $child.WaitForExit()
        (Get-MigrationRun -ConnectionString $pg -Last).Status | Should -Be 'Running'
        $before = Get-PgScalar $pg 'SELECT count(*) FROM events'
        $before | Should -BeGreaterThan 0
        $before | Should -BeLessThan 60000
        $before % 100 | Should -Be 0   # whole batches only

        Export-D1Table -Path $d1 -Table events | ConvertTo-PgRow -ConnectionString $pg | Import-PgTable -ConnectionString $pg -IdMap Generate -BatchSize 100 -Resume | Out-Null
        Get-PgScalar $pg 'SELECT count(*) FROM events' | Should -Be 60000
        Get-PgScalar $pg 'SELECT count(DISTINCT n) FROM events' | Should -Be 60000
        Get-PgScalar $pg 'SELECT count(*) FROM migration_journal.migration_id_map' | Should -Be 60000
        Get-PgScalar $pg "SELECT count(*) FROM events e JOIN migration_journal.migration_id_map m ON m.new_id = e.id AND m.old_id = 'e_' || lpad(e.n::text, 6, '0')" | Should -Be 60000
        $run = Get-MigrationRun -ConnectionString $pg -Last
        $run.Status | Should -Be 'Completed'
        $run.Attempts | Should -Be 2
        $run.RowsWritten | Should -Be 60000
    }
}

#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Import-PgTable on its own, into a real Postgres: batches and their journal, -PassThru, -WhatIf,
# rows Postgres refuses (a duplicate email) named and quarantined while the others go in,
# RejectedRow objects quarantined, parameter mistakes changing nothing, -Resume/-RunId, the
# journal schema, pipeline binding, Verbose/Progress, help examples. The scenario end to end
# (id maps, orphans, merges, kill -9, undo) is in Ignition.Tests.ps1.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-MigrationTestModule
    $server = Start-TestPostgres
    $d1 = New-IgnitionFolder -Root $TestDrive
    $dir = Split-Path -Parent $d1
    # Accounts whose users all convert, and two users that differ only in id: a duplicate email.
    $dup = Join-Path $dir 'dup.sqlite'
    Invoke-TestSqliteWrite -Path $dup -Sql @'
CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL, created_at TEXT NOT NULL);
INSERT INTO users VALUES ('u_1', 'ann@example.com', '2024-01-01'), ('u_2', 'bob@example.com', '2024-01-02'), ('u_3', 'ann@example.com', '2024-01-03'), ('u_4', 'eve@example.com', '2024-01-04');
'@
    $usersSql = 'CREATE TABLE users (id uuid PRIMARY KEY, email text NOT NULL UNIQUE, created_at timestamptz NOT NULL);'
    function Get-UserRows {
        param([string] $Pg, [string] $Path = $dup)
        Export-D1Table -Path $Path -Table users | ConvertTo-PgRow -ConnectionString $Pg -ColumnNaming SnakeCase
    }
}

AfterAll {
    Stop-TestPostgres -Server $server
}

Describe 'Import-PgTable' {
    It 'writes in batches by binary COPY, one journal batch each; emits a summary per table, and each batch with -PassThru' {
        $pg = New-TestPgDatabase -Server $server -Sql $usersSql
        $out = @(Get-UserRows -Pg $pg | Select-Object -First 2 | Import-PgTable -ConnectionString $pg -IdMap Generate -BatchSize 1 -PassThru)
        $batches = @($out | Where-Object { $_ -is [Migration.Engine.Target.BatchResult] })
        $batches.BatchNumber | Should -Be @(1, 2)
        $batches.RowsWritten | Should -Be @(1, 1)
        $summary = @($out | Where-Object { $_ -is [Migration.Engine.Target.TableSummary] })
        $summary | Should -HaveCount 1
        $summary[0].Table | Should -Be 'users'
        $summary[0].RowsWritten | Should -Be 2
        $summary[0].Batches | Should -Be 2
        ($summary | Format-Table | Out-String) | Should -Match 'users'
        Get-PgScalar $pg 'SELECT count(*) FROM migration_journal.batches' | Should -Be 2
        Get-PgScalar $pg "SELECT string_agg(old_id, ',' ORDER BY old_id) FROM migration_journal.migration_id_map" | Should -Be 'u_1,u_2'
        @(Get-UserRows -Pg $pg | Select-Object -First 2 | Import-PgTable -ConnectionString $pg -IdMap Generate -ErrorAction SilentlyContinue) | Where-Object { $_ -is [Migration.Engine.Target.BatchResult] } | Should -BeNullOrEmpty -Because 'without -PassThru only the summaries come out'
    }

    It 'a row Postgres refuses (a duplicate email) is an error naming table, key, column, constraint and value; it is quarantined and the other rows go in' {
        $pg = New-TestPgDatabase -Server $server -Sql $usersSql
        $summary = @(Get-UserRows -Pg $pg | Import-PgTable -ConnectionString $pg -IdMap Generate -ErrorVariable errs -ErrorAction SilentlyContinue)
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'RowRejected,*'
        "$($errs[0])" | Should -Be 'Table users, row id=u_3, column email: Postgres refused the row: duplicate key value violates unique constraint "users_email_key" (23505) (value: ann@example.com)'
        Get-PgScalar $pg "SELECT string_agg(email, ',' ORDER BY created_at) FROM users" | Should -Be 'ann@example.com,bob@example.com,eve@example.com'
        $summary[0].RowsWritten | Should -Be 3
        $summary[0].RowsFailed | Should -Be 1
        $q = @(Get-MigrationRun -ConnectionString $pg -Last -Quarantine)
        $q | Should -HaveCount 1
        $q[0].Key | Should -Be 'id=u_3'
        $q[0].Reason | Should -Match 'users_email_key'
        $q[0].Column | Should -Be 'email'
        (Get-MigrationRun -ConnectionString $pg -Last).RowsQuarantined | Should -Be 1
    }

    It 'quarantines RejectedRow objects from ConvertTo-PgRow -IncludeRejected (stage Convert) with the run' {
        $pg = New-TestPgDatabase -Server $server -Sql (Get-IgnitionTargetSql)
        $null = Export-D1Table -Path $d1 -Table users | ConvertTo-PgRow -ConnectionString $pg -ColumnNaming SnakeCase -Exclude emailVerified -IncludeRejected -ErrorAction SilentlyContinue |
            Import-PgTable -ConnectionString $pg -IdMap Generate
        $q = @(Get-MigrationRun -ConnectionString $pg -Last -Quarantine | Sort-Object Key)
        $q.Key | Should -Be @('id=u_carol', 'id=u_dave')
        $q[0].Column | Should -Be 'isAdmin'
        $q[0].Reason | Should -Match 'INTEGER 2 is not a boolean'
        Get-PgScalar $pg 'SELECT count(*) FROM users' | Should -Be 3
    }

    It '-WhatIf counts the rows per table and writes nothing, not even a journal row' {
        $pg = New-TestPgDatabase -Server $server -Sql $usersSql
        $null = Get-UserRows -Pg $pg | Select-Object -First 1 | Import-PgTable -ConnectionString $pg -IdMap Generate
        $dry = @(Get-UserRows -Pg $pg | Import-PgTable -ConnectionString $pg -IdMap Generate -WhatIf)
        $dry[0].Table | Should -Be 'users'
        $dry[0].RowsSkipped | Should -Be 4
        $dry[0].RowsWritten | Should -Be 0
        Get-PgScalar $pg 'SELECT count(*) FROM users' | Should -Be 1
        Get-PgScalar $pg 'SELECT count(*) FROM migration_journal.runs' | Should -Be 1
        Get-PgScalar $pg 'SELECT count(*) FROM migration_journal.migration_id_map' | Should -Be 1
    }

    It 'refuses parameter mistakes before writing: <Case>' -ForEach @(
        @{ Case = '-RunId without -Resume'; Params = @{ RunId = 1 }; Message = '-RunId names the run to resume: give -Resume with it.' }
        @{ Case = '-Resume with no run to resume'; Params = @{ Resume = $true }; Message = 'There is no run to resume in postgres@*' }
        @{ Case = '-Resume -RunId of a run that does not exist'; Params = @{ Resume = $true; RunId = 42 }; Message = 'There is no run 42 in postgres@*' }
        @{ Case = 'a -BatchSize of 0'; Params = @{ BatchSize = 0 }; Message = '*BatchSize*' }
    ) {
        $pg = New-TestPgDatabase -Server $server -Sql $usersSql
        $err = $null
        try { Get-UserRows -Pg $pg | Import-PgTable -ConnectionString $pg -IdMap Generate @Params -ErrorAction Stop } catch { $err = $_ }
        "$err" | Should -BeLike $Message
        Get-PgScalar $pg 'SELECT count(*) FROM users' | Should -Be 0
        if (Get-PgScalar $pg "SELECT to_regclass('migration_journal.runs') IS NOT NULL") { Get-PgScalar $pg 'SELECT count(*) FROM migration_journal.runs' | Should -Be 0 }
    }

    It 'takes only Postgres rows: a D1 row or any other object is refused by name' {
        $pg = New-TestPgDatabase -Server $server -Sql $usersSql
        $err = $null
        try { Export-D1Table -Path $dup -Table users | Import-PgTable -ConnectionString $pg } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'NotAPgRow,*'
        "$err" | Should -Be 'Import-PgTable takes Postgres rows from ConvertTo-PgRow (and RejectedRow objects from its -IncludeRejected).'
        Get-PgScalar $pg 'SELECT count(*) FROM users' | Should -Be 0
    }

    It '-Resume of a run that completed writes nothing and says so' {
        $pg = New-TestPgDatabase -Server $server -Sql $usersSql
        $null = Get-UserRows -Pg $pg | Import-PgTable -ConnectionString $pg -IdMap Generate -ErrorAction SilentlyContinue
        $out = @(Get-UserRows -Pg $pg | Import-PgTable -ConnectionString $pg -IdMap Generate -Resume -WarningVariable warned -WarningAction SilentlyContinue)
        $out | Should -BeNullOrEmpty
        "$warned" | Should -BeLike 'Run 1 in postgres@*completed already: nothing to resume.'
        Get-PgScalar $pg 'SELECT count(*) FROM users' | Should -Be 3
    }

    It '-JournalSchema puts the journal in a schema of the caller''s choosing' {
        $pg = New-TestPgDatabase -Server $server -Sql $usersSql
        $null = Get-UserRows -Pg $pg | Select-Object -First 1 | Import-PgTable -ConnectionString $pg -IdMap Generate -JournalSchema audit_log
        Get-PgScalar $pg 'SELECT count(*) FROM audit_log.runs' | Should -Be 1
        Get-PgScalar $pg "SELECT to_regclass('migration_journal.runs') IS NULL" | Should -BeTrue
    }

    It 'a connection it cannot open is an error naming user@host:port/database, never the password; nothing is consumed' {
        $err = $null
        try { Get-UserRows -Pg (New-TestPgDatabase -Server $server -Sql $usersSql) | Import-PgTable -ConnectionString 'Host=127.0.0.1;Port=1;Username=ann;Password=s3cr3t-pw;Database=app;Timeout=3' } catch { $err = $_ }
        "$err" | Should -BeLike '*ann@127.0.0.1:1/app*'
        ($err | Out-String) + $err.Exception.ToString() | Should -Not -Match 's3cr3t-pw'
    }

    It 'binds rows by value from the pipeline and an array through -InputObject' {
        $pg = New-TestPgDatabase -Server $server -Sql $usersSql
        $rows = @(Get-UserRows -Pg $pg | Select-Object -First 2)
        (Import-PgTable -ConnectionString $pg -IdMap Generate -InputObject $rows).RowsWritten | Should -Be 2
        Get-PgScalar $pg 'SELECT count(*) FROM users' | Should -Be 2
    }

    It 'writes verbose lines (the run, each batch) and progress per committed batch' {
        $pg = New-TestPgDatabase -Server $server -Sql $usersSql
        $verbose = @(Get-UserRows -Pg $pg | Select-Object -First 2 | Import-PgTable -ConnectionString $pg -IdMap Generate -BatchSize 1 -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { "$_" })
        @($verbose -like 'Started run 1 in postgres@127.0.0.1:*') | Should -HaveCount 1
        $verbose | Should -Contain 'users: batch 2 committed (1 written, 0 skipped, 0 refused).'
        $pg2 = New-TestPgDatabase -Server $server -Sql $usersSql
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$(Join-Path (Get-MigrationRepoRoot) 'Migration.psd1')'; Export-D1Table -LiteralPath '$dup' -Table users | ConvertTo-PgRow -ConnectionString '$pg2' -ColumnNaming SnakeCase | Import-PgTable -ConnectionString '$pg2' -IdMap Generate -BatchSize 2 -ErrorAction SilentlyContinue | Out-Null").Invoke()
            $progress = @($ps.Streams.Progress | Where-Object Activity -eq 'Import-PgTable')
        } finally { $ps.Dispose() }
        $progress | Should -Not -BeNullOrEmpty
        $progress.StatusDescription | Should -Contain 'users: batch 2 committed; 3 rows written in run 1'
        $progress[-1].RecordType | Should -Be 'Completed'
    }

    It '-DeferForeignKeys loads without per-row foreign-key checks and fails the run at the end naming each row without a parent; fixed, -Resume validates and completes' {
        $pg = New-TestPgDatabase -Server $server -Sql 'CREATE TABLE teams (id bigint PRIMARY KEY); CREATE TABLE members (id bigint PRIMARY KEY, team_id bigint REFERENCES teams);'
        $file = Join-Path $dir 'teams.sqlite'
        Invoke-TestSqliteWrite -Path $file -Sql 'CREATE TABLE teams (id INTEGER PRIMARY KEY); CREATE TABLE members (id INTEGER PRIMARY KEY, teamId INTEGER); INSERT INTO teams VALUES (1); INSERT INTO members VALUES (10, 1), (11, 5), (12, NULL);'
        { Export-D1Table -Path $file -All | ConvertTo-PgRow -ConnectionString $pg -ColumnNaming SnakeCase | Import-PgTable -ConnectionString $pg -DeferForeignKeys -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*foreign key members_team_id_fkey (members.team_id -> teams): 1 row(s) with no parent row: id=11 (team_id=5)*'
        Get-PgScalar $pg 'SELECT count(*) FROM members' | Should -Be 3 -Because 'the rows stay; the run is Failed and resumable'
        (Get-MigrationRun -ConnectionString $pg -Last).Status | Should -Be 'Failed'
        Invoke-TestPgSql -ConnectionString $pg -Sql 'INSERT INTO teams VALUES (5)'
        $null = Export-D1Table -Path $file -All | ConvertTo-PgRow -ConnectionString $pg -ColumnNaming SnakeCase | Import-PgTable -ConnectionString $pg -Resume
        (Get-MigrationRun -ConnectionString $pg -Last).Status | Should -Be 'Completed'
        Get-PgScalar $pg 'SELECT count(*) FROM members' | Should -Be 3
        Get-PgScalar $pg "SELECT convalidated FROM pg_constraint WHERE conname = 'members_team_id_fkey'" | Should -Be $true -Because 'the catalog is never changed'
    }

    It 'runs the help examples of the three cmdlets that load Postgres, in order' {
        $pg = New-TestPgDatabase -Server $server -Sql (Get-IgnitionTargetSql)
        $examples = @(Get-HelpExampleCode Import-PgTable)
        $examples.Count | Should -Be 4
        # The file examples (-Path); the remote one (-Database) runs against the test D1 API server in RemoteD1Source.Tests.ps1.
        @(Get-HelpExampleCode Export-D1Table; Get-HelpExampleCode ConvertTo-PgRow) | Where-Object { $_ -match 'Import-PgTable' -and $_ -notmatch 'Export-D1Table -Database' } | ForEach-Object { $examples[0].StartsWith($_) | Should -BeTrue -Because 'the others'' pipeline examples are Import-PgTable''s first' }
        Push-Location $dir
        try {
            $first = @(Invoke-Expression $examples[0] 2>$null 3>$null)
            ($first | Where-Object { $_ -is [Migration.Engine.Journal.QuarantinedRow] }) | Should -HaveCount 3 -Because 'Example 1 ends with the quarantine of the orphans it skipped'
            Get-PgScalar $pg 'SELECT count(*) FROM users' | Should -Be 3
            $warnings = @(Invoke-Expression $examples[1] 3>&1 2>$null)
            "$warnings" | Should -Match 'completed already: nothing to resume'
            $dry = @(Invoke-Expression $examples[2] 2>$null 3>$null)
            ($dry | Measure-Object RowsSkipped -Sum).Sum | Should -BeGreaterThan 0
            Get-PgScalar $pg 'SELECT count(*) FROM migration_journal.runs' | Should -Be 1
            $pg = New-TestPgDatabase -Server $server -Sql (Get-IgnitionTargetSql)
            $null = Invoke-Expression $examples[3] 2>$null 3>$null
            Get-PgScalar $pg 'SELECT count(*) FROM users' | Should -Be 3
            Get-PgScalar $pg "SELECT status || ' ' || options FROM migration_journal.runs" | Should -Match '^Completed .*DeferForeignKeys=True'
        } finally { Pop-Location }
    }
}

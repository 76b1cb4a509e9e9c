#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# ConvertTo-PgRow on its own: D1 rows from Export-D1Table become rows of the EXISTING Postgres
# tables (types from a real Postgres catalog); parameters, errors naming table/key/column/value,
# mistakes stopping before any row, pipeline binding, -IncludeRejected, Verbose, help examples.
# It writes nothing to Postgres; Import-PgTable.Tests.ps1 and Ignition.Tests.ps1 load.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-MigrationTestModule
    $server = Start-TestPostgres
    $pg = New-TestPgDatabase -Server $server -Sql ((Get-IgnitionTargetSql) + 'CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz, local_at timestamptz);')
    $d1 = New-IgnitionFolder -Root $TestDrive
    $dir = Split-Path -Parent $d1
    Invoke-TestSqliteWrite -Path (Join-Path $dir 'app.sqlite') -Sql @'
CREATE TABLE events (id INTEGER PRIMARY KEY, at INTEGER, local_at TEXT);
INSERT INTO events VALUES (1, 1706000000123, '2024-07-01 12:00:00'), (2, NULL, '2024-01-01T12:00:00Z');
'@
    $snake = @{ ConnectionString = $pg; ColumnNaming = 'SnakeCase' }
}

AfterAll {
    Stop-TestPostgres -Server $server
}

Describe 'ConvertTo-PgRow' {
    It 'converts each value to the existing Postgres column''s type (catalog), keeping the row light' {
        $rows = @(Export-D1Table -Path $d1 -Table users | ConvertTo-PgRow @snake -Exclude emailVerified -ErrorAction SilentlyContinue)
        $rows.Count | Should -Be 3
        $rows[0].GetSchema().Kind | Should -Be 'Postgres'
        $rows[0].GetSchema().Name | Should -Be 'users'
        @($rows[0].PSObject.Properties.Name) | Should -Be @('id', 'email', 'name', 'is_admin', 'created_at', 'profile')
        $rows[0].id | Should -BeOfType [guid]
        $rows[1].id | Should -BeExactly 'u_alice' -Because 'a non-UUID id is left for Import-PgTable''s id map'
        $rows[0].is_admin | Should -BeOfType [bool]
        $rows[0].is_admin | Should -BeTrue
        $rows[1].is_admin | Should -BeFalse
        $rows[2].created_at | Should -BeOfType [datetime]
        $rows[2].created_at.ToString('o') | Should -Be '2024-03-05T10:00:00.1230000Z'
        $rows[0].profile | Should -BeExactly '{"theme":"dark"}'
        ($rows | Where-Object { $_.is_admin } | ConvertTo-Json -Compress) | Should -Match '"email":"ann@example.com"'
    }

    It 'a value it cannot convert is a non-terminating error naming table, key, column and value; the other rows go on' {
        $rows = @(Export-D1Table -Path $d1 -Table users | ConvertTo-PgRow @snake -Exclude emailVerified -ErrorVariable errs -ErrorAction SilentlyContinue)
        $rows.email | Should -Be @('ann@example.com', 'alice@example.com', 'bob@example.com')
        $errs | Should -HaveCount 2
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'ConversionFailed,*'
        "$($errs[0])" | Should -Be 'Table users, row id=u_carol, column isAdmin: INTEGER 2 is not a boolean (only 0 and 1 are) (value: 2)'
        "$($errs[1])" | Should -BeLike 'Table users, row id=u_dave, column profile: invalid JSON*(value: {bad json)'
        $errs[0].TargetObject.id | Should -Be 'u_carol' -Because 'the error carries the D1 row it refused'
    }

    It '-ErrorAction Stop stops at the first refused value' {
        { Export-D1Table -Path $d1 -Table users | ConvertTo-PgRow @snake -Exclude emailVerified -ErrorAction Stop } | Should -Throw '*row id=u_carol, column isAdmin*'
    }

    It '-IncludeRejected also passes a RejectedRow down for each refused row (for Import-PgTable''s quarantine)' {
        $out = @(Export-D1Table -Path $d1 -Table users | ConvertTo-PgRow @snake -Exclude emailVerified -IncludeRejected -ErrorAction SilentlyContinue)
        $rejected = @($out | Where-Object { $_ -is [Migration.Engine.Journal.RejectedRow] })
        $rejected | Should -HaveCount 2
        $rejected[0].Table | Should -Be 'users'
        $rejected[0].Key | Should -Be 'id=u_carol'
        $rejected[0].Column | Should -Be 'isAdmin'
        $rejected[0].ValueExcerpt | Should -Be '2'
        ($rejected | Format-List | Out-String) | Should -Match 'Reason\s+: invalid JSON'
    }

    It '-ColumnNaming SnakeCase renames, -ColumnMap wins over it, -TableMap merges two D1 tables into one Postgres table' {
        $rows = @(Export-D1Table -Path $d1 -Table user_progress, user_wallet | ConvertTo-PgRow @snake `
                -TableMap @{ user_wallet = 'user_progress' } -ColumnMap @{ 'user_wallet.xp' = 'total_xp'; 'user_wallet.level' = 'current_level'; 'user_progress.streakDays' = 'streak_days' })
        @($rows | ForEach-Object { $_.GetSchema().Name } | Select-Object -Unique) | Should -Be 'user_progress'
        @($rows[0].PSObject.Properties.Name) | Should -Be @('user_id', 'streak_days', 'updated_at')
        $wallet = $rows | Where-Object { $_.PSObject.Properties.Name -contains 'total_xp' } | Where-Object user_id -eq 'u_alice'
        $wallet.total_xp | Should -Be 120
        $wallet.current_level | Should -BeOfType [short] -Because 'current_level is smallint in Postgres'
        $wallet.GetSchema().Source.Name | Should -Be 'user_wallet'
    }

    It '-ComputedColumn computes a Postgres column from the D1 row ($_), here emailVerified 0/1 -> a timestamp' {
        $rows = @(Export-D1Table -Path $d1 -Table users | ConvertTo-PgRow @snake -ErrorAction SilentlyContinue `
                -ComputedColumn @{ 'users.email_verified' = { if ($_.emailVerified -eq 1) { $_.created_at } } })
        ($rows | Where-Object email -eq 'ann@example.com').email_verified.ToString('o') | Should -Be '2024-01-15T10:30:00.0000000Z'
        $null -eq ($rows | Where-Object email -eq 'alice@example.com').email_verified | Should -BeTrue
    }

    It '-AssumeTimeZone reads zone-less text in that zone (default UTC); -EpochUnit says what an INTEGER counts' {
        $utc = @(Export-D1Table -Path (Join-Path $dir 'app.sqlite') -Table events | ConvertTo-PgRow -ConnectionString $pg)
        $utc[0].local_at.ToString('o') | Should -Be '2024-07-01T12:00:00.0000000Z'
        $utc[0].at.ToString('o') | Should -Be '2024-01-23T08:53:20.1230000Z' -Because 'Auto: from 10^11 on an INTEGER counts milliseconds'
        $oslo = @(Export-D1Table -Path (Join-Path $dir 'app.sqlite') -Table events | ConvertTo-PgRow -ConnectionString $pg -AssumeTimeZone Europe/Oslo)
        $oslo[0].local_at.ToString('o') | Should -Be '2024-07-01T10:00:00.0000000Z' -Because 'Oslo is UTC+2 in July'
        $oslo[1].local_at.ToString('o') | Should -Be '2024-01-01T12:00:00.0000000Z' -Because 'a text with its zone keeps it'
        $ms = @(Export-D1Table -Path $d1 -Table accounts | ConvertTo-PgRow @snake -EpochUnit Milliseconds)
        $ms[0].last_login.ToString('o') | Should -Be '1970-01-20T17:53:20.0000000Z' -Because '-EpochUnit Milliseconds reads 1706000000 as milliseconds'
        (Export-D1Table -Path $d1 -Table accounts | ConvertTo-PgRow @snake | Select-Object -First 1).last_login.ToString('o') | Should -Be '2024-01-23T08:53:20.0000000Z'
    }

    It 'refuses mistakes before any row goes out: <Case>' -ForEach @(
        @{ Case = 'a table -TableMap points at that Postgres does not have'; Params = @{ TableMap = @{ users = 'nosuch' } }; Message = 'Table users: the Postgres database has no table "nosuch"*Nothing was converted.' }
        @{ Case = 'a typo in -Exclude'; Params = @{ Exclude = 'users.emailVerifed' }; Message = '-Exclude: no D1 column "users.emailVerifed" (did you mean emailVerified?). Nothing was converted.' }
        @{ Case = 'a D1 column with no Postgres column'; Params = @{ ColumnMap = @{ 'users.name' = 'nickname' } }; Message = '*column name would go to "nickname", which users does not have*Nothing was converted.' }
        @{ Case = 'an unknown time zone'; Params = @{ AssumeTimeZone = 'Mars/Base' }; Message = '-AssumeTimeZone "Mars/Base" is not a time zone this system knows*' }
    ) {
        $out = @()
        $err = $null
        try { $out = @(Export-D1Table -Path $d1 -Table users | ConvertTo-PgRow @snake @Params -ErrorAction Stop) } catch { $err = $_ }
        "$err" | Should -BeLike $Message
        $out | Should -BeNullOrEmpty
    }

    It 'a connection it cannot open is an error naming user@host:port/database, never the password' {
        $err = $null
        try { Export-D1Table -Path $d1 -Table users | ConvertTo-PgRow -ConnectionString 'Host=127.0.0.1;Port=1;Username=ann;Password=s3cr3t-pw;Database=app;Timeout=3' } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ConnectionFailed,*'
        "$err" | Should -BeLike '*ann@127.0.0.1:1/app*'
        ($err | Out-String) + $err.Exception.ToString() | Should -Not -Match 's3cr3t-pw'
    }

    It 'takes D1 rows by value from the pipeline, or an array through -InputObject; anything else is refused' {
        $d1Rows = @(Export-D1Table -Path $d1 -Table sessions)
        $schema = @{ ConnectionString = (New-TestPgDatabase -Server $server -Sql 'CREATE TABLE sessions (id text PRIMARY KEY, user_id text, expires timestamptz)'); ColumnNaming = 'SnakeCase' }
        @($d1Rows | ConvertTo-PgRow @schema).id | Should -Be @('s1', 's2')
        @(ConvertTo-PgRow @schema -InputObject $d1Rows).expires.Year | Should -Be @(2024, 2024)
        $err = $null
        try { [pscustomobject]@{ id = 's3' } | ConvertTo-PgRow @schema } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'NotAD1Row,*'
        "$err" | Should -Be 'ConvertTo-PgRow takes D1 rows from Export-D1Table.'
    }

    It 'writes verbose lines: the target, and each table''s mapping' {
        $verbose = @(Export-D1Table -Path $d1 -Table accounts | ConvertTo-PgRow @snake -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { "$_" })
        $verbose[0] | Should -Match '^Target postgres@127\.0\.0\.1:\d+/migration_pester_\w+: \d+ tables\.$'
        $verbose | Should -Contain 'accounts -> accounts (id, user_id, provider, last_login, settings)'
    }

    It 'runs its help examples' {
        $examples = Get-HelpExampleCode ConvertTo-PgRow
        $examples.Count | Should -BeGreaterThan 1
        Push-Location $dir
        try {
            foreach ($code in $examples) {
                $pg = New-TestPgDatabase -Server $server -Sql ((Get-IgnitionTargetSql) + 'CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz, local_at timestamptz);')
                $out = @(Invoke-Expression $code 2>$null 3>$null)
                $out | Should -Not -BeNullOrEmpty -Because $code
            }
        } finally { Pop-Location }
        Get-PgScalar $pg 'SELECT count(*) FROM events' | Should -Be 0 -Because 'the last example only converts'
    }
}

#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# A remote D1 as the source of scenario 2 ("Ignition", D1 -> PostgreSQL): Export-D1Table -Database
# (issue 12's interface with -Database instead of -Path) against the API test server
# (tests/d1-api-server: Cloudflare's routes over a real local D1 under wrangler dev), and the
# reverse Test-MigrationIntegrity -Database.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-MigrationTestModule
    $server = Start-TestPostgres
    $targetSql = Get-IgnitionTargetSql

    $d1 = Start-TestD1ApiServer -Database listcutter, busy, ignition
    # D1 enforces foreign keys, so the remote copy declares none on the two tables holding orphans (Get-IgnitionD1Sql -ForRemote).
    Invoke-TestD1ApiSql -Server $d1 -Database listcutter -Sql (Get-IgnitionD1Sql -ForRemote) | Out-Null
    Invoke-TestD1ApiSql -Server $d1 -Database ignition -Sql (Get-IgnitionD1Sql -ForRemote) | Out-Null
    $file = Join-Path $TestDrive 'ignition.sqlite'
    New-IgnitionD1 -Path $file -ForRemote

    function Invoke-Ignition {
        # The issue's pipeline, from -Path or -Database, with an id map mode.
        param([hashtable] $From, [string] $ConnectionString, [string] $IdMap = 'Generate')
        Export-D1Table @From -All -ExcludeTable sessions |
            ConvertTo-PgRow -ConnectionString $ConnectionString -ColumnNaming SnakeCase `
                -TableMap @{ user_wallet = 'user_progress' } -ColumnMap @{ 'user_wallet.xp' = 'total_xp'; 'user_wallet.level' = 'current_level' } `
                -ComputedColumn @{ 'users.email_verified' = { if ($_.emailVerified -eq 1) { $_.created_at } } } -ErrorAction SilentlyContinue |
            Import-PgTable -ConnectionString $ConnectionString -IdMap $IdMap -OrphanPolicy Skip -WarningAction SilentlyContinue
    }

    function Get-PgContent([string] $ConnectionString) {
        foreach ($sql in "SELECT 'users ' || u::text AS r FROM users u", "SELECT 'accounts ' || a::text AS r FROM accounts a",
            "SELECT 'progress ' || p::text AS r FROM user_progress p", "SELECT 'achievements ' || a::text AS r FROM achievements a",
            "SELECT 'idmap ' || table_name || ' ' || old_id || ' ' || new_id AS r FROM migration_journal.migration_id_map",
            "SELECT 'quarantine ' || target_table || ' ' || row_key || ' ' || stage AS r FROM migration_journal.quarantine") {
            @(Invoke-PgQuery $ConnectionString "SET TimeZone = 'UTC'; $sql ORDER BY 1" | ForEach-Object r)
        }
    }
}

AfterAll {
    Stop-TestD1ApiServer -Server $d1
    Stop-TestPostgres -Server $server
}

Describe 'Export-D1Table -Database (a remote D1 as the source)' {
    It 'yields the same light row objects as the file: same tables in the same order (parents first), same values and types' {
        $remote = @(Export-D1Table -Database listcutter -All)
        $local = @(Export-D1Table -Path $file -All)
        $remote.Count | Should -Be $local.Count
        $remote[0] | Should -BeOfType ([Migration.Engine.Schema.Row])
        ($remote | ForEach-Object { $_.GetSchema().Name } | Select-Object -Unique) | Should -Be ($local | ForEach-Object { $_.GetSchema().Name } | Select-Object -Unique)
        ($remote | ConvertTo-Json -Depth 3 -Compress) | Should -BeExactly ($local | ConvertTo-Json -Depth 3 -Compress)
        $user = $remote | Where-Object email -EQ 'bob@example.com'
        $user.name | Should -BeExactly 'Bob ü'
        $user.emailVerified | Should -BeOfType ([long])
        ($remote | Where-Object { $_.GetSchema().Name -eq 'achievements' -and $_.id -eq 2 }).score | Should -BeOfType ([double])
    }

    It 'runs the issue''s pipeline with -Database instead of -Path: the Postgres content equals the file''s, value by value' {
        $fromFile = New-TestPgDatabase -Server $server -Sql $targetSql
        $fromRemote = New-TestPgDatabase -Server $server -Sql $targetSql
        Invoke-Ignition -From @{ Path = $file } -ConnectionString $fromFile -IdMap Deterministic | Out-Null
        $summaries = @(Invoke-Ignition -From @{ Database = 'listcutter' } -ConnectionString $fromRemote -IdMap Deterministic)
        $summaries.Count | Should -BeGreaterThan 0
        $content = @(Get-PgContent $fromRemote)
        $content | Should -Be @(Get-PgContent $fromFile)
        ($content -match '^users ').Count | Should -Be 3
        $content | Should -Contain 'quarantine user_progress userId=u_ghost Orphan'
    }

    It 'as written (-IdMap Generate), then the reverse Test-MigrationIntegrity -Database passes every check' {
        $pg = New-TestPgDatabase -Server $server -Sql $targetSql
        Invoke-Ignition -From @{ Database = 'listcutter' } -ConnectionString $pg | Out-Null
        Get-PgScalar $pg 'SELECT count(*) FROM migration_journal.migration_id_map' | Should -Be 2
        $results = @(Test-MigrationIntegrity -Database listcutter -ConnectionString $pg -Direction D1ToPostgres)
        $results.Count | Should -BeGreaterThan 5
        ($results | Where-Object Passed -EQ $false) | Should -BeNullOrEmpty
        Test-MigrationIntegrity -Database listcutter -ConnectionString $pg -Direction D1ToPostgres -Quiet | Should -BeTrue
        # A row changed remotely afterwards fails Checksum, narrowed to its key and column.
        Invoke-TestD1ApiSql -Server $d1 -Database listcutter -Sql "UPDATE achievements SET badge = 'changed' WHERE id = 2" | Out-Null
        try {
            $failed = @(Test-MigrationIntegrity -Database listcutter -ConnectionString $pg -Direction D1ToPostgres | Where-Object Passed -EQ $false)
            $failed.Count | Should -Be 1
            $failed[0].Check | Should -Be 'Checksum'
            $failed[0].Differences | Where-Object Column -EQ 'badge' | Should -Not -BeNullOrEmpty
        } finally {
            Invoke-TestD1ApiSql -Server $d1 -Database listcutter -Sql "UPDATE achievements SET badge = 'second' WHERE id = 2" | Out-Null
        }
    }

    It 'names a mistyped -ExcludeTable and exports nothing' {
        $rows = @()
        $e = $null
        try { $rows = @(Export-D1Table -Database listcutter -All -ExcludeTable sesions) } catch { $e = $_ }
        $rows.Count | Should -Be 0
        "$e" | Should -Match 'sesions.*did you mean sessions'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'says in -Verbose how it reads (keyset pages, no snapshot) and reports progress' {
        $verbose = @(Export-D1Table -Database listcutter -Table users -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        ($verbose -join "`n") | Should -Match 'keyset pages'
        ($verbose -join "`n") | Should -Match 'users: 5 rows exported'
    }

    It 'warns, naming the table and the counts, when a table changes while it is read' {
        Invoke-TestD1ApiSql -Server $d1 -Database busy -Sql 'CREATE TABLE events (id INTEGER PRIMARY KEY, v TEXT); WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 600) INSERT INTO events SELECT i, ''e'' || i FROM s' | Out-Null
        $seen = 0
        $rows = @(Export-D1Table -Database busy -Table events -WarningVariable w -WarningAction SilentlyContinue | ForEach-Object {
                # Another client writes while the export is on its first page.
                if (++$seen -eq 1) { Invoke-TestD1ApiSql -Server $d1 -Database busy -Sql "INSERT INTO events VALUES (1000, 'late')" | Out-Null }
                $_
            })
        $rows.Count | Should -BeIn 600, 601
        "$w" | Should -Match 'Table events changed while it was read'
        "$w" | Should -Match '600 rows before, 601 after'
    }

    It 'exports a keyless table of 100 columns (D1''s most, no room for its rowid in the result) with the file''s rows and values, in rowid order' {
        $columns = 1..100 | ForEach-Object { "c$_" }
        $values = 1..100 | ForEach-Object {
            $i = $_ # (inside switch, $_ is the switch's value)
            switch ($i % 4) { 0 { "value * $i" } 1 { "'t' || value || char(0) || '😀'" } 2 { 'value / 3.0' } 3 { 'CAST(char(value, 255) AS BLOB)' } }
        }
        $sql = "CREATE TABLE wide ($($columns -join ', ')); " +
            "WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < 7) INSERT INTO wide SELECT $($values -join ', ') FROM s; " +
            "DELETE FROM wide WHERE rowid = 4; INSERT INTO wide (rowid, c1, c100) VALUES (9007199254740993, 'big rowid', NULL)"
        Invoke-TestD1ApiSql -Server $d1 -Database busy -Sql $sql | Out-Null
        $wideFile = Join-Path $TestDrive 'wide.sqlite'
        Invoke-TestSqliteWrite -Path $wideFile -Sql $sql

        $local = @(Export-D1Table -Path $wideFile -Table wide)
        $remote = @(Export-D1Table -Database busy -Table wide -ErrorAction Stop)
        $local.Count | Should -Be 7
        $remote.Count | Should -Be $local.Count
        $remote[0].GetSchema().Columns.Count | Should -Be 100
        ($remote | ConvertTo-Json -Depth 3 -Compress) | Should -BeExactly ($local | ConvertTo-Json -Depth 3 -Compress)
        # In rowid order, the rowid over 2^53 last (the keys themselves are compared in the engine's tests).
        ($remote | ForEach-Object { $_.c4 }) -join ',' | Should -Be '4,8,12,20,24,28,' # the last row's c4 is NULL
        $remote[-1].c1 | Should -BeExactly 'big rowid'
        $remote[0].c4 | Should -BeOfType ([long])
    }

    It 'a bad token is a clear authentication error that never shows the token' {
        $token = $d1.token
        $wrong = ConvertTo-SecureString ($token + 'x') -AsPlainText -Force
        $err = $null
        try { Export-D1Table -Database listcutter -All -ApiToken $wrong -ErrorAction Stop | Out-Null } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        "$err" | Should -Match 'Authentication'
        "$err $($err.Exception) $($err.Exception.InnerException)" | Should -Not -Match ([regex]::Escape($token))
        ($Error | ForEach-Object { "$_ $($_.Exception)" }) -join "`n" | Should -Not -Match ([regex]::Escape($token))
    }

    It 'runs its help examples for a remote D1 as written (the credentials from the environment Start-TestD1ApiServer set)' {
        $examples = @(Get-HelpExampleCode -Name Export-D1Table | Where-Object { $_ -match '-Database|-WranglerConfig' })
        $examples.Count | Should -Be 2
        $pg = New-TestPgDatabase -Server $server -Sql $targetSql
        $dir = Join-Path $TestDrive 'app'
        New-Item -ItemType Directory -Path $dir | Out-Null
        Set-Content -LiteralPath (Join-Path $dir 'wrangler.toml') -Value "name = `"ignition`"`n`n[[d1_databases]]`nbinding = `"DB`"`ndatabase_name = `"ignition`"`n"
        Push-Location $dir
        try {
            foreach ($code in $examples) {
                # The placeholder credentials ('...') are left out: the server's are in the environment.
                $code = ($code -split "`n" | Where-Object { $_ -notmatch '^\$env:CLOUDFLARE_' }) -join "`n"
                $out = Invoke-Expression $code | Out-String
                if ($code -match 'Measure-Object') { $out | Should -Match 'Count\s*:\s*5' }
            }
        } finally { Pop-Location }
        Get-PgScalar $pg 'SELECT count(*) FROM users' | Should -Be 3
        Get-PgScalar $pg 'SELECT count(*) FROM user_progress' | Should -Be 3
    }
}

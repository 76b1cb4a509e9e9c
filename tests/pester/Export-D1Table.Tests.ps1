#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Export-D1Table on its own (no Postgres needed): parameters, errors, values exactly as SQLite
# stores them, order, pipeline binding, Verbose/Progress, help examples. The whole D1 ->
# PostgreSQL pipeline is in Ignition.Tests.ps1.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-MigrationTestModule
    $d1 = New-IgnitionFolder -Root $TestDrive
    $dir = Split-Path -Parent $d1
    $typed = Join-Path $dir 'typed.sqlite'
    Invoke-TestSqliteWrite -Path $typed -Sql @'
CREATE TABLE vals (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB, anything);
INSERT INTO vals VALUES (3, 9223372036854775807, 0.1, 'ü', X'00FF', 1), (1, -1, -0.0, '', X'', 2.5), (2, NULL, NULL, NULL, NULL, 'text');
CREATE TABLE nokey (v TEXT);
INSERT INTO nokey VALUES ('b'), ('a'), ('c');
CREATE TABLE _cf_KV (k TEXT PRIMARY KEY);
CREATE TABLE d1_migration_runs (id INTEGER PRIMARY KEY);
CREATE TABLE parent (id INTEGER PRIMARY KEY);
CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id));
CREATE TABLE aaa_child (id INTEGER PRIMARY KEY, child_id INTEGER REFERENCES child(id));
INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1); INSERT INTO aaa_child VALUES (1, 1);
INSERT INTO _cf_KV VALUES ('k'); INSERT INTO d1_migration_runs VALUES (1);
'@
}

Describe 'Export-D1Table' {
    It 'emits every value as SQLite stores it: INTEGER Int64, REAL Double, TEXT String, BLOB Byte[], NULL $null, in key order' {
        $rows = @(Export-D1Table -Path $typed -Table vals)
        $rows.id | Should -Be @(1, 2, 3)
        $rows[2].i | Should -BeOfType [long]
        $rows[2].i | Should -Be ([long]::MaxValue)
        $rows[2].r | Should -BeOfType [double]
        $rows[2].r | Should -Be 0.1
        $rows[2].t | Should -BeExactly 'ü'
        $rows[0].t | Should -BeExactly ''
        , $rows[2].b | Should -BeOfType [byte[]]
        [Convert]::ToHexString($rows[2].b) | Should -Be '00FF'
        $rows[0].b.Length | Should -Be 0
        $null -eq $rows[1].i -and $null -eq $rows[1].t -and $null -eq $rows[1].b | Should -BeTrue
        # A column without a declared type keeps each value's own storage class.
        $rows.anything | ForEach-Object { $_.GetType().Name } | Should -Be @('Double', 'String', 'Int64')
    }

    It 'reads a table without a primary key in rowid order' {
        (Export-D1Table -Path $typed -Table nokey).v | Should -Be @('b', 'a', 'c')
    }

    It 'rows are light objects: properties, Where-Object, Select-Object, ConvertTo-Json, a table view' {
        $rows = @(Export-D1Table -Path $d1 -Table users)
        $rows[0] | Should -BeOfType ([Migration.Engine.Schema.Row])
        @($rows[0].PSObject.Properties.Name) | Should -Be @('id', 'email', 'name', 'emailVerified', 'isAdmin', 'created_at', 'profile')
        @($rows | Where-Object { $_.emailVerified -eq 1 }).email | Should -Be @('ann@example.com', 'bob@example.com')
        ($rows | Select-Object -First 1 -Property id, email).email | Should -Be 'ann@example.com'
        ($rows[1] | ConvertTo-Json -Compress) | Should -Be '{"id":"u_alice","email":"alice@example.com","name":"Alice","emailVerified":0,"isAdmin":0,"created_at":"2024-02-01 08:00:00","profile":null}'
        ($rows | Format-Table | Out-String) | Should -Match 'u_alice\s+alice@example.com'
    }

    It '-Table keeps the order given; -All takes parents before children and leaves out sqlite_*, _cf_* and the journal' {
        @(Export-D1Table -Path $d1 -Table sessions, users | ForEach-Object { $_.GetSchema().Name } | Select-Object -Unique) | Should -Be @('sessions', 'users')
        $all = @(Export-D1Table -Path $typed -All | ForEach-Object { $_.GetSchema().Name } | Select-Object -Unique)
        $all | Should -Not -Contain '_cf_KV'
        $all | Should -Not -Contain 'd1_migration_runs'
        [array]::IndexOf($all, 'parent') | Should -BeLessThan ([array]::IndexOf($all, 'child'))
        [array]::IndexOf($all, 'child') | Should -BeLessThan ([array]::IndexOf($all, 'aaa_child'))
    }

    It '-ExcludeTable takes wildcards; one that matches nothing is an error naming it, with a suggestion, and nothing is exported' {
        @(Export-D1Table -Path $d1 -All -ExcludeTable 'user*', sessions | ForEach-Object { $_.GetSchema().Name } | Select-Object -Unique) | Should -Be @('accounts', 'achievements')
        $out = @()
        { $out = @(Export-D1Table -Path $d1 -All -ExcludeTable sesions) } | Should -Throw '*-ExcludeTable "sesions" matches no table*did you mean sessions*nothing was exported*'
        $out | Should -BeNullOrEmpty
    }

    It 'refuses mistakes before reading a row: <Case>' -ForEach @(
        @{ Case = 'no table and no -All'; Params = @{ }; Id = 'TableRequired'; Message = '*Name the tables*or give -All*' }
        @{ Case = '-ExcludeTable without -All'; Params = @{ Table = 'users'; ExcludeTable = 'sessions' }; Id = 'ExcludeWithoutAll'; Message = '*-ExcludeTable applies with -All only*' }
        @{ Case = 'an unknown table'; Params = @{ Table = 'user' }; Id = 'DescribeFailed'; Message = '*Table user: no such table*Did you mean users*' }
    ) {
        $err = $null
        try { Export-D1Table -Path $d1 @Params -ErrorAction Stop | Out-Null } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        "$err" | Should -BeLike $Message
    }

    It 'names the file that is missing, not a database, or ambiguous' {
        { Export-D1Table -Path (Join-Path $dir 'missing.sqlite') -Table users } | Should -Throw '*no D1 database file at*missing.sqlite*'
        $notDb = Join-Path $dir 'notes.txt'
        Set-Content -LiteralPath $notDb -Value 'not a database'
        { Export-D1Table -Path $notDb -Table users } | Should -Throw '*notes.txt cannot be read as a SQLite database*'
        { Export-D1Table -Path (Join-Path $dir '*.sqlite') -Table users } | Should -Throw '*matches 2 files; it must match exactly one*'
    }

    It '-Path resolves wildcards and relative paths; -LiteralPath takes [ ] literally' {
        Push-Location $dir
        try { @(Export-D1Table -Path ./ignition.sql* -Table sessions).id | Should -Be @('s1', 's2') } finally { Pop-Location }
        $odd = Join-Path $dir 'app[1].sqlite'
        Copy-Item -LiteralPath $d1 -Destination $odd
        @(Export-D1Table -LiteralPath $odd -Table sessions).id | Should -Be @('s1', 's2')
    }

    It 'binds table names from the pipeline by value, and the file by property name (Get-Item: PSPath)' {
        @('sessions', 'users' | Export-D1Table -Path $d1 | ForEach-Object { $_.GetSchema().Name } | Select-Object -Unique) | Should -Be @('sessions', 'users')
        @(Get-Item -LiteralPath $d1 | Export-D1Table -Table sessions).id | Should -Be @('s1', 's2')
    }

    It 'writes verbose lines (the snapshot, rows per table) and progress per table' {
        $verbose = @(Export-D1Table -Path $d1 -Table users, sessions -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { "$_" })
        $verbose[0] | Should -Match 'Reading 2 table\(s\) of .*ignition.sqlite in one snapshot: users, sessions'
        $verbose | Should -Contain 'users: 5 rows exported.'
        $verbose | Should -Contain 'sessions: 2 rows exported.'
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$(Join-Path (Get-MigrationRepoRoot) 'Migration.psd1')'; Export-D1Table -LiteralPath '$d1' -Table users, sessions | Out-Null").Invoke()
            $progress = @($ps.Streams.Progress)
        } finally { $ps.Dispose() }
        @($progress.Activity | Select-Object -Unique) | Should -Be @('Export-D1Table (1 of 2)', 'Export-D1Table (2 of 2)')
        $progress[-1].RecordType | Should -Be 'Completed'
        $progress.StatusDescription | Should -Contain 'sessions: 1 rows'
    }

    It 'runs its help examples that need no Postgres' {
        $examples = Get-HelpExampleCode Export-D1Table
        $examples.Count | Should -BeGreaterThan 1
        Push-Location $dir
        try {
            # (The examples reading a remote D1 run in RemoteD1Source.Tests.ps1.)
            foreach ($code in $examples | Where-Object { $_ -notmatch '\$pg' -and $_ -notmatch '-Database|-WranglerConfig' }) {
                $out = Invoke-Expression $code | Out-String
                $out | Should -Match 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'
            }
        } finally { Pop-Location }
        # The examples that load Postgres run in Import-PgTable.Tests.ps1.
        @($examples | Where-Object { $_ -match '\$pg' }) | Should -Not -BeNullOrEmpty
    }
}

#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# The runbook usage: create the D1 schema, load the List Cutter tables, then prove the copy with
# Test-MigrationIntegrity and assert on its results. Real PostgreSQL, real SQLite files.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-MigrationTestModule
    $server = Start-TestPostgres
    $pg = $server.ConnectionString
    Initialize-ListCutterDatabase -ConnectionString $pg
    $tables = 'auth_user', 'list_cutter_savedfile', 'contacts_person'
    # The mapping the migration uses; the verification is given the same one.
    $mapping = @{
        TableMap  = @{ auth_user = 'users'; list_cutter_savedfile = 'saved_files'; contacts_person = 'persons' }
        NonFinite = 'Text'
    }

    # The D1 schema as a migration file would create it: tables, unique keys, foreign keys.
    # Index names need not match the source's: indexes are matched by columns and uniqueness.
    $schemaSql = @'
CREATE TABLE users (id INTEGER PRIMARY KEY, password TEXT NOT NULL, last_login TEXT, is_superuser INTEGER NOT NULL,
    username TEXT NOT NULL, first_name TEXT NOT NULL, last_name TEXT NOT NULL, email TEXT NOT NULL,
    is_staff INTEGER NOT NULL, is_active INTEGER NOT NULL, date_joined TEXT NOT NULL);
CREATE UNIQUE INDEX users_username ON users (username);
CREATE TABLE saved_files (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id),
    file_id TEXT NOT NULL UNIQUE, file_name TEXT NOT NULL, file_path TEXT NOT NULL, uploaded_at TEXT NOT NULL,
    system_tags TEXT NOT NULL, user_tags TEXT NOT NULL, metadata TEXT);
CREATE TABLE persons (cuttyid INTEGER PRIMARY KEY, created_by_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    first_name TEXT, last_name TEXT, email TEXT, phone TEXT, city TEXT, dob TEXT, deceased INTEGER NOT NULL,
    active INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, model_scores TEXT,
    system_tags TEXT, user_tags TEXT, notes TEXT, score REAL, ratio REAL);
'@

    function New-MigratedDatabase {
        param([Parameter(Mandatory)][string] $Name)
        $db = Join-Path $TestDrive $Name
        Invoke-TestSqliteWrite -Path $db -Sql $schemaSql
        Export-PgTable -ConnectionString $pg -Table $tables | ConvertTo-D1Row @mapping | Import-D1Batch -Path $db | Out-Null
        $db
    }
}

AfterAll {
    Stop-TestPostgres -Server $server
}

Describe 'Test-MigrationIntegrity' {
    Context 'an intact migration' {
        BeforeAll {
            $db = New-MigratedDatabase -Name 'intact.d1.sqlite'
            $r = @(Test-MigrationIntegrity -ConnectionString $pg -Path $db @mapping)
        }

        It 'passes every check of every table (the runbook assertion)' {
            ($r | Where-Object Passed -eq $false) | Should -BeNullOrEmpty
        }

        It 'hashes with System.IO.Hashing, loaded from the module folder beside the engine' {
            # The checksum's XXH3-128 comes from the package (8.0.0): pwsh ships none, so the
            # module's own copy must load, into the same context as the engine.
            $hashing = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'System.IO.Hashing' })
            $hashing.Count | Should -Be 1
            Split-Path $hashing[0].Location | Should -Be (Split-Path ([Migration.Engine.Integrity.IntegrityResult].Assembly.Location))
        }

        It 'emits one IntegrityResult per table and check' {
            $r.Count | Should -Be (3 * 8)
            $r | ForEach-Object { $_ | Should -BeOfType [Migration.Engine.Integrity.IntegrityResult] }
            @($r.Table | Sort-Object -Unique) | Should -Be @('persons', 'saved_files', 'users')
            @($r | Where-Object Table -eq 'users' | ForEach-Object { "$($_.Check)" }) |
                Should -Be @('Schema', 'RowCount', 'Checksum', 'Sample', 'ForeignKeys', 'Json', 'Domain', 'Unique')
        }

        It 'reports the row counts as Expected and Actual' {
            $count = $r | Where-Object { $_.Table -eq 'users' -and "$($_.Check)" -eq 'RowCount' }
            $count.Expected | Should -Be '3'
            $count.Actual | Should -Be '3'
        }

        It 'answers $true with -Quiet' {
            $answer = @(Test-MigrationIntegrity -ConnectionString $pg -Path $db @mapping -Quiet)
            $answer.Count | Should -Be 1
            $answer[0] | Should -BeOfType [bool]
            $answer[0] | Should -BeTrue
        }

        It 'formats as a table with Table, Check, Passed, Expected, Actual, Details' {
            $text = $r | Select-Object -First 2 | Format-Table | Out-String
            $text | Should -Match 'Table\s+Check\s+Passed\s+Expected\s+Actual\s+Details'
        }

        It 'takes -LiteralPath, -Table and -Check' {
            $some = @(Test-MigrationIntegrity -ConnectionString $pg -LiteralPath $db -Table auth_user -TableMap $mapping.TableMap -Check RowCount, Checksum -NonFinite Text)
            @($some | ForEach-Object { "$($_.Table) $($_.Check)" }) | Should -Be @('users RowCount', 'users Checksum')
            $some | ForEach-Object { $_.Passed | Should -BeTrue }
        }
    }

    Context 'a tampered copy' {
        It 'a changed value is a failed result (not an error) naming key, column and both values' {
            $db = New-MigratedDatabase -Name 'changed.d1.sqlite'
            Invoke-TestSqliteWrite -Path $db -Sql "UPDATE users SET first_name = 'Robert' WHERE id = 2"
            $errs = $null
            $r = @(Test-MigrationIntegrity -ConnectionString $pg -Path $db @mapping -ErrorVariable errs)
            $errs.Count | Should -Be 0
            $failed = @($r | Where-Object { -not $_.Passed })
            @($failed | ForEach-Object { "$($_.Table) $($_.Check)" }) | Should -Be @('users Checksum', 'users Sample')
            $difference = $failed[0].Differences[0]
            $difference.Key | Should -Be 'id=2'
            $difference.Column | Should -Be 'first_name'
            $difference.SourceValue | Should -Be "'Bob'"
            $difference.TargetValue | Should -Be "'Robert'"
            Test-MigrationIntegrity -ConnectionString $pg -Path $db @mapping -Quiet | Should -BeFalse
        }

        It 'the default table view of a failed check shows the first differing key and column' {
            $db = New-MigratedDatabase -Name 'view.d1.sqlite'
            Invoke-TestSqliteWrite -Path $db -Sql "UPDATE users SET first_name = 'Robert' WHERE id = 2"
            $r = @(Test-MigrationIntegrity -ConnectionString $pg -Path $db @mapping -Table auth_user -Check Checksum)
            # What an admin sees in a 120-column console: the key, the column and both values.
            $line = ($r | Format-Table | Out-String -Width 120) -split "`n" | Where-Object { $_ -match '^users\s+Checksum' }
            $line | Should -Match "id=2 first_name: 'Bob' -> 'Robert'"
        }

        It 'ConvertTo-Json writes the check by name, without -EnumsAsStrings' {
            $json = Test-MigrationIntegrity -ConnectionString $pg -Path (New-MigratedDatabase -Name 'json.d1.sqlite') @mapping -Table auth_user -Check RowCount |
                ConvertTo-Json -Compress
            $json | Should -Match '"Check":"RowCount"'
            ($json | ConvertFrom-Json).Check | Should -Be 'RowCount'
        }

        It 'NULL turned into an empty string fails the checksum' {
            $db = New-MigratedDatabase -Name 'null.d1.sqlite'
            Invoke-TestSqliteWrite -Path $db -Sql "UPDATE users SET last_login = '' WHERE id = 1"
            $sum = Test-MigrationIntegrity -ConnectionString $pg -Path $db @mapping -Table auth_user -Check Checksum
            $sum.Passed | Should -BeFalse
            $sum.Differences[0].SourceValue | Should -Be 'NULL'
            $sum.Differences[0].TargetValue | Should -Be "''"
        }

        It 'an orphan, invalid JSON and a boolean 2 fail ForeignKeys, Json and Domain' {
            $db = New-MigratedDatabase -Name 'rules.d1.sqlite'
            Invoke-TestSqliteWrite -Path $db -Sql @'
UPDATE saved_files SET user_id = 99 WHERE id = 3;
UPDATE saved_files SET metadata = '{"rows": ' WHERE id = 1;
UPDATE persons SET deceased = 2 WHERE cuttyid = 2;
'@
            $r = @(Test-MigrationIntegrity -ConnectionString $pg -Path $db @mapping -Check ForeignKeys, Json, Domain)
            # Without -Table the tables are -TableMap's keys, in the hashtable's (unspecified) order: sorted.
            @($r | Where-Object { -not $_.Passed } | ForEach-Object { "$($_.Table) $($_.Check)" } | Sort-Object) |
                Should -Be @('persons Domain', 'saved_files ForeignKeys', 'saved_files Json')
        }

        It 'a dropped index fails Schema only' {
            $db = New-MigratedDatabase -Name 'index.d1.sqlite'
            Invoke-TestSqliteWrite -Path $db -Sql 'DROP INDEX users_username'
            $failed = @(Test-MigrationIntegrity -ConnectionString $pg -Path $db @mapping | Where-Object Passed -eq $false)
            @($failed | ForEach-Object { "$($_.Table) $($_.Check)" }) | Should -Be @('users Schema')
        }
    }

    Context 'checks that cannot run' {
        It 'a missing target table fails its Schema check and is a non-terminating error; the other tables are checked' {
            $db = New-MigratedDatabase -Name 'missing.d1.sqlite'
            Invoke-TestSqliteWrite -Path $db -Sql 'DROP TABLE persons'
            $errs = $null
            $r = @(Test-MigrationIntegrity -ConnectionString $pg -Path $db @mapping -ErrorVariable errs -ErrorAction SilentlyContinue)
            $errs.Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'CheckCouldNotRun,*'
            $errs[0].Exception.Message | Should -Match 'persons'
            $errs[0].TargetObject | Should -Be 'persons'
            $schema = $r | Where-Object { $_.Table -eq 'persons' }
            "$($schema.Check)" | Should -Be 'Schema'
            $schema.Passed | Should -BeFalse
            @($r | Where-Object Table -eq 'users').Count | Should -Be 8
            Test-MigrationIntegrity -ConnectionString $pg -Path $db @mapping -Quiet -ErrorAction SilentlyContinue | Should -BeFalse
        }

        It 'a missing database file is a terminating error' {
            { Test-MigrationIntegrity -ConnectionString $pg -Path (Join-Path $TestDrive 'nope.sqlite') @mapping } |
                Should -Throw -ErrorId 'InvalidArgument,*'
        }

        It 'without -Table or -TableMap, takes the tables and D1 names from the journal''s last completed run' {
            $db = New-MigratedDatabase -Name 'journal.d1.sqlite'
            $r = @(Test-MigrationIntegrity -ConnectionString $pg -Path $db -NonFinite Text -Check RowCount, Checksum)
            @($r | ForEach-Object { "$($_.Table) $($_.Check) $($_.Passed)" }) | Sort-Object |
                Should -Be @('persons Checksum True', 'persons RowCount True', 'saved_files Checksum True', 'saved_files RowCount True', 'users Checksum True', 'users RowCount True')
        }

        It 'needs -Table or -TableMap when the journal has no completed run' {
            $db = Join-Path $TestDrive 'notables.d1.sqlite'
            Invoke-TestSqliteWrite -Path $db -Sql $schemaSql
            { Test-MigrationIntegrity -ConnectionString $pg -Path $db } | Should -Throw -ErrorId 'InvalidArgument,*'
        }

        It 'a refused connection is a terminating error that never shows the password' {
            $db = New-MigratedDatabase -Name 'refused.d1.sqlite'
            $port = Get-FreeTcpPort
            $secret = 'Pw-' + [guid]::NewGuid().ToString('N')
            $bad = "Host=127.0.0.1;Port=$port;Username=nobody;Password=$secret;Database=none;Timeout=3"
            $caught = $null
            try { Test-MigrationIntegrity -ConnectionString $bad -Path $db @mapping } catch { $caught = $_ }
            $caught | Should -Not -BeNullOrEmpty
            # The same record as Export-PgTable's (Connection.Tests.ps1 covers every path).
            $caught.FullyQualifiedErrorId | Should -BeLike 'ConnectionFailed,*'
            $caught.CategoryInfo.Category | Should -Be 'ConnectionError'
            ($caught | Out-String) | Should -Not -Match $secret
            $caught.Exception.Message | Should -Match '127.0.0.1'
        }
    }
}

#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-MigrationTestModule
    $server = Start-TestPostgres
    $pg = $server.ConnectionString
    Initialize-ListCutterDatabase -ConnectionString $pg
    $tableMap = @{ auth_user = 'users'; list_cutter_savedfile = 'saved_files'; contacts_person = 'persons' }
    # The NaN in persons is written as TEXT here, so every source row can arrive.
    function Invoke-ListCutterMigration {
        param([string] $Path, [hashtable] $ImportParameters = @{})
        Export-PgTable -ConnectionString $pg -Table auth_user, list_cutter_savedfile, contacts_person |
            ConvertTo-D1Row -TableMap $tableMap -AllowUnmatchedName -NonFinite Text |
            Import-D1Batch -Path $Path @ImportParameters
    }
}

AfterAll {
    Stop-TestPostgres -Server $server
}

Describe 'Import-D1Batch' {
    Context 'the List Cutter pipeline into a new file' {
        BeforeAll {
            $db = Join-Path $TestDrive 'listcutter.d1.sqlite'
            $summaries = @(Invoke-ListCutterMigration -Path $db)
        }

        It 'emits one TableSummary per table with the rows written' {
            $summaries.Count | Should -Be 3
            $summaries | ForEach-Object { $_ | Should -BeOfType [Migration.Engine.Target.TableSummary] }
            @($summaries.Table | Sort-Object) | Should -Be @('persons', 'saved_files', 'users')
            foreach ($s in $summaries) {
                $s.RowsWritten | Should -Be 3 -Because "all rows of $($s.Table) are valid"
                $s.RowsFailed | Should -Be 0
                $s.Batches | Should -Be 1
            }
        }

        It 'writes every row' {
            Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM users' | Should -Be 3
            Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM saved_files' | Should -Be 3
            Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM persons' | Should -Be 3
        }

        It 'keeps NULL as NULL, not an empty string' {
            Get-TestSqliteScalar -Path $db -Sql "SELECT typeof(last_login) FROM users WHERE username = 'alice'" | Should -Be 'null'
            Get-TestSqliteScalar -Path $db -Sql "SELECT typeof(last_name) FROM users WHERE username = 'bob'" | Should -Be 'text'
            Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM persons WHERE email IS NULL' | Should -Be 1
        }

        It 'stores booleans as INTEGER 0/1' {
            Get-TestSqliteScalar -Path $db -Sql "SELECT count(*) FROM users WHERE typeof(is_active) <> 'integer' OR is_active NOT IN (0, 1)" | Should -Be 0
            Get-TestSqliteScalar -Path $db -Sql 'SELECT sum(is_active) FROM users' | Should -Be 2
        }

        It 'stores JSON columns as valid JSON text' {
            Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM saved_files WHERE metadata IS NOT NULL AND json_valid(metadata) = 0' | Should -Be 0
            Get-TestSqliteScalar -Path $db -Sql "SELECT json_extract(metadata, '$.nested.k[1]') FROM saved_files WHERE file_id = 'f-001'" | Should -Be 2.5
            Get-TestSqliteScalar -Path $db -Sql "SELECT json_array_length(system_tags) FROM saved_files WHERE file_id = 'f-001'" | Should -Be 3
            Get-TestSqliteScalar -Path $db -Sql "SELECT system_tags ->> 1 FROM saved_files WHERE file_id = 'f-001'" | Should -Be 'has,comma'
        }

        It 'keeps text exactly' {
            Get-TestSqliteScalar -Path $db -Sql "SELECT last_name FROM users WHERE username = 'alice'" | Should -BeExactly 'Ångström'
            Get-TestSqliteScalar -Path $db -Sql "SELECT first_name FROM users WHERE username = 'carol'" | Should -BeExactly "Car`nol"
            Get-TestSqliteScalar -Path $db -Sql "SELECT date_joined FROM users WHERE username = 'alice'" | Should -Be '2024-01-31T23:59:59.123456Z'
        }
    }

    Context '-WhatIf' {
        It 'writes nothing, not even the file, and still reports per table' {
            $db = Join-Path $TestDrive 'whatif.sqlite'
            $summaries = @(Invoke-ListCutterMigration -Path $db -ImportParameters @{ WhatIf = $true })
            Test-Path -LiteralPath $db | Should -BeFalse
            $summaries.Count | Should -Be 3
            @($summaries | Where-Object RowsWritten -ne 3) | Should -HaveCount 0
        }

        It 'leaves an existing file unchanged' {
            $db = Join-Path $TestDrive 'whatif-existing.sqlite'
            Invoke-ListCutterMigration -Path $db | Out-Null
            $before = (Get-FileHash -LiteralPath $db).Hash
            Invoke-ListCutterMigration -Path $db -ImportParameters @{ WhatIf = $true; OnConflict = 'Replace' } | Out-Null
            (Get-FileHash -LiteralPath $db).Hash | Should -Be $before
        }
    }

    Context '-PassThru and -BatchSize' {
        It 'emits one BatchResult per batch before the summaries' {
            $db = Join-Path $TestDrive 'passthru.sqlite'
            $out = @(Export-PgTable -ConnectionString $pg -Table auth_user | ConvertTo-D1Row |
                Import-D1Batch -Path $db -BatchSize 2 -PassThru)
            $batches = @($out | Where-Object { $_ -is [Migration.Engine.Target.BatchResult] })
            $batches.Count | Should -Be 2
            @($batches.RowsWritten) | Should -Be @(2, 1)
            @($batches.BatchNumber) | Should -Be @(1, 2)
            $out[-1] | Should -BeOfType [Migration.Engine.Target.TableSummary]
            $out[-1].Batches | Should -Be 2
        }

        It 'validates -BatchSize' {
            { @() | Import-D1Batch -Path (Join-Path $TestDrive 'x.sqlite') -BatchSize 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        }
    }

    Context 'progress' {
        It 'Write-Progress tells the table, its rows, the rows in all and the rate' {
            $db = Join-Path $TestDrive 'progress.sqlite'
            $manifest = Join-Path (Get-MigrationRepoRoot) 'Migration.psd1'
            $ps = [powershell]::Create()
            try {
                [void] $ps.AddScript({
                    param($Manifest, $Path)
                    Import-Module $Manifest
                    1..300 | ForEach-Object { [pscustomobject]@{ id = $_; v = "x$_" } } | Import-D1Batch -Path $Path -TableName items
                }).AddArgument($manifest).AddArgument($db)
                $summary = $ps.Invoke()
                $ps.Streams.Error.Count | Should -Be 0
                $summary[0].RowsWritten | Should -Be 300
                $records = @($ps.Streams.Progress | Where-Object { $_.Activity -eq 'Import-D1Batch' -and $_.StatusDescription -match 'rows/s' })
                $records.Count | Should -BeGreaterThan 0
                $records[0].StatusDescription | Should -Match '^items: [\d,]+ rows sent; [\d,]+ in all, [\d,]+ rows/s, [\d,]+ s$'
            } finally {
                $ps.Dispose()
            }
        }
    }

    Context 'refused rows' {
        It 'a refused row is a non-terminating error naming table and key, and the other rows arrive' {
            $db = Join-Path $TestDrive 'conflict.sqlite'
            Export-PgTable -ConnectionString $pg -Table auth_user | ConvertTo-D1Row -TableMap $tableMap -AllowUnmatchedName |
                Select-Object -Last 1 | Import-D1Batch -Path $db | Out-Null

            # The first batch (id=1) is new to the table; id=3 arrives later and is there already.
            $errs = $null
            $summary = Export-PgTable -ConnectionString $pg -Table auth_user | ConvertTo-D1Row -TableMap $tableMap -AllowUnmatchedName |
                Import-D1Batch -Path $db -OnConflict Abort -BatchSize 1 -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs.Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'RowRejected,*'
            $errs[0].Exception.Message | Should -Match 'users'
            $errs[0].Exception.Message | Should -Match 'id=3'
            $errs[0].TargetObject.Table | Should -Be 'users'
            $summary.RowsWritten | Should -Be 2
            $summary.RowsFailed | Should -Be 1
            Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM users' | Should -Be 3
        }

        It 'a re-run without -OnConflict is one error up front naming the keys and the fix; nothing is written and the run says so' {
            $db = Join-Path $TestDrive 'rerun.sqlite'
            Invoke-ListCutterMigration -Path $db | Out-Null
            $before = Invoke-TestSqlite -Path $db -Sql 'SELECT * FROM users ORDER BY id' | ConvertTo-Json -Compress

            $errs = $null
            $summaries = @(Export-PgTable -ConnectionString $pg -Table auth_user | ConvertTo-D1Row -TableMap $tableMap -AllowUnmatchedName |
                Import-D1Batch -Path $db -ErrorVariable errs -ErrorAction SilentlyContinue)
            $errs.Count | Should -Be 1
            $errs[0].Exception.Message | Should -BeLike '*users already holds 3 of the 3 keys (id) of the first batch sent to it, e.g. id=1*use -OnConflict Ignore*'
            $summaries[0].Status | Should -Be 'Refused'
            $summaries[0].RowsNotWritten | Should -Be 3
            (Invoke-TestSqlite -Path $db -Sql 'SELECT * FROM users ORDER BY id' | ConvertTo-Json -Compress) | Should -Be $before
            $run = Get-MigrationRun -Path $db -Last
            $run.Status | Should -Be 'CompletedWithRefusedTables'
            $run.Message | Should -Be 'completed with refused tables: users (3 rows not written)'

            # Under -ErrorAction Stop: the same error ends the command, before anything of the table is written.
            { Export-PgTable -ConnectionString $pg -Table auth_user | ConvertTo-D1Row -TableMap $tableMap -AllowUnmatchedName |
                Import-D1Batch -Path $db -ErrorAction Stop } | Should -Throw '*already holds 3 of the 3 keys*'
            (Invoke-TestSqlite -Path $db -Sql 'SELECT * FROM users ORDER BY id' | ConvertTo-Json -Compress) | Should -Be $before
        }

        It 'a row over -MaxRowBytes is refused with its column named' {
            $db = Join-Path $TestDrive 'maxrow.sqlite'
            $errs = $null
            $big = [ordered]@{ id = 1; body = 'x' * 5000 }, [ordered]@{ id = 2; body = 'small' }
            $summary = $big | Import-D1Batch -Path $db -TableName notes -MaxRowBytes 1000 -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs.Count | Should -Be 1
            $errs[0].Exception.Message | Should -Match 'notes'
            $errs[0].Exception.Message | Should -Match 'body'
            $summary.RowsWritten | Should -Be 1
        }

        It '-ErrorAction Stop stops at the first refused row' {
            $db = Join-Path $TestDrive 'stop.sqlite'
            Export-PgTable -ConnectionString $pg -Table auth_user | ConvertTo-D1Row -TableMap $tableMap -AllowUnmatchedName |
                Select-Object -First 1 | Import-D1Batch -Path $db | Out-Null
            # Row id=1 is already there: with batches of one row, nothing after it is written.
            { Export-PgTable -ConnectionString $pg -Table auth_user | ConvertTo-D1Row -TableMap $tableMap -AllowUnmatchedName |
                Import-D1Batch -Path $db -BatchSize 1 -ErrorAction Stop } | Should -Throw -ErrorId 'RowRejected,*'
            Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM users' | Should -Be 1
        }
    }

    Context 'plain objects and re-runs' {
        BeforeAll {
            $kv = Join-Path $TestDrive 'kv.json'
            Set-Content -LiteralPath $kv -Encoding utf8 -Value @'
[
  { "isbn": "9780000000001", "title": "Dune", "pages": 412, "tags": ["sf", "classic"], "meta": { "lang": "en" } },
  { "isbn": "9780000000002", "title": "Emma", "pages": 300, "tags": [], "meta": null }
]
'@
        }

        It 'loads a KV JSON export with -TableName' {
            $db = Join-Path $TestDrive 'books.sqlite'
            $summary = Get-Content -LiteralPath $kv | ConvertFrom-Json | ConvertTo-D1Row -TableName books | Import-D1Batch -Path $db
            $summary.Table | Should -Be 'books'
            $summary.RowsWritten | Should -Be 2
            Get-TestSqliteScalar -Path $db -Sql "SELECT title FROM books WHERE isbn = '9780000000001'" | Should -Be 'Dune'
            Get-TestSqliteScalar -Path $db -Sql "SELECT json_valid(tags) FROM books WHERE isbn = '9780000000001'" | Should -Be 1
            Get-TestSqliteScalar -Path $db -Sql "SELECT typeof(meta) FROM books WHERE isbn = '9780000000002'" | Should -Be 'null'
        }

        It 'takes plain objects directly with -TableName' {
            $db = Join-Path $TestDrive 'direct.sqlite'
            $summary = Get-Content -LiteralPath $kv | ConvertFrom-Json | Import-D1Batch -Path $db -TableName books
            $summary.RowsWritten | Should -Be 2
        }

        It '-InputObject @(...) imports the elements, not the array object (as Export-Csv does)' {
            $db = Join-Path $TestDrive 'inputobject.sqlite'
            $books = @(Get-Content -LiteralPath $kv | ConvertFrom-Json)
            $summary = Import-D1Batch -Path $db -TableName books -InputObject $books
            $summary.RowsWritten | Should -Be 2
            $columns = @(Invoke-TestSqlite -Path $db -Sql "SELECT name FROM pragma_table_info('books')").name
            $columns | Should -Contain 'isbn'
            $columns | Should -Not -Contain 'Length'
            $columns | Should -Not -Contain 'SyncRoot'
        }

        It 'ConvertTo-D1Row -InputObject @(...) converts each element' {
            $books = @(Get-Content -LiteralPath $kv | ConvertFrom-Json)
            $rows = @(ConvertTo-D1Row -TableName books -InputObject $books)
            $rows.Count | Should -Be 2
            $rows[1].title | Should -Be 'Emma'
        }

        It 'needs -TableName for plain objects' {
            { [pscustomobject]@{ a = 1 } | Import-D1Batch -Path (Join-Path $TestDrive 'none.sqlite') } | Should -Throw -ErrorId 'TableNameRequired,*'
        }

        It 'is idempotent with -OnConflict Upsert' {
            $db = Join-Path $TestDrive 'upsert.sqlite'
            Invoke-ListCutterMigration -Path $db -ImportParameters @{ OnConflict = 'Upsert' } | Out-Null
            $first = Invoke-TestSqlite -Path $db -Sql 'SELECT * FROM users ORDER BY id' | ConvertTo-Json -Compress

            $errs = $null
            $summaries = @(Export-PgTable -ConnectionString $pg -Table auth_user, list_cutter_savedfile, contacts_person |
                ConvertTo-D1Row -TableMap $tableMap -AllowUnmatchedName -NonFinite Text |
                Import-D1Batch -Path $db -OnConflict Upsert -ErrorVariable errs)
            $errs.Count | Should -Be 0
            @($summaries.RowsFailed) | Should -Be @(0, 0, 0)
            (Invoke-TestSqlite -Path $db -Sql 'SELECT * FROM users ORDER BY id' | ConvertTo-Json -Compress) | Should -Be $first
            Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM users' | Should -Be 3
            Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM persons' | Should -Be 3
        }
    }

    Context 'paths' {
        It 'resolves a relative -Path against the current location' {
            Push-Location -LiteralPath $TestDrive
            try {
                [ordered]@{ id = 1 } | Import-D1Batch -Path 'relative.sqlite' -TableName t | Out-Null
            } finally {
                Pop-Location
            }
            Test-Path -LiteralPath (Join-Path $TestDrive 'relative.sqlite') | Should -BeTrue
        }

        It 'takes -LiteralPath for names with wildcard characters' {
            $db = Join-Path $TestDrive 'data[1].sqlite'
            [ordered]@{ id = 1 } | Import-D1Batch -LiteralPath $db -TableName t | Out-Null
            Test-Path -LiteralPath $db | Should -BeTrue
        }

        It 'refuses a -Path wildcard that matches no file' {
            { [ordered]@{ id = 1 } | Import-D1Batch -Path (Join-Path $TestDrive 'nothing*.sqlite') -TableName t } |
                Should -Throw -ErrorId 'InvalidPath,*'
        }

        It 'a parameter mistake changes nothing on disk: no file, no journal run, no backup' {
            $new = Join-Path $TestDrive 'mistake-new.sqlite'
            { [pscustomobject]@{ a = 1 } | Import-D1Batch -Path $new -Backup } | Should -Throw -ErrorId 'TableNameRequired,*'
            Test-Path -LiteralPath $new | Should -BeFalse

            $text = Join-Path $TestDrive 'notes.sqlite'
            Set-Content -LiteralPath $text -Value 'not a database, just text that is long enough to hold a header'
            $before = Get-FileHash -LiteralPath $text
            $err = { [pscustomobject]@{ a = 1 } | Import-D1Batch -Path $text -TableName t -Backup } | Should -Throw -ErrorId 'InvalidDatabaseFile,*' -PassThru
            $err.Exception.Message | Should -Match ([regex]::Escape($text))
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            (Get-FileHash -LiteralPath $text).Hash | Should -Be $before.Hash
            @(Get-ChildItem -LiteralPath $TestDrive -Filter 'notes.sqlite*').Count | Should -Be 1 -Because 'no backup and no journal file beside it'

            $missing = Join-Path $TestDrive 'no-such-folder/x.sqlite'
            $err = { [pscustomobject]@{ a = 1 } | Import-D1Batch -Path $missing -TableName t } | Should -Throw -ErrorId 'InvalidDatabaseFile,*' -PassThru
            $err.Exception.Message | Should -Match 'no-such-folder'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            Test-Path -LiteralPath (Join-Path $TestDrive 'no-such-folder') | Should -BeFalse
        }

        It 'refuses a path outside the FileSystem provider' {
            { [ordered]@{ id = 1 } | Import-D1Batch -Path 'Env:MIGRATION_NOT_A_FILE' -TableName t } | Should -Throw -ErrorId 'InvalidPath,*'
        }
    }
}

Describe 'Import-D1Batch: a table D1 cannot take is an error for that table, not for the run' {
    BeforeAll {
        $refusals = New-TestPgDatabase -Server $server -Sql (Get-RefusalFixtureSql)
    }

    It 'under Continue refuses each such table once, loads every other, the child follows -OrphanPolicy, and the run says so' {
        $file = Join-Path $TestDrive 'refused.sqlite'
        $summaries = @(Export-PgTable -ConnectionString $refusals -All | ConvertTo-D1Row |
            Import-D1Batch -Path $file -OrphanPolicy Null -ErrorAction Continue -ErrorVariable errs -WarningVariable warned 2>$null 3>$null)

        $refused = @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'TableRefused,*' })
        @($refused.Exception.Table | Sort-Object) | Should -Be @('archive.items', 'public._cf_meta', 'public.items', 'public.wide')
        @($errs).Count | Should -Be 4
        $wide = $refused | Where-Object { $_.Exception.Table -eq 'public.wide' }
        $wide.CategoryInfo.Category | Should -Be 'InvalidData'
        $wide.Exception.FixParameters | Should -Be @('Exclude')
        "$wide" | Should -BeLike '*public.wide*101 columns*fix with -Exclude*'

        # Every other table loaded, whatever its place in the load order.
        $tables = @(Invoke-TestSqlite -Path $file -Sql "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'd1_migration%' AND name NOT LIKE 'sqlite%' ORDER BY name").name
        $tables | Should -Be @('parents', 'users', 'wide_child')
        Get-TestSqliteScalar -Path $file -Sql 'SELECT count(*) FROM users' | Should -Be 2
        # The child's key to the refused table: -OrphanPolicy Null wrote it NULL, and said so.
        $child = @(Invoke-TestSqlite -Path $file -Sql 'SELECT id, wide_id, parent_id FROM wide_child ORDER BY id')
        $child.Count | Should -Be 3
        @($child.wide_id | Where-Object { $null -ne $_ }).Count | Should -Be 0
        $child.parent_id | Should -Be @(1, 2, $null)
        @($warned | Where-Object { "$_" -like '*wide_child*wide*is refused*-OrphanPolicy Null*' }).Count | Should -Be 1
        @($warned | Where-Object { "$_" -like '*wide_child*SetNull*' }).Count | Should -Be 2

        # The summary lists the refused tables with their rows as not written.
        $notWritten = @{}
        $summaries | Where-Object Status -eq 'Refused' | ForEach-Object { $notWritten[$_.Table] = $_.RowsNotWritten }
        $notWritten['public.wide'] | Should -Be 3
        $notWritten['public._cf_meta'] | Should -Be 1
        $notWritten['public.items'] | Should -Be 2
        $notWritten['archive.items (D1 table items)'] | Should -Be 1
        ($summaries | Where-Object Table -eq 'users').Status | Should -Be 'Loaded'

        $run = Get-MigrationRun -Path $file -Last
        $run.Status | Should -Be 'CompletedWithRefusedTables'
        $run.Message | Should -BeLike 'completed with refused tables:*public.wide (3 rows not written)*'
    }

    It 'under -OrphanPolicy Fail refuses each child row that names the refused table' {
        $file = Join-Path $TestDrive 'refused-fail.sqlite'
        Export-PgTable -ConnectionString $refusals -All | ConvertTo-D1Row |
            Import-D1Batch -Path $file -ErrorAction SilentlyContinue -ErrorVariable errs -WarningAction SilentlyContinue | Out-Null
        $rowErrors = @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'RowRejected,*' })
        $rowErrors.Count | Should -Be 2
        "$($rowErrors[0])" | Should -BeLike '*wide_child*table wide is refused*'
        @(Invoke-TestSqlite -Path $file -Sql 'SELECT id FROM wide_child').id | Should -Be @(2)
    }

    It 'refuses an existing D1 table that cannot take the rows (an upsert key it holds no constraint on) once, and loads the others' {
        $codes = New-TestPgDatabase -Server $server -Sql @'
CREATE TABLE codes (code text PRIMARY KEY, v text);
INSERT INTO codes VALUES ('a', 'new'), ('b', 'x');
CREATE TABLE notes (id int PRIMARY KEY, t text);
INSERT INTO notes VALUES (1, 'kept');
'@
        $file = Join-Path $TestDrive 'upsert-nokey.sqlite'
        # The D1 table was made by someone else: its key is a rowid; code has no UNIQUE constraint.
        Invoke-TestSqlite -Write -Path $file -Sql "CREATE TABLE codes (id INTEGER PRIMARY KEY, code TEXT NOT NULL, v TEXT); INSERT INTO codes (code, v) VALUES ('a', 'old');"
        $summaries = @(Export-PgTable -ConnectionString $codes -Table codes, notes | ConvertTo-D1Row |
            Import-D1Batch -Path $file -OnConflict Upsert -ErrorAction SilentlyContinue -ErrorVariable errs)

        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'TableRefused,*'
        $errs[0].Exception.FixParameters | Should -Be @('OnConflict')
        "$($errs[0])" | Should -BeLike '*public.codes*Upsert matches on the rows'' key (code)*no PRIMARY KEY or UNIQUE constraint on exactly those columns (its keys: (id))*'
        Get-TestSqliteScalar -Path $file -Sql "SELECT group_concat(code || '=' || v) FROM codes" | Should -Be 'a=old'
        Get-TestSqliteScalar -Path $file -Sql 'SELECT t FROM notes' | Should -Be 'kept'
        ($summaries | Where-Object Status -eq 'Refused').RowsNotWritten | Should -Be 2
        (Get-MigrationRun -Path $file -Last).Status | Should -Be 'CompletedWithRefusedTables'

        # -ErrorAction Stop stops at that table, before any of it is written.
        { Export-PgTable -ConnectionString $codes -Table codes | ConvertTo-D1Row | Import-D1Batch -Path $file -OnConflict Upsert -ErrorAction Stop } |
            Should -Throw '*no PRIMARY KEY or UNIQUE constraint on exactly those columns*'
        Get-TestSqliteScalar -Path $file -Sql "SELECT group_concat(code || '=' || v) FROM codes" | Should -Be 'a=old'

        # With a UNIQUE index on exactly code, the same pipeline updates the row in place and adds the other.
        Invoke-TestSqlite -Write -Path $file -Sql 'CREATE UNIQUE INDEX codes_code ON codes (code)'
        $null = Export-PgTable -ConnectionString $codes -Table codes | ConvertTo-D1Row | Import-D1Batch -Path $file -OnConflict Upsert -ErrorAction Stop
        Get-TestSqliteScalar -Path $file -Sql "SELECT group_concat(id || ':' || code || '=' || v, ' ') FROM (SELECT * FROM codes ORDER BY id)" | Should -Be '1:a=new 2:b=x'
    }

    It 'under -ErrorAction Stop writes nothing and lists every problem in one error' {
        $file = Join-Path $TestDrive 'refused-stop.sqlite'
        $err = $null
        try { Export-PgTable -ConnectionString $refusals -All | ConvertTo-D1Row | Import-D1Batch -Path $file -ErrorAction Stop -WarningAction SilentlyContinue } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'TablesRefused,*'
        foreach ($t in 'public.wide', 'public._cf_meta', 'public.items', 'archive.items') { $err.Exception.Message | Should -BeLike "*Table $t*" }
        if (Test-Path -LiteralPath $file) {
            @(Invoke-TestSqlite -Path $file -Sql "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'd1_migration%'").Count | Should -Be 0
        }
    }
}

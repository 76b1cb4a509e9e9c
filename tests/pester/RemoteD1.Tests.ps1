#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Import-D1Batch into a remote D1 over Cloudflare's HTTP API, against the API test server
# (tests/d1-api-server: Cloudflare's routes over a real local D1 under wrangler dev).
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-MigrationTestModule
    $pgServer = Start-TestPostgres
    $pg = $pgServer.ConnectionString
    Initialize-ListCutterDatabase -ConnectionString $pg

    # kill1..kill6: the kill -9 trials run six at a time, each on a database of its own.
    $killDatabases = 1..6 | ForEach-Object { "kill$_" }
    $d1 = Start-TestD1ApiServer -Database (@('listcutter', 'other', 'wrangled', 'checked', 'timetravel', 'rowundo') + $killDatabases)
    $uuids = $d1.Uuids

    function Invoke-RemoteSql([string] $Database, [string] $Sql) { Invoke-TestD1ApiSql -Server $d1 -Database $Database -Sql $Sql }

    # One text per table: its row count and every value with its storage class, exactly
    # (integers as decimal text, reals as %!.17g, blobs as hex), in rowid order.
    function Get-FingerprintSql {
        param([string[]] $Columns, [string] $Table, [string] $OrderBy = 'rowid')
        $values = ($Columns | ForEach-Object {
                $c = '"' + $_.Replace('"', '""') + '"'
                "typeof($c) || ':' || coalesce(CASE typeof($c) WHEN 'blob' THEN hex($c) WHEN 'real' THEN printf('%!.17g', $c) ELSE $c END, '')"
            }) -join " || '|' || "
        "SELECT count(*) || '#' || coalesce(group_concat(v, char(10)), '') AS f FROM (SELECT $values AS v FROM `"$Table`" ORDER BY $OrderBy)"
    }

    $tableMap = @{ auth_user = 'users' }
}

AfterAll {
    Stop-TestD1ApiServer -Server $d1
    Stop-TestPostgres -Server $pgServer
}

Describe 'Import-D1Batch -Database (a remote D1 over the HTTP API)' {
    Context 'the interface as written, with the environment variables wrangler reads' {
        BeforeAll {
            $errors = $null
            $summaries = @(Export-PgTable -ConnectionString $pg -All |
                    ConvertTo-D1Row -TableMap @{ auth_user = 'users' } -ErrorVariable errors -ErrorAction SilentlyContinue |
                    Import-D1Batch -Database listcutter)
            $local = Join-Path $TestDrive 'local.sqlite'
            $null = Export-PgTable -ConnectionString $pg -All | ConvertTo-D1Row -TableMap @{ auth_user = 'users' } -ErrorAction SilentlyContinue |
                Import-D1Batch -Path $local -ErrorAction SilentlyContinue
        }

        It 'loads every table and reports one summary per table naming the remote database' {
            @($summaries.Table | Sort-Object) | Should -Be @('contacts_person', 'list_cutter_savedfile', 'users')
            ($summaries | Measure-Object RowsWritten -Sum).Sum | Should -Be 8
            $summaries[0].Path | Should -Be "d1://listcutter/$($uuids.listcutter)"
            $summaries[0].RunId | Should -Be 1
        }

        It 'refuses the NaN row loudly, naming table, key and column, and loads the others' {
            $errors.Count | Should -Be 1
            "$($errors[0])" | Should -BeLike '*contacts_person*'
            "$($errors[0])" | Should -BeLike '*ratio*'
        }

        It 'holds exactly what the same pipeline writes into a local file, value by value with storage classes' {
            foreach ($table in 'users', 'list_cutter_savedfile', 'contacts_person') {
                $columns = @(Invoke-TestSqlite -Path $local -Sql "SELECT name FROM pragma_table_info('$table')" | ForEach-Object name)
                $sql = Get-FingerprintSql -Columns $columns -Table $table
                $remote = (Invoke-RemoteSql -Database listcutter -Sql $sql)[0][0]
                $remote | Should -Be (Get-TestSqliteScalar -Path $local -Sql $sql) -Because "table $table"
            }
        }

        It 'keeps the journal in the remote database: the run completed' {
            $rows = Invoke-RemoteSql -Database listcutter -Sql "SELECT run_id, status FROM d1_migration_runs"
            $rows.Count | Should -Be 1
            $rows[0][1] | Should -Be 'Completed'
        }
    }

    Context 'naming the database and the account' {
        It 'takes a UUID as well as a name, and -PassThru gives the batches' {
            $batches = @(Export-PgTable -ConnectionString $pg -Table auth_user | ConvertTo-D1Row -TableMap $tableMap |
                    Import-D1Batch -Database $uuids.other -PassThru | Where-Object { $_ -is [Migration.Engine.Target.BatchResult] })
            $batches.Count | Should -Be 1
            $batches[0].RowsWritten | Should -Be 3
            (Invoke-RemoteSql -Database other -Sql 'SELECT count(*) FROM users')[0][0] | Should -Be 3
        }

        It 'reads the database from a wrangler config binding (-WranglerConfig -Binding)' {
            $toml = Join-Path $TestDrive 'wrangler.toml'
            Set-Content -LiteralPath $toml -Value @"
name = "app"
[[d1_databases]]
binding = "DB"
database_name = "wrangled"
database_id = "$($uuids.wrangled)"
"@
            $null = Export-PgTable -ConnectionString $pg -Table auth_user | ConvertTo-D1Row -TableMap $tableMap |
                Import-D1Batch -WranglerConfig $toml -Binding DB
            (Invoke-RemoteSql -Database wrangled -Sql 'SELECT count(*) FROM users')[0][0] | Should -Be 3
        }

        It 'refuses -Path together with -Database before anything is read' {
            { @() | Import-D1Batch -Path (Join-Path $TestDrive 'x.sqlite') -Database listcutter } |
                Should -Throw -ErrorId 'AmbiguousParameterSet,Migration.PowerShell.Commands.ImportD1BatchCommand'
            Test-Path (Join-Path $TestDrive 'x.sqlite') | Should -BeFalse
        }

        It 'refuses a database named twice or not at all, before anything is read' {
            { @() | Import-D1Batch -Binding DB -AccountId x } | Should -Throw -ErrorId 'RemoteD1Parameters,Migration.PowerShell.Commands.ImportD1BatchCommand'
            { @() | Import-D1Batch -AccountId x } | Should -Throw -ErrorId 'RemoteD1Parameters,Migration.PowerShell.Commands.ImportD1BatchCommand'
            { @() | Import-D1Batch -Database listcutter -Backup } | Should -Throw -ErrorId 'BackupNotRemote,Migration.PowerShell.Commands.ImportD1BatchCommand'
        }

        It 'names an unknown database as not found' {
            { Export-PgTable -ConnectionString $pg -Table auth_user | ConvertTo-D1Row | Import-D1Batch -Database nosuchdb -ErrorAction Stop } |
                Should -Throw -ErrorId 'RemoteD1Unavailable,Migration.PowerShell.Commands.ImportD1BatchCommand'
        }
    }

    Context 'the API token is never shown' {
        It 'takes -ApiToken as a SecureString and no stream, error or $Error holds the token' {
            $token = $d1.token
            $env:CLOUDFLARE_API_TOKEN = $null
            try {
                $Error.Clear()
                $secure = ConvertTo-SecureString $token -AsPlainText -Force
                $wrong = ConvertTo-SecureString ($token + 'x') -AsPlainText -Force
                $out = & {
                    Export-PgTable -ConnectionString $pg -Table auth_user | ConvertTo-D1Row -TableMap $tableMap |
                        Import-D1Batch -Database other -ApiToken $secure -OnConflict Ignore -Verbose -PassThru
                    try {
                        Export-PgTable -ConnectionString $pg -Table auth_user | ConvertTo-D1Row -TableMap $tableMap |
                            Import-D1Batch -Database other -ApiToken $wrong -Verbose
                    } catch { $_ }
                    try {
                        Export-PgTable -ConnectionString $pg -Table auth_user | ConvertTo-D1Row -TableMap $tableMap |
                            Import-D1Batch -Database other -Verbose
                    } catch { $_ }
                } *>&1 | Out-String -Width 4096
                $out | Should -Not -BeNullOrEmpty
                $out | Should -Not -Match ([regex]::Escape($token))
                $Error.Count | Should -BeGreaterThan 1 -Because 'the wrong token and the missing token are errors'
                $errorText = ($Error | ForEach-Object { "$_ $($_.Exception) $($_.Exception.InnerException) $($_.TargetObject) $($_.ErrorDetails)" }) -join "`n"
                $errorText | Should -Not -Match ([regex]::Escape($token))
                $errorText | Should -Match 'CLOUDFLARE_API_TOKEN' -Because 'a missing token names what to set'
                @($Error | Where-Object { $_.CategoryInfo.Category -eq 'AuthenticationError' }).Count | Should -Be 1
            } finally {
                $env:CLOUDFLARE_API_TOKEN = $token
            }
        }
    }
}

Describe 'Get-MigrationRun -Database and Undo-Migration of a remote run' {
    It 'reads the runs from the remote journal and undoes the last one through the pipeline' {
        $run = Get-MigrationRun -Database listcutter -Last
        $run.Status | Should -Be 'Completed'
        $run.Path | Should -Be "d1://listcutter/$($uuids.listcutter)"
        $run.RowsWritten | Should -Be 8
        @($run.TableProgress).Count | Should -Be 3
        @(Get-MigrationRun -Database listcutter -Quarantine).Count | Should -Be 0

        Get-MigrationRun -Database listcutter -Last | Undo-Migration -WhatIf
        (Invoke-RemoteSql -Database listcutter -Sql "SELECT count(*) FROM sqlite_schema WHERE name = 'users'")[0][0] | Should -Be 1 -Because '-WhatIf changes nothing'

        $done = @(Get-MigrationRun -Database listcutter -Last | Undo-Migration -Confirm:$false)
        @($done.Table | Sort-Object) | Should -Be @('contacts_person', 'list_cutter_savedfile', 'users')
        (Invoke-RemoteSql -Database listcutter -Sql "SELECT count(*) FROM sqlite_schema WHERE name IN ('users', 'contacts_person', 'list_cutter_savedfile')")[0][0] | Should -Be 0
        (Get-MigrationRun -Database listcutter -RunId $run.RunId).Status | Should -Be 'Undone'
    }

    It 'undoes a run into a table that held rows row by row: every value back exactly, other rows untouched' {
        $null = Invoke-RemoteSql -Database rowundo -Sql "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, score REAL, raw BLOB)"
        $null = Invoke-RemoteSql -Database rowundo -Sql "INSERT INTO notes VALUES (1, 'keep', 0.1, x'00ff'), (2, 'old é😀', 1.5, NULL), (5, 'also old', NULL, x'')"
        $fingerprint = Get-FingerprintSql -Columns 'id', 'body', 'score', 'raw' -Table 'notes'
        $before = (Invoke-RemoteSql -Database rowundo -Sql $fingerprint)[0][0]
        $npg = New-TestPgDatabase -Server $pgServer -Sql @'
CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL, score double precision, raw bytea);
INSERT INTO notes VALUES (2, 'new', 2.5, '\x01'), (3, 'added', NULL, NULL), (5, 'also new', 0.3, NULL);
'@
        $null = Export-PgTable -ConnectionString $npg -Table notes | ConvertTo-D1Row | Import-D1Batch -Database rowundo -OnConflict Upsert
        (Invoke-RemoteSql -Database rowundo -Sql "SELECT body FROM notes WHERE id = 2")[0][0] | Should -Be 'new'

        Get-MigrationRun -Database rowundo -Last | Undo-Migration -WhatIf
        (Invoke-RemoteSql -Database rowundo -Sql "SELECT count(*) FROM notes")[0][0] | Should -Be 4 -Because '-WhatIf changes nothing'

        $run = Get-MigrationRun -Database rowundo -Last
        $done = @($run | Undo-Migration -Confirm:$false)
        $done.Table | Should -Be 'notes'
        $done.RowsToDelete | Should -Be 1
        $done.RowsToRestore | Should -Be 2
        (Invoke-RemoteSql -Database rowundo -Sql $fingerprint)[0][0] | Should -Be $before
        (Get-MigrationRun -Database rowundo -RunId $run.RunId).Status | Should -Be 'Undone'
    }

    It 'refuses to drop a table the run created that holds rows added since, unless -Force' {
        $npg = New-TestPgDatabase -Server $pgServer -Sql "CREATE TABLE since (id bigint PRIMARY KEY, v text); INSERT INTO since VALUES (1, 'a'), (2, 'b');"
        $null = Export-PgTable -ConnectionString $npg -Table since | ConvertTo-D1Row | Import-D1Batch -Database rowundo
        $run = Get-MigrationRun -Database rowundo -Last
        $null = Invoke-RemoteSql -Database rowundo -Sql "INSERT INTO since VALUES (3, 'someone else')"
        { $run | Undo-Migration -Confirm:$false -ErrorAction Stop } | Should -Throw '*since (created by run*holds 3 row(s) and the run wrote 2*'
        (Invoke-RemoteSql -Database rowundo -Sql 'SELECT count(*) FROM since')[0][0] | Should -Be 3 -Because 'a refused undo changes nothing'
        $null = $run | Undo-Migration -Force -Confirm:$false
        (Invoke-RemoteSql -Database rowundo -Sql "SELECT count(*) FROM sqlite_schema WHERE name = 'since'")[0][0] | Should -Be 0
    }

    It 'refuses to drop a table the run created whose rows were changed since, unless -Force' {
        $npg = New-TestPgDatabase -Server $pgServer -Sql "CREATE TABLE edited (id bigint PRIMARY KEY, v text, big bigint); INSERT INTO edited VALUES (1, 'a', 9007199254740993), (2, 'b', NULL);"
        $null = Export-PgTable -ConnectionString $npg -Table edited | ConvertTo-D1Row | Import-D1Batch -Database rowundo
        $run = Get-MigrationRun -Database rowundo -Last
        # The app went live on D1: as many rows as the run wrote, one value changed in place (by 1, beyond 2^53).
        $null = Invoke-RemoteSql -Database rowundo -Sql "UPDATE edited SET big = 9007199254740994 WHERE id = 1"
        $fingerprint = Get-FingerprintSql -Columns 'id', 'v', 'big' -Table 'edited'
        $before = (Invoke-RemoteSql -Database rowundo -Sql $fingerprint)[0][0]

        $whatIfErrors = $null
        $run | Undo-Migration -WhatIf -ErrorVariable whatIfErrors -ErrorAction SilentlyContinue
        "$whatIfErrors" | Should -BeLike "*edited (created by run $($run.RunId)) holds 2 row(s) and the run wrote 2: rows were changed since the run*force it to drop the table anyway*"
        { $run | Undo-Migration -Confirm:$false -ErrorAction Stop } | Should -Throw '*edited (created by run*rows were changed since the run*drop the table anyway*'
        $Error[0].FullyQualifiedErrorId | Should -BeLike 'TableChangedSinceRun*'
        "$($Error[0])" | Should -Not -Match ([regex]::Escape($d1.token))
        (Invoke-RemoteSql -Database rowundo -Sql $fingerprint)[0][0] | Should -Be $before -Because 'a refused undo changes nothing'
        (Get-MigrationRun -Database rowundo -RunId $run.RunId).Status | Should -Be 'Completed'

        $null = $run | Undo-Migration -Force -Confirm:$false
        (Invoke-RemoteSql -Database rowundo -Sql "SELECT count(*) FROM sqlite_schema WHERE name = 'edited'")[0][0] | Should -Be 0
        (Get-MigrationRun -Database rowundo -RunId $run.RunId).Status | Should -Be 'Undone'
    }

    It 'undoes without -Force a run whose -OrphanPolicy Skip fix-up deleted an orphan from a table it found empty' {
        # A self-reference filled in after the load (insert-then-update), over an orphan (NOT VALID).
        $npg = New-TestPgDatabase -Server $pgServer -Sql @'
CREATE TABLE nodes (id int PRIMARY KEY, up int, label text);
INSERT INTO nodes VALUES (1, NULL, 'root'), (2, 1, 'child'), (3, 55, 'orphan');
ALTER TABLE nodes ADD CONSTRAINT nodes_up_fk FOREIGN KEY (up) REFERENCES nodes (id) NOT VALID;
'@
        $null = Invoke-RemoteSql -Database rowundo -Sql 'CREATE TABLE nodes (id INTEGER PRIMARY KEY, up INTEGER REFERENCES nodes (id), label TEXT)'
        $null = Export-PgTable -ConnectionString $npg -Table nodes | ConvertTo-D1Row | Import-D1Batch -Database rowundo -OrphanPolicy Skip -WarningAction SilentlyContinue
        (Invoke-RemoteSql -Database rowundo -Sql 'SELECT group_concat(id) FROM (SELECT id FROM nodes ORDER BY id)')[0][0] | Should -Be '1,2'
        $run = Get-MigrationRun -Database rowundo -Last
        $run.RowsSkipped | Should -Be 1

        $actions = @($run | Undo-Migration -Confirm:$false -ErrorAction Stop)
        ($actions | Where-Object Table -eq 'nodes').EmptiesTable | Should -BeTrue
        (Invoke-RemoteSql -Database rowundo -Sql 'SELECT count(*) FROM nodes')[0][0] | Should -Be 0
        (Get-MigrationRun -Database rowundo -RunId $run.RunId).Status | Should -Be 'Undone'
    }
}

Describe 'Import-D1Batch -Database: kill -9 and resume, exactly once' {
    BeforeAll {
        $kpg = New-TestPgDatabase -Server $pgServer -Sql @'
CREATE TABLE kt (id bigint PRIMARY KEY, v text NOT NULL, big bigint NOT NULL);
INSERT INTO kt SELECT i, 'row ' || i || ' é😀', 9007199254740993 + i FROM generate_series(1, 1500) i;
'@
        $manifest = Join-Path (Get-MigrationRepoRoot) 'Migration.psd1'
        $clean = Join-Path $TestDrive 'clean.sqlite'
        $null = Export-PgTable -ConnectionString $kpg -Table kt | ConvertTo-D1Row | Import-D1Batch -Path $clean
        $fingerprint = Get-FingerprintSql -Columns 'id', 'v', 'big' -Table 'kt'
        $expected = Get-TestSqliteScalar -Path $clean -Sql $fingerprint

        # Issue 11 asks for 20+ trials: each kills a child pwsh after a different number of committed
        # batches (of 30; at most 70% in, so the child cannot finish between two looks at its progress), so the kill
        # lands early, late, and in every phase of a batch's request (sending, committing, answering).
        # A trial's time is mostly the client keeping to Cloudflare's rate (3.3 requests/s after a
        # burst of 20, per cmdlet call: the child's batches, then the resume's), so the trials run
        # six at a time, each on a database of its own (emptied before the trial), in runspaces of
        # this process: the resume is in-process, as before. The Its below assert each trial's outcome.
        $free = [Collections.Concurrent.ConcurrentQueue[string]]::new()
        foreach ($name in $killDatabases) { $free.Enqueue($name) }
        $remoteSql = ${function:Invoke-TestD1ApiSql}.ToString()
        $trials = @{}
        1..21 | ForEach-Object -ThrottleLimit $killDatabases.Count -Parallel {
            $After = $_
            ${function:Invoke-TestD1ApiSql} = $using:remoteSql
            $d1 = $using:d1
            $free = $using:free
            $Database = $null
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $result = [ordered]@{ After = $After; Seconds = $null; Database = $null; ExitedBeforeKill = $null; Before = $null; Journaled = $null; Fingerprint = $null; Runs = $null; Error = $null }
            try {
                if (-not $free.TryDequeue([ref] $Database)) { throw 'no free kill database (the throttle exceeds the pool)' }
                $result.Database = $Database
                Import-Module $using:manifest -ErrorAction Stop
                Invoke-RestMethod -Method Post -Uri "$($d1.admin_url)/d1/$Database/reset" | Out-Null
                # The child says on its stdout when each batch has committed (-PassThru's BatchResult, written
                # once the server answered), so the parent waits on a local file instead of polling the
                # server 20 times a second per trial; then a random 0-150 ms, so the kill still lands in
                # every phase of the next batch's request (sending, committing, answering).
                $script = "Import-Module '$using:manifest'; Export-PgTable -ConnectionString '$using:kpg' -Table kt | ConvertTo-D1Row | " +
                    "Import-D1Batch -Database $Database -BatchSize 50 -Method Query -PassThru | " +
                    "ForEach-Object { if (`$_ -is [Migration.Engine.Target.BatchResult]) { [Console]::Out.WriteLine('committed') } }"
                $progress = Join-Path ([IO.Path]::GetTempPath()) "kill-trial-$After-$([guid]::NewGuid().ToString('N')).out"
                $child = Start-Process -FilePath (Join-Path $PSHOME 'pwsh') -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $script -PassThru `
                    -RedirectStandardOutput $progress -RedirectStandardError "$progress.err"
                $deadline = [datetime]::UtcNow.AddSeconds(180)
                while ([datetime]::UtcNow -lt $deadline -and -not $child.HasExited) {
                    $committed = @(Get-Content -LiteralPath $progress -ErrorAction SilentlyContinue | Where-Object { $_ -eq 'committed' }).Count
                    if ($committed -ge $After) { Start-Sleep -Milliseconds (Get-Random -Minimum 0 -Maximum 150); break }
                    Start-Sleep -Milliseconds 20
                }
                $result.ExitedBeforeKill = $child.HasExited
                $child.Kill()   # SIGKILL: no cleanup runs in the child
                $child.WaitForExit()
                $killedAt = $clock.Elapsed.TotalSeconds
                Remove-Item -LiteralPath $progress, "$progress.err" -ErrorAction SilentlyContinue
                $result.Before = (Invoke-TestD1ApiSql -Server $d1 -Database $Database -Sql 'SELECT count(*) FROM kt')[0][0]
                $result.Journaled = (Invoke-TestD1ApiSql -Server $d1 -Database $Database -Sql 'SELECT coalesce(sum(rows_written), 0) FROM d1_migration_batches')[0][0]

                $null = Export-PgTable -ConnectionString $using:kpg -Table kt | ConvertTo-D1Row | Import-D1Batch -Database $Database -BatchSize 50 -Method Query -Resume -ErrorAction Stop
                $result.Fingerprint = (Invoke-TestD1ApiSql -Server $d1 -Database $Database -Sql $using:fingerprint)[0][0]
                $result.Runs = Invoke-TestD1ApiSql -Server $d1 -Database $Database -Sql 'SELECT status, attempts, rows_written FROM d1_migration_runs'
                $result.Seconds = '{0:0.0}+{1:0.0}' -f $killedAt, ($clock.Elapsed.TotalSeconds - $killedAt)
            } catch {
                $result.Error = "$_"
            } finally {
                if ($Database) { $free.Enqueue($Database) }
            }
            [pscustomobject]$result
        } | ForEach-Object { $trials[$_.After] = $_ }
        Write-Host "kill trials (seconds to the kill + the resume): $(($trials.Values | Sort-Object After | ForEach-Object { "$($_.After):$($_.Seconds)" }) -join ' ')"
    }

    It 'trial <Trial>: killed after <After> batches, the resumed run equals a clean load' -ForEach (
        @(1..21) |
            ForEach-Object -Begin { $n = 0 } -Process { @{ Trial = ++$n; After = $_ } }
    ) {
        $t = $trials[$After]
        $t | Should -Not -BeNullOrEmpty
        $t.Error | Should -BeNullOrEmpty -Because "trial $Trial on $($t.Database) ran to its end"
        $t.ExitedBeforeKill | Should -BeFalse -Because 'the child is killed mid-run'
        $t.Before | Should -Be $t.Journaled -Because 'rows and journal commit together'
        $t.Before | Should -BeGreaterOrEqual ($After * 50) -Because 'the child had seen that many batches commit'
        $t.Before | Should -BeLessThan 1500
        $t.Before % 50 | Should -Be 0   # whole batches only

        $t.Fingerprint | Should -Be $expected
        $runs = $t.Runs
        $runs.Count | Should -Be 1
        $runs[0][0] | Should -Be 'Completed'
        $runs[0][1] | Should -Be 2
        $runs[0][2] | Should -Be 1500
    }
}

Describe 'Test-MigrationIntegrity -Database (the remote side read through /raw)' {
    BeforeAll {
        $ipg = New-TestPgDatabase -Server $pgServer -Sql @'
CREATE TABLE parent (id bigint PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE item (id bigint PRIMARY KEY, parent_id bigint NOT NULL REFERENCES parent (id), label text, big bigint, price double precision, meta jsonb);
INSERT INTO parent SELECT i, 'parent ' || i FROM generate_series(1, 5) i;
INSERT INTO item SELECT i, 1 + i % 5, 'item ' || i || ' é😀', 9007199254740993 + i, i / 7.0, jsonb_build_object('i', i) FROM generate_series(1, 2500) i;
'@
        # Small pages, so the read crosses many keyset pages.
        [Migration.Engine.Integrity.RemoteD1Mirror]::PageBytes = 20000
        $null = Export-PgTable -ConnectionString $ipg -All | ConvertTo-D1Row | Import-D1Batch -Database checked
    }
    AfterAll { [Migration.Engine.Integrity.RemoteD1Mirror]::PageBytes = 2000000 }

    It 'passes every check on a clean load, tables and names from the remote journal' {
        $results = @(Test-MigrationIntegrity -ConnectionString $ipg -Database checked -Verbose 4>&1)
        $verbose = @($results | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $results = @($results | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        @($results.Table | Sort-Object -Unique) | Should -Be @('item', 'parent')
        @($results | Where-Object Table -eq item).Check | Should -Be @('Schema', 'RowCount', 'Checksum', 'Sample', 'ForeignKeys', 'Json', 'Domain', 'Unique')
        @($results | Where-Object { -not $_.Passed }) | Should -BeNullOrEmpty
        "$verbose" | Should -Match 'Read 2500 row\(s\) of item from the remote D1'
        Test-MigrationIntegrity -ConnectionString $ipg -Database $uuids.checked -Quiet | Should -BeTrue
        Get-MigrationRun -Database checked -Last | Test-MigrationIntegrity -ConnectionString $ipg -Quiet | Should -BeTrue
    }

    It 'fails Checksum naming the key of a row changed remotely afterwards, and the token never shows' {
        $null = Invoke-RemoteSql -Database checked -Sql "UPDATE item SET label = 'changed' WHERE id = 1234"
        $token = $d1.token
        $env:CLOUDFLARE_API_TOKEN = $null
        try {
            $Error.Clear()
            $secure = ConvertTo-SecureString $token -AsPlainText -Force
            $out = @(Test-MigrationIntegrity -ConnectionString $ipg -Database checked -ApiToken $secure -Table item -Check Checksum -Verbose 4>&1)
            $result = $out | Where-Object { $_ -is [Migration.Engine.Integrity.IntegrityResult] }
            $result.Passed | Should -BeFalse
            @($result.Differences).Count | Should -Be 1
            $result.Differences[0].Key | Should -Match '1234'
            $result.Differences[0].Column | Should -Be 'label'
            $text = (& { $out; try { Test-MigrationIntegrity -ConnectionString $ipg -Database checked -ApiToken (ConvertTo-SecureString ($token + 'x') -AsPlainText -Force) -ErrorAction Stop } catch { $_ } } *>&1 | Out-String -Width 4096)
            $text | Should -Not -Match ([regex]::Escape($token))
            ($Error | ForEach-Object { "$_ $($_.Exception)" }) -join "`n" | Should -Not -Match ([regex]::Escape($token))
        } finally {
            $env:CLOUDFLARE_API_TOKEN = $token
        }
    }

    It 'refuses -Binding without -WranglerConfig before anything is read' {
        { Test-MigrationIntegrity -ConnectionString $ipg -Database checked -Binding DB -ErrorAction Stop } | Should -Throw '*give the config too*'
    }
}

Describe 'Undo-Migration -TimeTravel (D1 Time Travel, emulated by the test server)' {
    BeforeAll {
        $tpg = New-TestPgDatabase -Server $pgServer -Sql @'
CREATE TABLE kv (k bigint PRIMARY KEY, v text NOT NULL);
INSERT INTO kv SELECT i, 'new ' || i FROM generate_series(1, 40) i;
'@
        # The table held rows before the run, and a later run (and the app) wrote to it after: the
        # row-level undo of the first run refuses (it would mix two states); Time Travel takes the
        # whole database back to before the first run, the later writes included, and says so.
        $null = Invoke-RemoteSql -Database timetravel -Sql "CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL)"
        $null = Invoke-RemoteSql -Database timetravel -Sql "INSERT INTO kv VALUES (1, 'old 1'), (2, 'old 2'), (3, 'old 3')"
        $before = (Invoke-RemoteSql -Database timetravel -Sql (Get-FingerprintSql -Columns 'k', 'v' -Table kv -OrderBy k))[0][0]
        $null = Export-PgTable -ConnectionString $tpg -Table kv | ConvertTo-D1Row | Import-D1Batch -Database timetravel -OnConflict Replace
        $run = Get-MigrationRun -Database timetravel -Last
        $null = Export-PgTable -ConnectionString $tpg -Table kv | ConvertTo-D1Row | Import-D1Batch -Database timetravel -OnConflict Ignore
        $null = Invoke-RemoteSql -Database timetravel -Sql "INSERT INTO kv VALUES (100, 'by the app')"
    }

    It 'the run changed the table (40 rows, old values replaced; the app added one after)' {
        $run.Status | Should -Be 'Completed'
        (Invoke-RemoteSql -Database timetravel -Sql 'SELECT count(*), min(v) FROM kv')[0] | Should -Be @(41, 'by the app')
    }

    It 'the plain undo refuses (a later run wrote the table); -WhatIf names the bookmark and every other write, and changes nothing' {
        { Undo-Migration -Database timetravel -RunId $run.RunId -Confirm:$false -ErrorAction Stop } | Should -Throw '*also wrote to kv*'
        # -WhatIf writes to the host: a child pwsh's output shows it.
        $manifest = Join-Path (Get-MigrationRepoRoot) 'Migration.psd1'
        $shown = & pwsh -NoProfile -Command "Import-Module '$manifest'; Undo-Migration -Database timetravel -RunId $($run.RunId) -TimeTravel -WhatIf" 2>&1 | Out-String -Width 4096
        $shown | Should -Match 'Time Travel bookmark'
        $shown | Should -Match 'EVERY OTHER WRITE'
        (Invoke-RemoteSql -Database timetravel -Sql 'SELECT count(*) FROM kv')[0][0] | Should -Be 41
    }

    It 'restores the table to its content before the run, and the token never shows' {
        $token = $d1.token
        $env:CLOUDFLARE_API_TOKEN = $null
        try {
            $secure = ConvertTo-SecureString $token -AsPlainText -Force
            $out = @(Undo-Migration -Database timetravel -ApiToken $secure -RunId $run.RunId -TimeTravel -Confirm:$false -Verbose 4>&1)
        } finally {
            $env:CLOUDFLARE_API_TOKEN = $token
        }
        $actions = @($out | Where-Object { $_ -is [Migration.Engine.Journal.UndoAction] })
        $actions.Table | Should -Be @('kv')
        $actions[0].Done | Should -BeTrue
        "$($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })" | Should -Match 'undoes this restore'
        ($out | Out-String -Width 4096) | Should -Not -Match ([regex]::Escape($token))
        (Invoke-RemoteSql -Database timetravel -Sql (Get-FingerprintSql -Columns 'k', 'v' -Table kv -OrderBy k))[0][0] | Should -Be $before
        @(Get-MigrationRun -Database timetravel | Where-Object RunId -ge $run.RunId) | Should -BeNullOrEmpty -Because 'the journal went back too'
    }

    It 'refuses -TimeTravel for a D1 file before anything changes' {
        $file = Join-Path $TestDrive 'tt.sqlite'
        $null = Export-PgTable -ConnectionString $tpg -Table kv | ConvertTo-D1Row | Import-D1Batch -Path $file
        { Undo-Migration -Path $file -Last -TimeTravel -Confirm:$false -ErrorAction Stop } | Should -Throw '*remote D1*'
        Get-TestSqliteScalar -Path $file -Sql 'SELECT count(*) FROM kv' | Should -Be 40
    }
}

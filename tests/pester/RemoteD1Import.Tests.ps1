#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Import-D1Batch -Database -Method Auto|Import|Query: the bulk path through D1's import API, as a
# user types it, against the API test server (tests/d1-api-server: a real local D1 under wrangler dev).
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-MigrationTestModule
    $pgServer = Start-TestPostgres
    $pg = New-TestPgDatabase -Server $pgServer -Sql @'
CREATE TABLE items (id bigint PRIMARY KEY, big bigint NOT NULL, price double precision, label text, data bytea);
INSERT INTO items SELECT i, 9007199254740993 + i, i / 7.0 * 1e-300, 'item ' || i || E' é😀 \r\n''; --', decode(md5(i::text), 'hex') FROM generate_series(1, 400) i;
INSERT INTO items VALUES (401, 1, 0.5, repeat('long text 😀 ', 120000), NULL);
'@

    $d1 = Start-TestD1ApiServer -Database imp1, imp2, imp3, imp4, conflict_ignore, conflict_upsert, conflict_replace
    $uuids = $d1.Uuids

    function Invoke-RemoteSql([string] $Database, [string] $Sql) { Invoke-TestD1ApiSql -Server $d1 -Database $Database -Sql $Sql }

    # Every value with its storage class, exactly (reals as %!.17g, blobs as hex), in key order; the
    # 1.5 MB text in halves (D1 caps a value at 2,000,000 bytes, and its hex is twice as long).
    $fingerprint = "SELECT count(*) || '#' || group_concat(v, char(10)) FROM (SELECT id || '|' || typeof(big) || big || '|' || typeof(price) || printf('%!.17g', price) || '|' || CASE WHEN id = 401 THEN length(label) ELSE hex(label) END || '|' || coalesce(hex(data), 'null') AS v FROM items ORDER BY id)"
    $halves = "SELECT hex(substr(label, 1, 700000)), hex(substr(label, 700001)) FROM items WHERE id = 401"
    $local = Join-Path $TestDrive 'local.sqlite'
    $null = Export-PgTable -ConnectionString $pg -Table items | ConvertTo-D1Row | Import-D1Batch -Path $local
    $expected = Get-TestSqliteScalar -Path $local -Sql $fingerprint
    $expectedBig = @(Invoke-TestSqlite -Path $local -Sql $halves | ForEach-Object { $_.PSObject.Properties.Value })
    function Assert-SameAsLocal([string] $Database) {
        (Invoke-RemoteSql -Database $Database -Sql $fingerprint)[0][0] | Should -Be $expected
        $big = (Invoke-RemoteSql -Database $Database -Sql $halves)[0]
        $big[0] | Should -Be $expectedBig[0]
        $big[1] | Should -Be $expectedBig[1]
    }
}

AfterAll {
    Stop-TestD1ApiServer -Server $d1
    Stop-TestPostgres -Server $pgServer
}

Describe 'Import-D1Batch -Database -Method' {
    It '-Method Import loads through the import API: the same values as a local file, the plan and progress in -Verbose' {
        $verbose = Export-PgTable -ConnectionString $pg -Table items | ConvertTo-D1Row | Import-D1Batch -Database imp1 -Method Import -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        ($verbose -join "`n") | Should -BeLike "*items: through D1's import API (-Method Import: the run creates the table)*"
        ($verbose -join "`n") | Should -BeLike '*items: chunk 1 landed: 400 rows*requests*'
        ($verbose -join "`n") | Should -BeLike '*items: chunk 1: D1: Processed*'
        ($verbose -join "`n") | Should -BeLike '*Done: 401 rows in * requests (*rows/request, 1 import chunks), * MB sent, * rows/s*'
        Assert-SameAsLocal imp1
        # The 1.5 MB text (no statement can hold it as a literal) went through /query, as batch 2 of the same run.
        $batches = Invoke-RemoteSql -Database imp1 -Sql 'SELECT batch_number, first_key, rows_written FROM d1_migration_batches ORDER BY batch_number'
        $batches.Count | Should -Be 2
        $batches[1][1] | Should -Be 'id=401'
        (Invoke-RemoteSql -Database imp1 -Sql 'SELECT status, rows_written FROM d1_migration_runs')[0] | Should -Be @('Completed', 401)
    }

    It '-Method Import into a table that holds rows is refused up front naming the table and its rows: no row written, no run row' {
        $runs = (Invoke-RemoteSql -Database imp1 -Sql 'SELECT count(*) FROM d1_migration_runs')[0][0]
        { Export-PgTable -ConnectionString $pg -Table items | ConvertTo-D1Row | Import-D1Batch -Database imp1 -Method Import -ErrorAction Stop } |
            Should -Throw '*Table items in d1://imp1/* holds 401 rows: -Method Import writes only tables the run creates or finds empty*-Method Query or Auto; nothing was written and no run was started.'
        (Invoke-RemoteSql -Database imp1 -Sql 'SELECT count(*) FROM items')[0][0] | Should -Be 401
        # A parameter mistake changes nothing: the journal holds no Failed run for it.
        (Invoke-RemoteSql -Database imp1 -Sql 'SELECT count(*) FROM d1_migration_runs')[0][0] | Should -Be $runs
        (Invoke-RemoteSql -Database imp1 -Sql "SELECT count(*) FROM d1_migration_runs WHERE status <> 'Completed'")[0][0] | Should -Be 0
    }

    It '-Method Import with plain objects and -TableName into a table with rows is refused up front the same way' {
        $runs = (Invoke-RemoteSql -Database imp1 -Sql 'SELECT count(*) FROM d1_migration_runs')[0][0]
        { [pscustomobject]@{ id = 9999; big = 1 } | Import-D1Batch -Database imp1 -TableName items -Method Import -ErrorAction Stop } |
            Should -Throw '*Table items in d1://imp1/* holds 401 rows*'
        (Invoke-RemoteSql -Database imp1 -Sql 'SELECT count(*) FROM d1_migration_runs')[0][0] | Should -Be $runs
    }

    It '-Method Auto takes /query for a table with rows and says so; -OnConflict Ignore skips every row' {
        $verbose = Export-PgTable -ConnectionString $pg -Table items | ConvertTo-D1Row | Import-D1Batch -Database imp1 -OnConflict Ignore -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        ($verbose -join "`n") | Should -BeLike '*items: through /query (-OnConflict Ignore works against the rows already there)*'
        Assert-SameAsLocal imp1
    }

    It '-Method Import -OnConflict Upsert is refused before anything is read or written' {
        { Export-PgTable -ConnectionString $pg -Table items | ConvertTo-D1Row | Import-D1Batch -Database imp2 -Method Import -OnConflict Upsert } |
            Should -Throw '*-Method Import cannot go with -OnConflict Upsert*'
        (Invoke-RemoteSql -Database imp2 -Sql "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE '_cf%'")[0][0] | Should -Be 0
    }

    It '-WhatIf with -Method Import writes nothing' {
        Export-PgTable -ConnectionString $pg -Table items | ConvertTo-D1Row | Import-D1Batch -Database imp2 -Method Import -WhatIf
        (Invoke-RemoteSql -Database imp2 -Sql "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE '_cf%'")[0][0] | Should -Be 0
    }

    It '-Method Query writes a new table through /query, values identical' {
        $verbose = Export-PgTable -ConnectionString $pg -Table items | ConvertTo-D1Row | Import-D1Batch -Database imp3 -Method Query -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        ($verbose -join "`n") | Should -BeLike '*items: through /query (-Method Query)*'
        ($verbose -join "`n") | Should -Not -BeLike '*landed:*'
        Assert-SameAsLocal imp3
    }

    It 'draws Write-Progress for the remote side: rows, requests, bytes, rate and D1''s own import messages' {
        # Progress records are not a redirectable stream: a runspace of its own keeps them.
        $manifest = Join-Path (Get-MigrationRepoRoot) 'Migration.psd1'
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$manifest'; `$ProgressPreference = 'Continue'; Export-PgTable -ConnectionString '$pg' -Table items | ConvertTo-D1Row | Import-D1Batch -Database imp4 -Method Import")
            $null = $ps.Invoke()
            $ps.HadErrors | Should -BeFalse
            $records = @($ps.Streams.Progress)
        }
        finally { $ps.Dispose() }
        $remote = @($records | Where-Object ActivityId -eq 3)
        $remote.Count | Should -BeGreaterThan 2
        $remote[0].Activity | Should -BeLike 'Import-D1Batch: d1://imp4/*'
        $remote[0].ParentActivityId | Should -Be 2
        $remote[-1].RecordType | Should -Be 'Completed'
        $remote[-1].StatusDescription | Should -BeLike '401 rows written, * requests, * MB sent, * rows/s'
        @($remote | Where-Object CurrentOperation -like 'items: chunk 1: D1: *').Count | Should -BeGreaterThan 0
        # One record per event (the closing record repeats the last one's figures).
        $events = @($remote | Where-Object RecordType -eq 'Processing')
        @($events | Where-Object CurrentOperation -like 'items: chunk 1 landed (400 rows)').Count | Should -Be 1
        @($events | Where-Object CurrentOperation -like 'items: batch 2 committed (1 rows)').Count | Should -Be 1
        # The rows' own bar is there too, as before.
        @($records | Where-Object ActivityId -eq 2).Count | Should -BeGreaterThan 0
    }

    It 'rejects a -Method value that is not Auto, Import or Query' {
        { @() | Import-D1Batch -Database imp3 -Method Bulk } | Should -Throw '*Bulk*'
    }
}

Describe 'Import-D1Batch -Database -OnConflict into a table holding some of the keys: the journal counts what D1 did' {
    It '-OnConflict <Mode>: Get-MigrationRun, the journal''s batches, the summary, the table, Test-MigrationIntegrity and a local file agree' -TestCases @(
        @{ Mode = 'Ignore'; Written = 301; Skipped = 100 }
        @{ Mode = 'Upsert'; Written = 401; Skipped = 0 }
        @{ Mode = 'Replace'; Written = 401; Skipped = 0 }
    ) {
        param($Mode, $Written, $Skipped)
        $database = "conflict_$($Mode.ToLowerInvariant())"
        $file = Join-Path $TestDrive "conflict-$Mode.sqlite"
        # The even keys up to 200 are there before the run (a run of their own), remotely and in the local file.
        $seed = { Export-PgTable -ConnectionString $pg -Table items | ConvertTo-D1Row | Where-Object { $_.id % 2 -eq 0 -and $_.id -le 200 } }
        $null = & $seed | Import-D1Batch -Database $database
        $null = & $seed | Import-D1Batch -Path $file
        # 150 rows a batch: five columns make 20 rows an INSERT, so each request holds several.
        $summary = Export-PgTable -ConnectionString $pg -Table items | ConvertTo-D1Row | Import-D1Batch -Database $database -OnConflict $Mode -BatchSize 150
        $localSummary = Export-PgTable -ConnectionString $pg -Table items | ConvertTo-D1Row | Import-D1Batch -Path $file -OnConflict $Mode -BatchSize 150

        "$($summary.RowsWritten)/$($summary.RowsSkipped)/$($summary.RowsFailed)" | Should -Be "$Written/$Skipped/0"
        $run = Get-MigrationRun -Database $database -Last
        "$($run.RowsWritten)/$($run.RowsSkipped)" | Should -Be "$Written/$Skipped" -Because 'the run'
        $table = $run.TableProgress | Where-Object Table -eq items
        "$($table.RowsWritten)/$($table.RowsSkipped)" | Should -Be "$Written/$Skipped" -Because 'the run''s table'
        $batches = (Invoke-RemoteSql -Database $database -Sql "SELECT sum(rows_written) || '/' || sum(rows_skipped) || '/' || count(*) FROM d1_migration_batches WHERE run_id = $($run.RunId)")[0][0]
        $batches | Should -Be "$Written/$Skipped/$($table.Batches)" -Because 'the batches'' journal rows'
        # The table holds the 100 rows from before and every key of the source once: under Ignore, exactly those written are new.
        $rows = (Invoke-RemoteSql -Database $database -Sql 'SELECT count(*) FROM items')[0][0]
        $rows | Should -Be 401
        if ($Mode -eq 'Ignore') { $table.RowsWritten | Should -Be ($rows - 100) }
        Assert-SameAsLocal $database
        # As the local file's journal counts the same load.
        $localRun = Get-MigrationRun -Path $file -Last
        "$($localRun.RowsWritten)/$($localRun.RowsSkipped)" | Should -Be "$($run.RowsWritten)/$($run.RowsSkipped)" -Because 'the local journal'
        "$($localSummary.RowsWritten)/$($localSummary.RowsSkipped)" | Should -Be "$($summary.RowsWritten)/$($summary.RowsSkipped)" -Because 'the local summary'
        # Test-MigrationIntegrity checks the run's table: every source row is there.
        $check = Test-MigrationIntegrity -ConnectionString $pg -Database $database -Check RowCount
        "$($check.Table) $($check.Passed) $($check.Expected) $($check.Actual)" | Should -Be 'items True 401 401'
    }
}

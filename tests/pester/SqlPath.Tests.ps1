#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Import-D1Batch -SqlPath: .sql files for `wrangler d1 execute --file`, executed here by the real
# wrangler 4.86 against its local D1 (workerd), and compared value by value with the same
# pipeline loaded into a local file with -Path.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-MigrationTestModule
    $server = Start-TestPostgres
    $pg = $server.ConnectionString
    Initialize-ListCutterDatabase -ConnectionString $pg
    $tableMap = @{ auth_user = 'users'; list_cutter_savedfile = 'saved_files'; contacts_person = 'persons' }
    function Invoke-ListCutter {
        param([hashtable] $ImportParameters)
        Export-PgTable -ConnectionString $pg -Table auth_user, list_cutter_savedfile, contacts_person |
            ConvertTo-D1Row -TableMap $tableMap -AllowUnmatchedName -NonFinite Text |
            Import-D1Batch @ImportParameters
    }
    $wrangler = Join-Path (Get-MigrationRepoRoot) 'node_modules/.bin/wrangler'
    function New-LocalD1Project {
        $project = Join-Path $TestDrive ('d1-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $project | Out-Null
        Set-Content -LiteralPath (Join-Path $project 'wrangler.toml') -Value @"
name = "sqlpath-test"
compatibility_date = "2024-09-23"
[[d1_databases]]
binding = "DB"
database_name = "test"
database_id = "$([guid]::NewGuid())"
"@
        $project
    }
    function Invoke-WranglerFile {
        param([string] $Project, [string] $File)
        Push-Location $Project
        try {
            $env:CI = 'true'; $env:WRANGLER_SEND_METRICS = 'false'
            $out = & $wrangler d1 execute DB --local --file $File 2>&1
            if ($LASTEXITCODE -ne 0) { throw "wrangler d1 execute --file $File failed: $out" }
        } finally { Pop-Location }
    }
    function Get-LocalD1StateFile {
        param([string] $Project)
        Get-ChildItem (Join-Path $Project '.wrangler/state/v3/d1/miniflare-D1DatabaseObject') -Filter *.sqlite |
            Where-Object Name -ne 'metadata.sqlite' | Select-Object -First 1 -ExpandProperty FullName
    }
    function Get-TableText {
        # Every row with each value's storage class, as text to compare.
        param([string] $Path, [string] $Table)
        $columns = @(Invoke-TestSqlite -Path $Path -Sql "SELECT name FROM pragma_table_info('$Table') ORDER BY cid").name
        $select = ($columns | ForEach-Object { "typeof(""$_"") || ':' || quote(""$_"")" }) -join " || '|' || "
        @(Invoke-TestSqlite -Path $Path -Sql "SELECT $select AS r FROM ""$Table"" ORDER BY 1").r -join "`n"
    }
}

AfterAll {
    Stop-TestPostgres -Server $server
}

Describe 'Import-D1Batch -SqlPath' {
    Context 'the List Cutter pipeline into a folder, executed by wrangler' {
        BeforeAll {
            $dir = Join-Path $TestDrive 'out'
            $files = @(Invoke-ListCutter @{ SqlPath = $dir; PassThru = $true; Verbose = $true } 4>&1 | Tee-Object -Variable all | Where-Object { $_ -is [System.IO.FileInfo] })
            $verbose = @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
            $summaries = @($all | Where-Object { $_ -is [Migration.Engine.Target.TableSummary] })
            $project = New-LocalD1Project
            foreach ($f in $files) { Invoke-WranglerFile -Project $project -File $f.FullName }
            $state = Get-LocalD1StateFile -Project $project
            $reference = Join-Path $TestDrive 'reference.d1.sqlite'
            Invoke-ListCutter @{ Path = $reference; NoJournal = $true } | Out-Null
        }

        It '-PassThru emits the files written, and they hold no transaction statements' {
            $files.Count | Should -Be 1
            $files[0].Name | Should -Be '0001.sql'
            $text = Get-Content -Raw -LiteralPath $files[0].FullName
            $text | Should -Not -Match '(?m)^\s*(BEGIN|COMMIT)'
            $text | Should -Match 'CREATE TABLE IF NOT EXISTS "users"'
            $summaries.Count | Should -Be 3
        }

        It 'says in a verbose line that no journal is written' {
            ($verbose -join "`n") | Should -Match 'no journal'
        }

        It 'the database wrangler built from the files holds the same rows, values and storage classes as a -Path load' {
            foreach ($table in 'users', 'saved_files', 'persons') {
                $expected = Get-TableText -Path $reference -Table $table
                $expected | Should -Not -BeNullOrEmpty
                Get-TableText -Path $state -Table $table | Should -BeExactly $expected -Because "$table arrives exactly"
                Get-TestSqliteScalar -Path $state -Sql "SELECT count(*) FROM ""$table""" | Should -Be 3
            }
        }
    }

    It '-WhatIf writes nothing' {
        $dir = Join-Path $TestDrive 'whatif'
        Invoke-ListCutter @{ SqlPath = $dir; WhatIf = $true } | Out-Null
        Test-Path $dir | Should -BeFalse
    }

    It 'a file path ending .sql gets that one file' {
        $file = Join-Path $TestDrive 'one.sql'
        $out = @(Invoke-ListCutter @{ SqlPath = $file; PassThru = $true } | Where-Object { $_ -is [System.IO.FileInfo] })
        $out.FullName | Should -Be $file
        Test-Path $file | Should -BeTrue
    }

    It 'refuses a folder that holds .sql files already, and -Resume, before anything is written' {
        $dir = Join-Path $TestDrive 'used'
        New-Item -ItemType Directory -Path $dir | Out-Null
        Set-Content -LiteralPath (Join-Path $dir '0003.sql') -Value 'SELECT 1;'
        { Invoke-ListCutter @{ SqlPath = $dir } } | Should -Throw -ExpectedMessage '*0003.sql*'
        @(Get-ChildItem $dir).Count | Should -Be 1
        { Invoke-ListCutter @{ SqlPath = (Join-Path $TestDrive 'r'); Resume = $true } } | Should -Throw -ExpectedMessage '*journal*'
        Test-Path (Join-Path $TestDrive 'r') | Should -BeFalse
    }
}

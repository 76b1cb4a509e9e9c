#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-MigrationTestModule
    $server = Start-TestPostgres
    $pg = $server.ConnectionString
    Invoke-TestPgSql -ConnectionString $pg -Sql @'
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE auth_user (id serial PRIMARY KEY, email varchar(254) NOT NULL UNIQUE, mood mood NOT NULL DEFAULT 'happy',
                        joined timestamptz NOT NULL DEFAULT now(), note text CHECK (note ~ '^[a-z]'));
COMMENT ON COLUMN auth_user.email IS 'Login';
CREATE TABLE posts (id int PRIMARY KEY, author_id int REFERENCES auth_user (id) ON DELETE SET NULL, body text);
CREATE INDEX posts_body_md5 ON posts (md5(body));
CREATE INDEX posts_author_idx ON posts (author_id);
CREATE TABLE wide (id int PRIMARY KEY);
'@
}

AfterAll {
    Stop-TestPostgres -Server $server
}

Describe 'Export-D1Schema' {
    Context 'statements' {
        BeforeAll {
            $out = @(Export-D1Schema -ConnectionString $pg -All -ExcludeTable wide -TableMap @{ auth_user = 'users' } -ColumnMap @{ 'auth_user.email' = 'mail' } -WarningVariable warned -WarningAction SilentlyContinue)
            $statements = @($out | Where-Object { $_ -is [Migration.Engine.Target.D1SchemaStatement] })
            $warnings = @($out | Where-Object { $_ -is [Migration.Engine.Schema.SchemaWarning] })
        }

        It 'emits one object per statement with Table, Kind, Name and Sql, tables parents first, then indexes' {
            $statements.Kind | Should -Be @('Table', 'Table', 'Index')
            $statements[0].Name | Should -Be 'users'
            $statements[1].Name | Should -Be 'posts'
            $statements[2].Name | Should -Be 'posts_author_idx'
            "$($statements[2])" | Should -Be 'CREATE INDEX "posts_author_idx" ON "posts" ("author_id");'
        }

        It 'applies the renames to the table, its columns and every foreign key that names them' {
            $statements[0].Sql | Should -BeLike '*"mail" TEXT NOT NULL*'
            $statements[0].Sql | Should -BeLike '*UNIQUE ("mail")*'
            $statements[1].Sql | Should -BeLike '*FOREIGN KEY ("author_id") REFERENCES "users" ("id") ON DELETE SET NULL*'
        }

        It 'turns an enum into TEXT with a CHECK, and translates now() for the timestamp format' {
            $statements[0].Sql | Should -BeLike "*CHECK (`"mood`" IN ('happy', 'sad'))*"
            $statements[0].Sql | Should -BeLike "*`"joined`" TEXT NOT NULL DEFAULT (strftime(*"
        }

        It 'reports what SQLite cannot express as warning objects and on the warning stream' {
            ($warnings | Where-Object Name -eq 'posts_body_md5').ObjectKind | Should -Be 'Index'
            ($warnings | Where-Object Name -eq 'auth_user_note_check').Reason | Should -BeLike '*~*'
            @($warned | Where-Object { "$_" -like '*posts_body_md5*' }).Count | Should -Be 1
            ($statements.Sql -join "`n") | Should -Not -BeLike '*md5*'
        }

        It 'gives SQL that a real SQLite file accepts' {
            $file = Join-Path $TestDrive 'schema.sqlite'
            $connection = [Microsoft.Data.Sqlite.SqliteConnection]::new("Data Source=$file;Pooling=False")
            try {
                $connection.Open()
                foreach ($s in $statements) {
                    $command = $connection.CreateCommand()
                    $command.CommandText = $s.Sql
                    [void] $command.ExecuteNonQuery()
                }
            } finally { $connection.Dispose() }
            Get-TestSqliteScalar -Path $file -Sql "SELECT count(*) FROM sqlite_schema WHERE type = 'table'" | Should -Be 2
        }
    }

    Context '-MigrationsPath' {
        It 'writes the next numbered migration file and returns it' {
            $dir = Join-Path $TestDrive 'migrations'
            New-Item -ItemType Directory -Path $dir | Out-Null
            Set-Content -Path (Join-Path $dir '0003_earlier.sql') -Value 'SELECT 1;'
            $file = Export-D1Schema -ConnectionString $pg -All -MigrationsPath $dir -MigrationName 'from postgres' -WarningAction SilentlyContinue
            $file | Should -BeOfType [System.IO.FileInfo]
            $file.Name | Should -Be '0004_from_postgres.sql'
            Get-Content -Raw $file.FullName | Should -BeLike '*-- warning:*posts_body_md5*CREATE TABLE "auth_user"*'
        }

        It 'refuses -ExcludeTable with named tables before connecting or writing' {
            $dir = Join-Path $TestDrive 'named-exclude'
            { Export-D1Schema -ConnectionString 'Host=127.0.0.1;Port=1;Database=none' -Table posts -ExcludeTable wide -MigrationsPath $dir -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,*' -ExpectedMessage '-Schema and -ExcludeTable select among all tables*'
            Test-Path $dir | Should -BeFalse
        }

        It 'writes nothing under -WhatIf' {
            $dir = Join-Path $TestDrive 'whatif'
            Export-D1Schema -ConnectionString $pg -Table posts -MigrationsPath $dir -WhatIf -WarningAction SilentlyContinue
            Test-Path (Join-Path $dir '0001_from_postgres.sql') | Should -BeFalse
        }
    }

    Context 'tables D1 cannot take' {
        It 'fails before writing anything, naming the table and the reason' {
            Invoke-TestPgSql -ConnectionString $pg -Sql ('CREATE TABLE too_wide (' + ((1..101 | ForEach-Object { "c$_ int" }) -join ', ') + ')')
            $dir = Join-Path $TestDrive 'refused'
            { Export-D1Schema -ConnectionString $pg -Table too_wide -MigrationsPath $dir -ErrorAction Stop -WarningAction SilentlyContinue } |
                Should -Throw '*too_wide*101 columns*'
            Test-Path $dir | Should -BeFalse
        }
    }
}

Describe 'Export-D1Schema refuses the tables D1 cannot take, one by one' {
    BeforeAll {
        $refusals = New-TestPgDatabase -Server $server -Sql (Get-RefusalFixtureSql)
    }

    It 'writes one error per refused table (reason and fixing parameter) and the DDL of every other table' {
        $out = @(Export-D1Schema -ConnectionString $refusals -All -ErrorVariable errs -ErrorAction SilentlyContinue -WarningVariable warned -WarningAction SilentlyContinue)
        $tables = @($out | Where-Object { $_ -is [Migration.Engine.Target.D1SchemaStatement] -and $_.Kind -eq 'Table' })
        @($tables.Name | Sort-Object) | Should -Be @('parents', 'users', 'wide_child')
        @($errs.TargetObject | Sort-Object) | Should -Be @('archive.items', 'public._cf_meta', 'public.items', 'public.wide')
        $errs | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'TableRefused,*' }
        "$($errs | Where-Object TargetObject -eq 'public.wide')" | Should -BeLike '*101 columns*fix with -Exclude*'
        "$($errs | Where-Object TargetObject -eq 'archive.items')" | Should -BeLike '*archive.items and public.items would both be the D1 table items*-TableMap*'
        # The child of a refused table keeps its other key and is told why the refused one is gone.
        $child = $tables | Where-Object Name -eq 'wide_child'
        $child.Sql | Should -BeLike '*REFERENCES "parents"*'
        $child.Sql | Should -Not -BeLike '*REFERENCES "wide"*'
        @($warned | Where-Object { "$_" -like '*wide_child*parent table wide is refused*OrphanPolicy*' }).Count | Should -Be 1
    }

    It 'under -ErrorAction Stop emits nothing, writes no file and lists every problem in one error' {
        $folder = Join-Path $TestDrive 'refused-migrations'
        $out = [System.Collections.Generic.List[object]]::new()
        $err = $null
        try { Export-D1Schema -ConnectionString $refusals -All -MigrationsPath $folder -ErrorAction Stop | ForEach-Object { $out.Add($_) } } catch { $err = $_ }
        $out.Count | Should -Be 0
        Test-Path -LiteralPath $folder | Should -BeFalse
        $err.FullyQualifiedErrorId | Should -BeLike 'TablesRefused,*'
        foreach ($t in 'public.wide', 'public._cf_meta', 'public.items', 'archive.items') { $err.Exception.Message | Should -BeLike "*Table $t*" }
    }

    It 'with fixing parameters takes every table; the migration file names a table still refused' {
        $folder = Join-Path $TestDrive 'fixed-migrations'
        $file = Export-D1Schema -ConnectionString $refusals -All -TableMap @{ 'archive.items' = 'archived_items'; _cf_meta = 'cf_meta' } -MigrationsPath $folder -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        @($errs.TargetObject) | Should -Be @('public.wide')
        $text = Get-Content -LiteralPath $file.FullName -Raw
        $text | Should -BeLike '*-- warning: wide: Table public.wide: Table public.wide cannot go to D1 as mapped: 101 columns*'
        $text | Should -BeLike '*CREATE TABLE "archived_items"*'
        $text | Should -BeLike '*CREATE TABLE "cf_meta"*'
    }

    It 'stops on a mapping name that matches nothing, naming the closest real one, and writes nothing' {
        $folder = Join-Path $TestDrive 'typo-migrations'
        { Export-D1Schema -ConnectionString $refusals -Table users -Exclude pasword -MigrationsPath $folder } |
            Should -Throw -ErrorId 'UnmatchedName,*' -ExpectedMessage '*"pasword"*did you mean "password"*'
        Test-Path -LiteralPath $folder | Should -BeFalse
        @(Export-D1Schema -ConnectionString $refusals -Table users -Exclude pasword -AllowUnmatchedName).Count | Should -Be 1
    }
}

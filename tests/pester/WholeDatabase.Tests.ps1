#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# The whole-database pipeline of the brief:
#   Export-PgTable -All -ExcludeTable django_session | ConvertTo-D1Row -TableMap ... | Import-D1Batch
# against a real PostgreSQL and a real SQLite file.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-MigrationTestModule
    $server = Start-TestPostgres
    $pg = $server.ConnectionString
    Invoke-TestPgSql -ConnectionString $pg -Sql @'
CREATE SCHEMA sales;
CREATE TABLE auth_user (id serial PRIMARY KEY, username varchar(150) NOT NULL UNIQUE, email text NOT NULL, is_active boolean NOT NULL DEFAULT true);
CREATE TABLE posts (id bigserial PRIMARY KEY, author_id int NOT NULL REFERENCES auth_user (id) ON DELETE CASCADE,
                    title text NOT NULL CHECK (length(title) > 0), published boolean NOT NULL DEFAULT false);
CREATE INDEX posts_published_idx ON posts (author_id, id DESC) WHERE published;
CREATE INDEX posts_title_lower_idx ON posts (lower(title));
CREATE TABLE categories (id int PRIMARY KEY, parent_id int REFERENCES categories (id), name text NOT NULL);
CREATE TABLE teams (id int PRIMARY KEY, captain_id int, name text NOT NULL);
CREATE TABLE players (id int PRIMARY KEY, team_id int NOT NULL REFERENCES teams (id));
ALTER TABLE teams ADD CONSTRAINT teams_captain_fk FOREIGN KEY (captain_id) REFERENCES players (id);
CREATE TABLE notes (id int PRIMARY KEY, post_id bigint, body text);
CREATE TABLE sales.notes (id int PRIMARY KEY, body text);
CREATE TABLE django_session (session_key varchar(40) PRIMARY KEY, session_data text NOT NULL);
CREATE TABLE event_log (at timestamptz NOT NULL, what text);
INSERT INTO auth_user (username, email, is_active) VALUES ('alice', 'a@example.com', true), ('bob', 'b@example.com', false);
INSERT INTO posts (author_id, title, published) VALUES (1, 'Hello', true), (2, 'Draft', false);
INSERT INTO categories VALUES (3, NULL, 'root'), (1, 3, 'child'), (2, 4, 'forward'), (4, 3, 'late');
INSERT INTO teams VALUES (1, NULL, 'Reds');
INSERT INTO players VALUES (10, 1);
UPDATE teams SET captain_id = 10;
INSERT INTO notes VALUES (1, 1, 'ok'), (2, 999, 'orphan');
ALTER TABLE notes ADD CONSTRAINT notes_post_fk FOREIGN KEY (post_id) REFERENCES posts (id) NOT VALID;
INSERT INTO sales.notes VALUES (1, 'sales note');
INSERT INTO django_session VALUES ('abc', 'secret');
INSERT INTO event_log VALUES ('2024-01-01T00:00:00Z', 'start');
ANALYZE auth_user;
'@
    $tableMap = @{ auth_user = 'users'; 'sales.notes' = 'sales_notes' }
}

AfterAll {
    Stop-TestPostgres -Server $server
}

Describe 'Whole-database migration' {
    Context 'Export-PgTable -All | ConvertTo-D1Row | Import-D1Batch' {
        BeforeAll {
            $db = Join-Path $TestDrive 'app.d1.sqlite'
            $summaries = @(Export-PgTable -ConnectionString $pg -All -ExcludeTable django_session -WarningVariable exportWarnings -WarningAction SilentlyContinue |
                ConvertTo-D1Row -TableMap $tableMap |
                Import-D1Batch -Path $db -OrphanPolicy Skip -BatchSize 1 -Verbose -WarningVariable importWarnings -WarningAction SilentlyContinue 4>&1)
            $verbose = @($summaries | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
            $summaries = @($summaries | Where-Object { $_ -is [Migration.Engine.Target.TableSummary] })
        }

        It 'creates every table but the excluded one, empty or not' {
            # Data tables only: not SQLite's (sqlite_stat1) nor the run journal's (d1_migration_*).
            $tables = @(Invoke-TestSqlite -Path $db -Sql "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'd1_migration_%' ORDER BY name" | ForEach-Object name)
            $tables | Should -Be @('categories', 'event_log', 'notes', 'players', 'posts', 'sales_notes', 'teams', 'users')
            $summaries.Table | Should -Not -Contain 'django_session'
        }

        It 'loads every row (the orphan left out and counted)' {
            ($summaries | Where-Object Table -eq 'users').RowsWritten | Should -Be 2
            ($summaries | Where-Object Table -eq 'categories').RowsWritten | Should -Be 4
            ($summaries | Where-Object Table -eq 'notes').RowsWritten | Should -Be 1
            ($summaries | Where-Object Table -eq 'notes').RowsOrphaned | Should -Be 1
            ($summaries | Where-Object Table -eq 'notes').RowsSkipped | Should -Be 1
        }

        It 'reports the skipped orphan as a warning naming the key, the value and the parent table' {
            # The orphan's own warning; the schema warning that notes_post_fk is NOT VALID names it too.
            $orphan = @($importWarnings | Where-Object { "$_" -like '*foreign key notes_post_fk*no parent row*' })
            $orphan.Count | Should -Be 1
            "$($orphan[0])" | Should -BeLike '*row id=2*posts*999*Skipped*'
        }

        It 'keeps the foreign keys, renamed with their tables, and D1 finds nothing broken' {
            $fk = Invoke-TestSqlite -Path $db -Sql "SELECT `"table`" AS parent, on_delete FROM pragma_foreign_key_list('posts')"
            $fk.parent | Should -Be 'users'
            $fk.on_delete | Should -Be 'CASCADE'
            @(Invoke-TestSqlite -Path $db -Sql 'PRAGMA foreign_key_check').Count | Should -Be 0
            Get-TestSqliteScalar -Path $db -Sql 'PRAGMA integrity_check' | Should -Be 'ok'
        }

        It 'fills in the self-reference and the cycle after the load, and says so in -Verbose' {
            Get-TestSqliteScalar -Path $db -Sql 'SELECT parent_id FROM categories WHERE id = 2' | Should -Be 4
            Get-TestSqliteScalar -Path $db -Sql 'SELECT captain_id FROM teams WHERE id = 1' | Should -Be 10
            ($verbose -join "`n") | Should -BeLike '*teams_captain_fk*insert-then-update*'
        }

        It 'says in -Verbose each table''s plan, with the source''s row estimate that sizes the progress bar' {
            $verbose | Should -Contain 'users (from public.auth_user): 4 columns, key (id), ~2 rows (the source''s estimate); -OnConflict Abort, batches of 1.'
            # Never analyzed: no estimate is invented.
            $verbose | Should -Contain 'event_log (from public.event_log): 2 columns, no primary key, row count unknown; -OnConflict Abort, batches of 1.'
        }

        It 'builds the indexes after the data, including partial and expression ones, then runs ANALYZE' {
            $indexes = @(Invoke-TestSqlite -Path $db -Sql "SELECT name, partial FROM pragma_index_list('posts') ORDER BY name")
            $indexes.name | Should -Contain 'posts_published_idx'
            $indexes.name | Should -Contain 'posts_title_lower_idx'
            ($indexes | Where-Object name -eq 'posts_published_idx').partial | Should -Be 1
            Get-TestSqliteScalar -Path $db -Sql "SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'" | Should -Be 1
        }

        It 'keeps UNIQUE and CHECK constraints' {
            $sql = Get-TestSqliteScalar -Path $db -Sql "SELECT sql FROM sqlite_schema WHERE name = 'users'"
            $sql | Should -BeLike '*UNIQUE ("username")*'
            $sql = Get-TestSqliteScalar -Path $db -Sql "SELECT sql FROM sqlite_schema WHERE name = 'posts'"
            $sql | Should -BeLike '*CHECK (length("title") > 0)*'
        }

        It 'warns about a table without a primary key, and still exports it' {
            @($exportWarnings | Where-Object { "$_" -like '*event_log*no primary key*' }).Count | Should -Be 1
            ($summaries | Where-Object Table -eq 'event_log').RowsWritten | Should -Be 1
        }
    }

    Context 'selection' {
        It 'takes -Schema and -Table wildcard patterns, never system schemas' {
            $rows = @(Export-PgTable -ConnectionString $pg -All -Schema sales -WarningAction SilentlyContinue)
            $rows.Count | Should -Be 1
            $rows[0].body | Should -Be 'sales note'
            $names = @(Export-PgTable -ConnectionString $pg -Table 'p*' -WarningAction SilentlyContinue | ForEach-Object { $_.GetSchema().SourceTable } | Select-Object -Unique)
            $names | Should -Be @('players', 'posts')   # no foreign key between them: by name
        }

        It 'streams parents before children' {
            $order = @(Export-PgTable -ConnectionString $pg -All -ExcludeTable django_session, 'sales.*' -WarningAction SilentlyContinue |
                ForEach-Object { $_.GetSchema().SourceTable } | Select-Object -Unique)
            $order.IndexOf('auth_user') | Should -BeLessThan $order.IndexOf('posts')
            $order.IndexOf('posts') | Should -BeLessThan $order.IndexOf('notes')
            $order.IndexOf('teams') | Should -BeLessThan $order.IndexOf('players')
        }

        It 'needs -Table or -All' {
            { Export-PgTable -ConnectionString $pg -ErrorAction Stop } | Should -Throw '*-Table*-All*'
        }
    }

    Context 'two tables that would be one D1 table' {
        It 'fail before anything is written, naming both' {
            $db = Join-Path $TestDrive 'clash.sqlite'
            { Export-PgTable -ConnectionString $pg -All -ExcludeTable django_session -WarningAction SilentlyContinue |
                Import-D1Batch -Path $db -ErrorAction Stop -WarningAction SilentlyContinue } | Should -Throw '*public.notes*sales.notes*TableMap*'
            # Only the run's journal is there (the run is recorded as Failed): no data table, no index.
            Get-TestSqliteScalar -Path $db -Sql "SELECT count(*) FROM sqlite_schema WHERE tbl_name NOT LIKE 'd1_migration_%'" | Should -Be 0
        }
    }

    Context 'orphan policies' {
        It 'Fail refuses the orphan with an error naming the foreign key' {
            $db = Join-Path $TestDrive 'fail.sqlite'
            $null = Export-PgTable -ConnectionString $pg -All -ExcludeTable django_session, 'sales.*' -WarningAction SilentlyContinue |
                Import-D1Batch -Path $db -ErrorVariable rowErrors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            @($rowErrors | Where-Object { "$_" -like '*notes_post_fk*999*' }).Count | Should -Be 1
            Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM notes' | Should -Be 1
        }

        It 'Null keeps the row with NULL in the foreign key' {
            $db = Join-Path $TestDrive 'null.sqlite'
            $null = Export-PgTable -ConnectionString $pg -All -ExcludeTable django_session, 'sales.*' -WarningAction SilentlyContinue |
                Import-D1Batch -Path $db -OrphanPolicy Null -WarningAction SilentlyContinue
            Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM notes WHERE id = 2 AND post_id IS NULL' | Should -Be 1
        }
    }
}

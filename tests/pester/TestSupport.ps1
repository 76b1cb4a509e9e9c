# Shared by the Pester tests (dot-source it inside BeforeAll). Real parts only: a real
# PostgreSQL (from $env:MIGRATION_TEST_PG, an Npgsql connection string to a server where the
# user may CREATE DATABASE, or a throwaway cluster started here) and real SQLite files.

function Get-MigrationRepoRoot {
    # $PSScriptRoot here is this file's folder (tests/pester), wherever the caller is.
    (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '../..')).Path
}

function Import-MigrationTestModule {
    $root = Get-MigrationRepoRoot
    # The way a user does it: the repository-root manifest, right after `dotnet build`.
    Import-Module (Join-Path $root 'Migration.psd1') -Force -ErrorAction Stop
    # The module's own copies of the drivers, for the tests' setup and checks.
    Add-Type -Path (Join-Path $root 'out/Migration/Npgsql.dll')
    Add-Type -Path (Join-Path $root 'out/Migration/Microsoft.Data.Sqlite.dll')
}

function Get-FreeTcpPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Invoke-AsPostgresUser {
    # initdb and postgres refuse to run as root: as root, run them as the postgres OS user.
    # Their output goes to the verbose stream, so callers' output stays theirs.
    param([Parameter(Mandatory)][string] $FilePath, [string[]] $ArgumentList = @())
    $isRoot = $IsLinux -and ((& id -u) -eq '0')
    if ($isRoot) {
        # '--' from a variable: a bare -- would be taken by PowerShell's own parser.
        $endOfOptions = '--'
        & runuser -u postgres $endOfOptions $FilePath @ArgumentList 2>&1 | ForEach-Object { Write-Verbose "$_" }
    } else {
        & $FilePath @ArgumentList 2>&1 | ForEach-Object { Write-Verbose "$_" }
    }
    if ($LASTEXITCODE -ne 0) { throw "$FilePath $($ArgumentList -join ' ') exited with $LASTEXITCODE." }
}

function Invoke-TestPgSql {
    param([Parameter(Mandatory)][string] $ConnectionString, [Parameter(Mandatory)][string] $Sql)
    $connection = [Npgsql.NpgsqlConnection]::new($ConnectionString)
    try {
        $connection.Open()
        $command = $connection.CreateCommand()
        $command.CommandText = $Sql
        [void] $command.ExecuteNonQuery()
    } finally {
        $connection.Dispose()
    }
}

function Find-PgServerBin {
    # The folder with initdb and pg_ctl: $env:MIGRATION_PG_BIN, else where PATH finds initdb, else
    # the newest Debian/Ubuntu /usr/lib/postgresql/<version>/bin (there they are not on PATH).
    if ($env:MIGRATION_PG_BIN) { return $env:MIGRATION_PG_BIN }
    foreach ($initdb in @(Get-Command -Name initdb -CommandType Application -ErrorAction SilentlyContinue)) {
        $dir = Split-Path -Parent $initdb.Source
        if (Get-Command -Name (Join-Path $dir 'pg_ctl') -CommandType Application -ErrorAction SilentlyContinue) { return $dir }
    }
    $debian = @(Get-ChildItem -Path '/usr/lib/postgresql/*/bin/initdb' -ErrorAction SilentlyContinue |
        Where-Object { Test-Path -LiteralPath (Join-Path $_.DirectoryName 'pg_ctl') } |
        Sort-Object -Property { [int](($_.Directory.Parent.Name -split '\.')[0] -replace '\D', '') } -Descending)
    if ($debian.Count -gt 0) { return $debian[0].DirectoryName }
    throw 'PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin: set MIGRATION_PG_BIN to their folder, or MIGRATION_TEST_PG to a connection string.'
}

function Start-TestPostgres {
    # Returns the server and a fresh database on it: ConnectionString points at that database.
    $database = 'migration_pester_' + [guid]::NewGuid().ToString('N').Substring(0, 12)
    if ($env:MIGRATION_TEST_PG) {
        $server = [pscustomobject]@{ AdminConnectionString = $env:MIGRATION_TEST_PG; DataDirectory = $null; PgBin = $null }
    } else {
        $pgBin = Find-PgServerBin
        $port = Get-FreeTcpPort
        $dir = Join-Path ([System.IO.Path]::GetTempPath()) ('migration-pester-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $dir | Out-Null
        if ($IsLinux -and ((& id -u) -eq '0')) { & chown postgres $dir }
        Invoke-AsPostgresUser "$pgBin/initdb" @('-D', "$dir/data", '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C')
        Invoke-AsPostgresUser "$pgBin/pg_ctl" @('-D', "$dir/data", '-l', "$dir/server.log", '-w', '-t', '60',
            '-o', "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off", 'start')
        $server = [pscustomobject]@{
            AdminConnectionString = "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
            DataDirectory = $dir
            PgBin = $pgBin
        }
    }
    Invoke-TestPgSql -ConnectionString $server.AdminConnectionString -Sql "CREATE DATABASE $database ENCODING 'UTF8' TEMPLATE template0"
    $builder = [Npgsql.NpgsqlConnectionStringBuilder]::new($server.AdminConnectionString)
    $builder.Database = $database
    $server | Add-Member -NotePropertyName Database -NotePropertyValue $database
    $server | Add-Member -NotePropertyName ConnectionString -NotePropertyValue $builder.ConnectionString
    $server
}

function Stop-TestPostgres {
    param($Server)
    if ($null -eq $Server) { return }
    [Npgsql.NpgsqlConnection]::ClearAllPools()
    if ($Server.DataDirectory) {
        Invoke-AsPostgresUser "$($Server.PgBin)/pg_ctl" @('-D', "$($Server.DataDirectory)/data", '-m', 'immediate', '-w', 'stop')
        Remove-Item -LiteralPath $Server.DataDirectory -Recurse -Force -ErrorAction SilentlyContinue
    } else {
        Invoke-TestPgSql -ConnectionString $Server.AdminConnectionString -Sql "DROP DATABASE IF EXISTS $($Server.Database) WITH (FORCE)"
    }
}

function Start-TestD1ApiServer {
    # The API test server (tests/d1-api-server: Cloudflare's D1 and KV routes over a real local D1
    # and KV under wrangler dev) with these databases and KV namespaces. Returns what it printed
    # (token, account_id, api_base_url, admin_url, databases, kv_namespaces, state_dir) plus Uuids
    # (database name -> UUID); CLOUDFLARE_API_TOKEN, _ACCOUNT_ID and _API_BASE_URL point at it
    # until Stop-TestD1ApiServer puts them back.
    param([string[]] $Database = @(), [string[]] $Kv = @(), [string] $State)
    $arguments = @('start')
    if ($State) { $arguments += '--state', $State }
    if ($Database) { $arguments += '--databases', ($Database -join ',') }
    if ($Kv) { $arguments += '--kv', ($Kv -join ',') }
    $started = & node (Join-Path (Get-MigrationRepoRoot) 'tests/d1-api-server/server.mjs') @arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "The API test server did not start: $started" }
    $server = ($started | Where-Object { "$_".StartsWith('{') } | Select-Object -Last 1) | ConvertFrom-Json
    $uuids = @{}
    foreach ($d in $server.databases) { $uuids[$d.name] = $d.uuid }
    $saved = @{}
    foreach ($name in 'CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_ACCOUNT_ID', 'CLOUDFLARE_API_BASE_URL') { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
    $env:CLOUDFLARE_API_TOKEN = $server.token
    $env:CLOUDFLARE_ACCOUNT_ID = $server.account_id
    $env:CLOUDFLARE_API_BASE_URL = $server.api_base_url
    $server | Add-Member -NotePropertyName Uuids -NotePropertyValue $uuids
    $server | Add-Member -NotePropertyName SavedEnvironment -NotePropertyValue $saved
    $server
}

function Stop-TestD1ApiServer {
    param($Server)
    if ($null -eq $Server) { return }
    foreach ($name in $Server.SavedEnvironment.Keys) { [Environment]::SetEnvironmentVariable($name, $Server.SavedEnvironment[$name]) }
    & node (Join-Path (Get-MigrationRepoRoot) 'tests/d1-api-server/server.mjs') stop $Server.state_dir *> $null
}

function Invoke-TestD1ApiSql {
    # Rows of a query on a database of the API test server, through its /raw route (as arrays).
    param($Server, [string] $Database, [string] $Sql)
    $uri = "$($Server.api_base_url)/accounts/$($Server.account_id)/d1/database/$($Server.Uuids[$Database])/raw"
    $answer = Invoke-RestMethod -Method Post -Uri $uri -Headers @{ Authorization = "Bearer $($Server.token)" } -ContentType 'application/json' -Body (@{ sql = $Sql } | ConvertTo-Json -Compress)
    , @($answer.result[0].results.rows)
}

function Initialize-ListCutterDatabase {
    # The List Cutter tables (scenario 1) with edge values: NULLs, empty strings, microsecond
    # timestamps, non-ASCII text, quotes/commas/newlines, arrays with NULL and commas, nested
    # JSON, and one NaN (which the default policy must refuse, loudly, for that row only).
    param([Parameter(Mandatory)][string] $ConnectionString)
    Invoke-TestPgSql -ConnectionString $ConnectionString -Sql @'
CREATE TABLE auth_user (
    id serial PRIMARY KEY,
    password varchar(128) NOT NULL,
    last_login timestamptz NULL,
    is_superuser boolean NOT NULL,
    username varchar(150) NOT NULL UNIQUE,
    first_name varchar(150) NOT NULL,
    last_name varchar(150) NOT NULL,
    email varchar(254) NOT NULL,
    is_staff boolean NOT NULL,
    is_active boolean NOT NULL,
    date_joined timestamptz NOT NULL
);
INSERT INTO auth_user (password, last_login, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined) VALUES
    ('pbkdf2_sha256$1$salt$hash', NULL, true, 'alice', 'Alice', 'Ångström', 'alice@example.com', true, true, '2024-01-31 23:59:59.123456+00'),
    ('pbkdf2_sha256$1$salt$hash', '2024-02-29 12:00:00+00', false, 'bob', 'Bob', '', 'bob@example.com', false, false, '1999-12-31 23:59:59+00'),
    ('pbkdf2_sha256$1$salt$hash', '2024-03-01 08:30:00.5+00', false, 'carol', E'Car\nol', 'O''Brien, "Jr"', 'carol@example.com', false, true, '2020-06-15 10:00:00+00');

CREATE TABLE list_cutter_savedfile (
    id bigserial PRIMARY KEY,
    user_id int NOT NULL REFERENCES auth_user (id),
    file_id varchar(255) NOT NULL UNIQUE,
    file_name varchar(255) NOT NULL,
    file_path varchar(500) NOT NULL,
    uploaded_at timestamptz NOT NULL,
    system_tags text[] NOT NULL,
    user_tags text[] NOT NULL,
    metadata jsonb NULL
);
INSERT INTO list_cutter_savedfile (user_id, file_id, file_name, file_path, uploaded_at, system_tags, user_tags, metadata) VALUES
    (1, 'f-001', 'contacts.csv', '/uploads/1/contacts.csv', '2024-04-01 09:00:00+00', '{uploaded,"has,comma",NULL}', '{}', '{"rows": 3, "nested": {"k": [1, 2.5, null]}, "text": "é \"q\""}'),
    (1, 'f-002', 'empty.csv', '/uploads/1/empty.csv', '2024-04-02 09:00:00.000001+00', '{}', '{mine}', NULL),
    (2, 'f-003', 'bob.csv', '/uploads/2/bob.csv', '2024-04-03 09:00:00+00', '{generated}', '{"a b"}', '[]');

CREATE TABLE contacts_person (
    cuttyid int PRIMARY KEY,
    created_by_id int NULL REFERENCES auth_user (id) ON DELETE SET NULL,
    first_name varchar(100) NULL,
    last_name varchar(100) NULL,
    email varchar(254) NULL,
    phone varchar(50) NULL,
    city varchar(100) NULL,
    dob date NULL,
    deceased boolean NOT NULL DEFAULT false,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    model_scores jsonb NULL,
    system_tags text[] NULL,
    user_tags text[] NULL,
    notes text NULL,
    score numeric(12,4) NULL,
    ratio double precision NULL
);
INSERT INTO contacts_person VALUES
    (1, 1, 'Dana', 'Ng', 'dana@example.com', '+1 555 0100', 'Zürich', '1985-07-04', false, true, '2024-05-01 00:00:00+00', '2024-05-02 00:00:00+00', '{"churn": 0.25}', '{vip}', '{}', 'line1
line2', 1234.5678, 0.5),
    (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, false, '2024-05-01 00:00:00+00', '2024-05-01 00:00:00+00', NULL, NULL, NULL, '', NULL, NULL),
    (3, 2, 'Eve', 'Bad', 'eve@example.com', NULL, 'Oslo', '2000-02-29', true, true, '2024-05-03 00:00:00+00', '2024-05-03 00:00:00+00', '{}', '{}', '{}', NULL, -0.0001, 'NaN');
'@
}

function Invoke-TestSqlite {
    # Rows of a query on a D1 file, as objects; opened read-only and unpooled so the file is
    # free again when the test ends. -Write: a change made outside the module (a tamper, another
    # writer, a schema applied first), creating the file when missing, with foreign keys off (a
    # tamper may leave an orphan, as a careless loader could); it returns nothing.
    param([Parameter(Mandatory)][string] $Path, [Parameter(Mandatory)][string] $Sql, [switch] $Write)
    $options = if ($Write) { 'Foreign Keys=False' } else { 'Mode=ReadOnly' }
    $connection = [Microsoft.Data.Sqlite.SqliteConnection]::new("Data Source=$Path;$options;Pooling=False")
    try {
        $connection.Open()
        $command = $connection.CreateCommand()
        $command.CommandText = $Sql
        if ($Write) { [void] $command.ExecuteNonQuery(); return }
        $reader = $command.ExecuteReader()
        while ($reader.Read()) {
            $row = [ordered]@{}
            for ($i = 0; $i -lt $reader.FieldCount; $i++) {
                $row[$reader.GetName($i)] = if ($reader.IsDBNull($i)) { $null } else { $reader.GetValue($i) }
            }
            [pscustomobject]$row
        }
        $reader.Dispose()
    } finally {
        $connection.Dispose()
    }
}

function Invoke-TestSqliteWrite {
    param([Parameter(Mandatory)][string] $Path, [Parameter(Mandatory)][string] $Sql)
    Invoke-TestSqlite -Path $Path -Sql $Sql -Write
}

function Get-TestSqliteScalar {
    param([Parameter(Mandatory)][string] $Path, [Parameter(Mandatory)][string] $Sql)
    $row = Invoke-TestSqlite -Path $Path -Sql $Sql | Select-Object -First 1
    if ($null -eq $row) { return $null }
    $row.PSObject.Properties | Select-Object -First 1 -ExpandProperty Value
}

function New-TestPgDatabase {
    # A second (third...) database on a server from Start-TestPostgres, optionally filled by $Sql.
    param([Parameter(Mandatory)] $Server, [string] $Sql)
    $database = 'migration_pester_' + [guid]::NewGuid().ToString('N').Substring(0, 12)
    Invoke-TestPgSql -ConnectionString $Server.AdminConnectionString -Sql "CREATE DATABASE $database ENCODING 'UTF8' TEMPLATE template0"
    $builder = [Npgsql.NpgsqlConnectionStringBuilder]::new($Server.AdminConnectionString)
    $builder.Database = $database
    if ($Sql) { Invoke-TestPgSql -ConnectionString $builder.ConnectionString -Sql $Sql }
    $builder.ConnectionString
}

function Get-RefusalFixtureSql {
    # A database with one table of each kind D1 refuses (101 columns, a _cf_ name, two schemas'
    # tables that map to one D1 name), a child of a refused table, and tables D1 takes.
    $wide = (1..100 | ForEach-Object { "c$_ int" }) -join ', '
    @"
CREATE SCHEMA archive;
CREATE TABLE parents (id int PRIMARY KEY, name text);
CREATE TABLE _cf_meta (id int PRIMARY KEY, v text);
CREATE TABLE wide (id int PRIMARY KEY, $wide);
CREATE TABLE wide_child (id int PRIMARY KEY, wide_id int REFERENCES wide (id), parent_id int REFERENCES parents (id));
CREATE TABLE public.items (id int PRIMARY KEY, label text);
CREATE TABLE archive.items (id int PRIMARY KEY, label text);
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, password text NOT NULL);
INSERT INTO parents VALUES (1, 'p1'), (2, 'p2');
INSERT INTO _cf_meta VALUES (1, 'x');
INSERT INTO wide (id) SELECT g FROM generate_series(1, 3) g;
INSERT INTO wide_child VALUES (1, 1, 1), (2, NULL, 2), (3, 2, NULL);
INSERT INTO public.items VALUES (1, 'a'), (2, 'b');
INSERT INTO archive.items VALUES (1, 'old');
INSERT INTO users VALUES (1, 'ann@example.com', 'pbkdf2`$hash1'), (2, 'bob@example.com', 'pbkdf2`$hash2');
"@
}

# Scenario 2 ("Ignition", D1 -> PostgreSQL): tests/fixtures/ignition (shared with the xUnit tests).
function Get-IgnitionTargetSql {
    Get-Content -Raw (Join-Path (Get-MigrationRepoRoot) 'tests/fixtures/ignition/postgres.sql')
}

function Get-IgnitionD1Sql {
    # -ForRemote: D1 enforces foreign keys, so its copy declares none on the two tables holding
    # orphans (accounts, user_wallet); every row and every other table as in the file.
    param([switch] $ForRemote)
    $sql = Get-Content -Raw (Join-Path (Get-MigrationRepoRoot) 'tests/fixtures/ignition/d1.sql')
    if ($ForRemote) { $sql = $sql -replace '(?m)^(CREATE TABLE (accounts|user_wallet) .*?) REFERENCES users\(id\)', '$1' }
    $sql
}

function New-IgnitionD1 {
    param([string] $Path, [switch] $ForRemote)
    # Written with foreign keys off (as a careless loader would): the orphans are really there.
    Invoke-TestSqliteWrite -Path $Path -Sql (Get-IgnitionD1Sql -ForRemote:$ForRemote)
}

function Invoke-PgQuery {
    # Rows of a query as objects (values as Npgsql reads them).
    param([string] $ConnectionString, [string] $Sql)
    $connection = [Npgsql.NpgsqlConnection]::new($ConnectionString)
    try {
        $connection.Open()
        $command = $connection.CreateCommand()
        $command.CommandText = $Sql
        $reader = $command.ExecuteReader()
        while ($reader.Read()) {
            $row = [ordered]@{}
            for ($i = 0; $i -lt $reader.FieldCount; $i++) { $row[$reader.GetName($i)] = if ($reader.IsDBNull($i)) { $null } else { $reader.GetValue($i) } }
            [pscustomobject]$row
        }
        $reader.Dispose()
    } finally { $connection.Dispose() }
}

function Get-PgScalar {
    param([string] $ConnectionString, [string] $Sql)
    $row = Invoke-PgQuery -ConnectionString $ConnectionString -Sql $Sql | Select-Object -First 1
    if ($null -eq $row) { return $null }
    $row.PSObject.Properties | Select-Object -First 1 -ExpandProperty Value
}

function New-IgnitionFolder {
    # A folder holding ignition.sqlite (New-IgnitionD1), as the help examples' ./ignition.sqlite; returns the file's path.
    param([Parameter(Mandatory)][string] $Root)
    $dir = Join-Path $Root 'd1'
    New-Item -ItemType Directory -Path $dir | Out-Null
    $path = Join-Path $dir 'ignition.sqlite'
    New-IgnitionD1 -Path $path
    $path
}

function Get-HelpExampleCode {
    # The code of each example in a cmdlet's MAML help, as a user would paste it.
    param([Parameter(Mandatory)][string] $Name)
    @((Get-Help $Name -Full).examples.example | ForEach-Object { ($_.code | Out-String).Trim() })
}

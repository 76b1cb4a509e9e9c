#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# How the cmdlets that read Postgres take a connection (Npgsql's Key=Value;, psql's
# keyword=value, postgresql:// URIs) and what they show when it fails: every error path, every
# place an admin can look (the error record, its message and ToString, the exception chain,
# ErrorDetails, the verbose and debug streams, $Error), and never the password.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-MigrationTestModule
    $server = Start-TestPostgres
    $pg = $server.ConnectionString
    $builder = [Npgsql.NpgsqlConnectionStringBuilder]::new($pg)
    $pgHost = $builder.Host
    $pgPort = $builder.Port
    $database = $builder.Database
    Invoke-TestPgSql -ConnectionString $pg -Sql 'CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, ''one''), (2, ''two'');'

    # A role that must log in with its password (scram over TCP), for the wrong-password path.
    # Only on a cluster started here: an external server's pg_hba.conf is not ours to change.
    $passwordUser = 'migration_pester_pw'
    $password = 'Pw-' + [guid]::NewGuid().ToString('N')
    $passwordAuth = [bool]$server.DataDirectory
    Invoke-TestPgSql -ConnectionString $pg -Sql @"
DO `$`$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$passwordUser') THEN CREATE ROLE $passwordUser LOGIN; END IF; END `$`$;
SET password_encryption = 'scram-sha-256';
ALTER ROLE $passwordUser PASSWORD '$password';
GRANT SELECT ON items TO $passwordUser;
"@
    if ($passwordAuth) {
        $hba = Join-Path $server.DataDirectory 'data/pg_hba.conf'
        $rules = "host all $passwordUser 127.0.0.1/32 scram-sha-256`nhost all $passwordUser ::1/128 scram-sha-256`n"
        Set-Content -LiteralPath $hba -Value ($rules + (Get-Content -LiteralPath $hba -Raw)) -NoNewline
        Invoke-TestPgSql -ConnectionString $pg -Sql 'SELECT pg_reload_conf()'
        Start-Sleep -Milliseconds 500
    }

    # An empty SQLite file for Test-MigrationIntegrity: it checks the file before connecting.
    $target = Join-Path ([System.IO.Path]::GetTempPath()) ("migration-pester-conn-" + [guid]::NewGuid().ToString('N') + '.sqlite')
    $c = [Microsoft.Data.Sqlite.SqliteConnection]::new("Data Source=$target;Pooling=False")
    $c.Open(); $cmd = $c.CreateCommand(); $cmd.CommandText = 'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)'; [void]$cmd.ExecuteNonQuery(); $c.Dispose()

    # Runs one cmdlet on a connection and returns everything an admin could see: the caught
    # error record, every stream (verbose and debug on), and $Error.
    function Invoke-Observed {
        param([string] $Cmdlet, [string] $ConnectionString, [pscredential] $Credential)
        $Global:Error.Clear()
        $common = @{ ConnectionString = $ConnectionString; Verbose = $true; Debug = $true; ErrorAction = 'Stop' }
        if ($Credential) { $common.Credential = $Credential }
        $caught = $null
        $streams = @(
            try {
                switch ($Cmdlet) {
                    'Export-PgTable' { Export-PgTable @common -Table items }
                    'Export-D1Schema' { Export-D1Schema @common -Table items }
                    'Test-MigrationIntegrity' { Test-MigrationIntegrity @common -Path $target -Table items -Check RowCount }
                }
            } catch {
                $caught = $_
            }
        ) 4>&1 5>&1 3>&1 6>&1
        [pscustomobject]@{ Error = $caught; Streams = $streams; ErrorVariable = @($Global:Error) }
    }

    # Every text the observation holds.
    function Get-ObservedText {
        param($Observed)
        $texts = [System.Collections.Generic.List[string]]::new()
        foreach ($record in @($Observed.Error) + @($Observed.ErrorVariable) | Where-Object { $_ }) {
            $texts.Add(($record | Out-String))
            $texts.Add($record.ToString())
            $texts.Add(($record | Format-List * -Force | Out-String))
            if ($record -is [System.Management.Automation.ErrorRecord]) {
                $texts.Add("$($record.ErrorDetails)")
                $texts.Add("$($record.TargetObject)")
                $texts.Add(($record.CategoryInfo | Out-String))
                $texts.Add($record.FullyQualifiedErrorId)
                for ($e = $record.Exception; $e; $e = $e.InnerException) {
                    $texts.Add($e.Message)
                    $texts.Add($e.ToString())
                    $texts.Add(($e | Format-List * -Force | Out-String))
                }
            }
        }
        foreach ($item in $Observed.Streams) { $texts.Add(($item | Out-String)); $texts.Add("$item") }
        $texts -join "`n"
    }
}

AfterAll {
    Remove-Item -LiteralPath $target -ErrorAction SilentlyContinue
    Stop-TestPostgres -Server $server
}

Describe 'connection strings as psql takes them' {
    It 'reads the keyword=value form (<Cmdlet>)' -ForEach @(
        @{ Cmdlet = 'Export-PgTable' }, @{ Cmdlet = 'Export-D1Schema' }, @{ Cmdlet = 'Test-MigrationIntegrity' }
    ) {
        $cs = "host=$pgHost port=$pgPort user=postgres dbname='$database' application_name='pester run'"
        $seen = Invoke-Observed -Cmdlet $Cmdlet -ConnectionString $cs
        $seen.Error | Should -BeNullOrEmpty
        $output = @($seen.Streams | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] -and $_ -isnot [System.Management.Automation.DebugRecord] -and $_ -isnot [System.Management.Automation.WarningRecord] })
        $output.Count | Should -BeGreaterThan 0
        if ($Cmdlet -eq 'Export-PgTable') { $output.Count | Should -Be 2 }
    }

    It 'reads a postgresql:// URI with percent-encoded parts and a postgres:// one' {
        @(Export-PgTable -ConnectionString "postgresql://postgres@${pgHost}:$pgPort/$database`?application_name=pester%20uri" -Table items).Count | Should -Be 2
        @(Export-PgTable -ConnectionString "postgres://postgres@${pgHost}:$pgPort/$database" -Table items).Count | Should -Be 2
    }

    It 'logs in with the password of each form (password auth)' {
        if (-not $passwordAuth) { Set-ItResult -Skipped -Because 'an external server''s pg_hba.conf is not ours to know'; return }
        $quoted = $password.Replace("'", "\'")
        @(Export-PgTable -ConnectionString "host=$pgHost port=$pgPort user=$passwordUser password='$quoted' dbname=$database" -Table items).Count | Should -Be 2
        @(Export-PgTable -ConnectionString "postgresql://${passwordUser}:$([uri]::EscapeDataString($password))@${pgHost}:$pgPort/$database" -Table items).Count | Should -Be 2
        @(Export-PgTable -ConnectionString "Host=$pgHost;Port=$pgPort;Username=$passwordUser;Password=$password;Database=$database" -Table items).Count | Should -Be 2
    }

    It 'says in -Verbose where it connected and the snapshot, without the password' {
        $cs = "host=$pgHost port=$pgPort user=postgres password=Verbose-Secret-1 dbname=$database"
        $verbose = @(Export-PgTable -ConnectionString $cs -Table items -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $line = $verbose | Where-Object Message -like 'Connected to *' | Select-Object -First 1
        $line | Should -Not -BeNullOrEmpty
        $line.Message | Should -BeLike "Connected to postgres@${pgHost}:$pgPort/$database (PostgreSQL *"
        $line.Message | Should -Match 'snapshot.*txid_current_snapshot \d+:\d+:'
        ($verbose | Out-String) | Should -Not -Match 'Verbose-Secret-1'
    }
}

Describe 'every connection error path keeps the password out' {
    BeforeDiscovery {
        $paths = @(
            @{ Path = 'connection refused'; Kind = 'refused' }
            @{ Path = 'unknown host'; Kind = 'unknownhost' }
            @{ Path = 'wrong password'; Kind = 'wrongpassword' }
            @{ Path = 'no such database'; Kind = 'nodb' }
            @{ Path = 'bad syntax (unclosed quote)'; Kind = 'syntax' }
            @{ Path = 'missing ;'; Kind = 'semicolon' }
            @{ Path = 'unknown keyword'; Kind = 'keyword' }
            @{ Path = 'bad URI escape'; Kind = 'uri' }
        )
        $cases = foreach ($cmdlet in 'Export-PgTable', 'Export-D1Schema', 'Test-MigrationIntegrity') {
            foreach ($p in $paths) { @{ Cmdlet = $cmdlet; Path = $p.Path; Kind = $p.Kind } }
        }
    }

    It '<Cmdlet>: <Path>' -ForEach $cases {
        $secret = 'Sx-' + [guid]::NewGuid().ToString('N').Substring(0, 16)
        $closed = Get-FreeTcpPort
        $expect = switch ($Kind) {
            'refused' { @{ Cs = "host=127.0.0.1 port=$closed user=app password=$secret dbname=shop connect_timeout=5"; Category = 'ConnectionError'; Names = "app@127.0.0.1:$closed/shop" } }
            'unknownhost' { @{ Cs = "postgresql://app:$secret@no-such-host.invalid:5432/shop?connect_timeout=5"; Category = 'ConnectionError'; Names = 'app@no-such-host.invalid:5432/shop' } }
            'wrongpassword' { @{ Cs = "Host=$pgHost;Port=$pgPort;Username=$passwordUser;Password=$secret;Database=$database"; Category = 'AuthenticationError'; Names = "$passwordUser@${pgHost}:$pgPort/$database" } }
            'nodb' { @{ Cs = "host=$pgHost port=$pgPort user=postgres password=$secret dbname=no_such_db"; Category = 'ObjectNotFound'; Names = "postgres@${pgHost}:$pgPort/no_such_db" } }
            'syntax' { @{ Cs = "host=db user=app password='$secret dbname=shop"; Category = 'InvalidArgument'; Names = 'no closing quote' } }
            'semicolon' { @{ Cs = "Host=db;Username=app Password=$secret;Database=shop"; Category = 'InvalidArgument'; Names = "';' is missing" } }
            'keyword' { @{ Cs = "host=db user=app passwrd=$secret dbname=shop"; Category = 'InvalidArgument'; Names = '"passwrd"' } }
            'uri' { @{ Cs = "postgresql://app:$secret%zz@db/shop"; Category = 'InvalidArgument'; Names = 'the password' } }
        }
        if ($Kind -eq 'wrongpassword' -and -not $passwordAuth) { Set-ItResult -Skipped -Because 'an external server''s pg_hba.conf is not ours to know'; return }

        $seen = Invoke-Observed -Cmdlet $Cmdlet -ConnectionString $expect.Cs
        $record = $seen.Error
        $record | Should -Not -BeNullOrEmpty
        $record.CategoryInfo.Category | Should -Be $expect.Category
        $record.CategoryInfo.Category | Should -Not -Be 'NotSpecified'
        $record.Exception.Message | Should -BeLike "*$($expect.Names)*"
        ([regex]::Matches($record.Exception.Message, 'Cannot connect to')).Count | Should -BeLessOrEqual 1
        @($seen.ErrorVariable).Count | Should -BeGreaterThan 0

        $everything = Get-ObservedText $seen
        $everything | Should -Match ([regex]::Escape($expect.Names))     # the texts were searched, not empty
        $everything | Should -Not -Match ([regex]::Escape($secret))
        $everything | Should -Not -Match ([regex]::Escape($expect.Cs))
    }

    It 'a wrong password given as -Credential stays out too (<Cmdlet>)' -ForEach @(
        @{ Cmdlet = 'Export-PgTable' }, @{ Cmdlet = 'Export-D1Schema' }, @{ Cmdlet = 'Test-MigrationIntegrity' }
    ) {
        if (-not $passwordAuth) { Set-ItResult -Skipped -Because 'an external server''s pg_hba.conf is not ours to know'; return }
        $secret = 'Cred-' + [guid]::NewGuid().ToString('N').Substring(0, 16)
        $credential = [pscredential]::new($passwordUser, (ConvertTo-SecureString $secret -AsPlainText -Force))
        $seen = Invoke-Observed -Cmdlet $Cmdlet -ConnectionString "host=$pgHost port=$pgPort dbname=$database" -Credential $credential
        $seen.Error.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $seen.Error.Exception.Message | Should -BeLike "Cannot connect to $passwordUser@${pgHost}:$pgPort/$database*"
        Get-ObservedText $seen | Should -Not -Match ([regex]::Escape($secret))
    }
}

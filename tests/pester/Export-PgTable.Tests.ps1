#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-MigrationTestModule
    $server = Start-TestPostgres
    $pg = $server.ConnectionString
    Initialize-ListCutterDatabase -ConnectionString $pg
}

AfterAll {
    Stop-TestPostgres -Server $server
}

Describe 'Export-PgTable' {
    Context 'one table' {
        BeforeAll {
            $users = @(Export-PgTable -ConnectionString $pg -Table auth_user)
        }

        It 'emits one row per table row, in primary key order' {
            $users.Count | Should -Be 3
            $users.id | Should -Be @(1, 2, 3)
        }

        It 'shows columns as properties' {
            $users[0].email | Should -Be 'alice@example.com'
            $users[0].last_name | Should -Be 'Ångström'
            $users[2].first_name | Should -Be "Car`nol"
            $users[2].last_name | Should -Be 'O''Brien, "Jr"'
        }

        It 'keeps NULL as $null, not an empty string' {
            $null -eq $users[0].last_login | Should -BeTrue
            $users[1].last_name | Should -BeExactly ''
            $null -eq $users[1].last_name | Should -BeFalse
        }

        It 'keeps booleans as booleans' {
            $users[0].is_superuser | Should -BeOfType [bool]
            $users[0].is_superuser | Should -BeTrue
            $users[1].is_active | Should -BeFalse
        }

        It 'shows a timestamptz as a UTC [datetime], to the microsecond' {
            $users[0].date_joined | Should -BeOfType [datetime]
            $users[0].date_joined.Kind | Should -Be 'Utc'
            $users[0].date_joined.ToString('o') | Should -Be '2024-01-31T23:59:59.1234560Z'
        }

        It 'works with Where-Object and Select-Object' {
            $inactive = @($users | Where-Object { -not $_.is_active })
            $inactive.Count | Should -Be 1
            $inactive[0].username | Should -Be 'bob'

            $picked = $users | Select-Object -Property id, email
            $picked[2].email | Should -Be 'carol@example.com'
            @($picked[0].PSObject.Properties.Name) | Should -Be @('id', 'email')
        }

        It 'exports to CSV with the columns as headers' {
            $csv = Join-Path $TestDrive 'users.csv'
            $users | Export-Csv -LiteralPath $csv -NoTypeInformation
            $back = @(Import-Csv -LiteralPath $csv)
            $back.Count | Should -Be 3
            $back[0].email | Should -Be 'alice@example.com'
            $back[2].first_name | Should -Be "Car`nol"
            @($back[0].PSObject.Properties.Name) | Should -Contain 'date_joined'
        }

        It 'shows exactly the table''s columns, read-only' {
            @($users[0].PSObject.Properties.Name) | Should -Be @('id', 'password', 'last_login', 'is_superuser', 'username',
                'first_name', 'last_name', 'email', 'is_staff', 'is_active', 'date_joined')
            { $users[0].email = 'changed@example.com' } | Should -Throw
            $users[0].email | Should -Be 'alice@example.com'
        }
    }

    Context 'timestamps and dates as PowerShell values' {
        BeforeAll {
            Invoke-TestPgSql -ConnectionString $pg -Sql @'
CREATE TABLE events (id int PRIMARY KEY, at timestamptz, local_at timestamp, day date);
INSERT INTO events VALUES
  (1, '2024-01-31 23:59:59.123456+00', '2024-01-31 23:59:59.123456', '2024-01-31'),
  (2, '2023-01-01 00:00:00+00', '2023-01-01 00:00:00', '2023-01-01'),
  (3, 'infinity', 'infinity', 'infinity'),
  (4, '-infinity', '-infinity', '-infinity'),
  (5, '0044-03-15 12:00:00+00 BC', '0044-03-15 12:00:00 BC', '0044-03-15 BC'),
  (6, '10000-01-01 00:00:00+00', '10000-01-01 00:00:00', '10000-01-01'),
  (7, NULL, NULL, NULL);
'@
            $events = @(Export-PgTable -ConnectionString $pg -Table events)
        }

        It 'gives [datetime] values that fit: timestamptz as Utc, timestamp and date as Unspecified' {
            $events[0].at | Should -BeOfType [datetime]
            $events[0].at.Kind | Should -Be 'Utc'
            $events[0].local_at.Kind | Should -Be 'Unspecified'
            $events[0].local_at.ToString('o') | Should -Be '2024-01-31T23:59:59.1234560'
            $events[0].day | Should -Be ([datetime]'2024-01-31')
            [datetime]$events[1].at | Should -Be ([datetime]'2023-01-01')
        }

        It 'Where-Object -gt a [datetime] works on every row, the infinities and years past 9999 included' {
            $errs = $null
            $later = @($events | Where-Object at -gt ([datetime]'2023-06-01') -ErrorVariable errs)
            $errs | Should -BeNullOrEmpty
            @($later.id) | Should -Be @(1, 3, 6)
            # ($null -lt anything is $true in PowerShell, so the NULL row is left out here.)
            @($events | Where-Object { $null -ne $_.day -and $_.day -lt [datetime]'2023-06-01' }).id | Should -Be @(2, 4, 5)
            @($events | Where-Object { $_.local_at -ge [datetime]'2023-01-01' -and $_.local_at -le [datetime]'2023-01-01' }).id | Should -Be 2
        }

        It 'shows what [datetime] cannot hold as a PgDateTime that prints, compares and refuses the cast' {
            $inf, $bc, $far = $events[2].at, $events[4].day, $events[5].local_at
            $inf | Should -BeOfType [Migration.PowerShell.PgDateTime]
            "$inf" | Should -Be 'infinity'
            "$bc" | Should -Be '-0043-03-15'
            "$far" | Should -Be '+10000-01-01T00:00:00.000000'
            "$($events[3].at)" | Should -Be '-infinity'
            $inf -gt (Get-Date) | Should -BeTrue
            $events[3].at -lt [datetime]::MinValue | Should -BeTrue
            $bc -lt [datetime]::MinValue | Should -BeTrue
            $far -gt [datetime]::MaxValue | Should -BeTrue
            $inf -eq $events[2].day | Should -BeTrue
            { [datetime]$far } | Should -Throw '*outside the range of `[datetime`]*'
        }

        It 'ConvertTo-Json writes dates as ISO text, not the type''s parts' {
            $json = $events[0], $events[2] | Select-Object id, at, local_at, day | ConvertTo-Json -Compress
            $json | Should -BeLike '*"at":"2024-01-31T23:59:59.123456Z","local_at":"2024-01-31T23:59:59.123456","day":"2024-01-31T00:00:00"*'
            $json | Should -BeLike '*"at":{"Value":"infinity"},"local_at":{"Value":"infinity"},"day":{"Value":"infinity"}*'
            $json | Should -Not -Match 'Microseconds|HasTimeZone'
        }

        It 'converts the exact Postgres value to D1: the PowerShell view changes nothing' {
            $db = Join-Path $TestDrive 'events.sqlite'
            Export-PgTable -ConnectionString $pg -Table events | ConvertTo-D1Row | Import-D1Batch -Path $db | Out-Null
            $rows = @(Invoke-TestSqlite -Path $db -Sql 'SELECT at, local_at, day FROM events ORDER BY id')
            $rows[0].at | Should -Be '2024-01-31T23:59:59.123456Z'
            $rows[2].local_at | Should -Be 'infinity'
            $rows[4].at | Should -Be '-0043-03-15T12:00:00.000000Z'
            $rows[5].day | Should -Be '+10000-01-01'
            # Copied into plain objects, a value [datetime] cannot hold still goes as its exact text.
            $plain = Join-Path $TestDrive 'plain.sqlite'
            $events | Select-Object id, local_at | ConvertTo-D1Row -TableName events | Import-D1Batch -Path $plain | Out-Null
            Get-TestSqliteScalar -Path $plain -Sql 'SELECT local_at FROM events WHERE id = 5' | Should -Be '-0043-03-15T12:00:00.000000'
        }

        It 'a copied value [datetime] cannot hold follows the one Unix-time rule: infinity is refused, never written as text' {
            # Before, the copy went as its text: an infinity first made the column TEXT, and every
            # later date was then written as ISO text despite -TimestampFormat UnixSeconds.
            $db = Join-Path $TestDrive 'unix.sqlite'
            $errs = $null
            $events | Where-Object id -in 2, 3 | Sort-Object id -Descending | Select-Object id, at |
                ConvertTo-D1Row -TableName ev -TimestampFormat UnixSeconds -ErrorVariable errs -ErrorAction SilentlyContinue |
                Import-D1Batch -Path $db | Out-Null
            @($errs).Count | Should -Be 1
            "$($errs[0])" | Should -BeLike '*infinity has no Unix time*'
            Get-TestSqliteScalar -Path $db -Sql 'SELECT typeof(at) || '' '' || at FROM ev WHERE id = 2' | Should -Be 'integer 1672531200'
        }
    }

    Context 'parameters and pipeline input' {
        It 'exports several tables from one call' {
            $rows = @(Export-PgTable -ConnectionString $pg -Table auth_user, list_cutter_savedfile, contacts_person)
            $rows.Count | Should -Be 9
            @($rows | ForEach-Object { $_.GetSchema().Name } | Select-Object -Unique) |
                Should -Be @('auth_user', 'list_cutter_savedfile', 'contacts_person')
        }

        It 'takes table names from the pipeline' {
            $rows = @('auth_user', 'contacts_person' | Export-PgTable -ConnectionString $pg)
            $rows.Count | Should -Be 6
        }

        It 'takes table names by property name (Name, TableName)' {
            @([pscustomobject]@{ TableName = 'auth_user' } | Export-PgTable -ConnectionString $pg).Count | Should -Be 3
            @([pscustomobject]@{ Name = 'list_cutter_savedfile' } | Export-PgTable -ConnectionString $pg).Count | Should -Be 3
        }

        It 'accepts schema-qualified names' {
            @(Export-PgTable -ConnectionString $pg -Table public.auth_user).Count | Should -Be 3
        }

        It 'exports only the columns named by -Column' {
            $row = Export-PgTable -ConnectionString $pg -Table auth_user -Column id, email | Select-Object -First 1
            @($row.PSObject.Properties.Name) | Should -Be @('id', 'email')
        }

        It 'takes the user from -Credential' {
            $builder = [Npgsql.NpgsqlConnectionStringBuilder]::new($pg)
            $user = $builder.Username
            $builder.Remove('Username') | Out-Null
            $password = if ($builder.Password) { $builder.Password } else { 'unused-with-trust-auth' }
            $builder.Remove('Password') | Out-Null
            $credential = [pscredential]::new($user, (ConvertTo-SecureString $password -AsPlainText -Force))
            @(Export-PgTable -ConnectionString $builder.ConnectionString -Credential $credential -Table auth_user).Count | Should -Be 3
        }

        It 'stops when the consumer has enough (Select-Object -First)' {
            $first = @(Export-PgTable -ConnectionString $pg -Table auth_user | Select-Object -First 1)
            $first.Count | Should -Be 1
            $first[0].id | Should -Be 1
        }
    }

    Context 'failures' {
        It 'a connection failure is a terminating error without the password' {
            $secret = 'S3cret-Pa55-' + [guid]::NewGuid().ToString('N')
            $port = Get-FreeTcpPort
            $bad = "Host=127.0.0.1;Port=$port;Username=app;Password=$secret;Database=nowhere;Timeout=3"
            $caught = $null
            try {
                Export-PgTable -ConnectionString $bad -Table auth_user
            } catch {
                $caught = $_
            }
            $caught | Should -Not -BeNullOrEmpty
            $caught.FullyQualifiedErrorId | Should -Match '^(ConnectionFailed|DescribeFailed),'
            $caught.CategoryInfo.Category | Should -BeIn @('ConnectionError', 'ObjectNotFound')
            ($caught | Out-String) | Should -Not -Match ([regex]::Escape($secret))
            $caught.Exception.ToString() | Should -Not -Match ([regex]::Escape($secret))
            $caught.Exception.Message | Should -Match '127\.0\.0\.1'
        }

        It 'an unknown table is a terminating error naming it' {
            { Export-PgTable -ConnectionString $pg -Table no_such_table } |
                Should -Throw -ErrorId 'DescribeFailed,*' -ExpectedMessage '*no_such_table*'
        }

        It 'refuses a call without -Table' {
            { Export-PgTable -ConnectionString $pg -Table @() } | Should -Throw
        }

        It 'refuses -Schema or -ExcludeTable with named tables instead of ignoring them' {
            { Export-PgTable -ConnectionString $pg -Table auth_user -Schema sales } |
                Should -Throw -ErrorId 'InvalidArgument,*' -ExpectedMessage '-Schema and -ExcludeTable select among all tables*'
            # Before connecting: a server that is not there is never asked.
            { Export-PgTable -ConnectionString 'Host=127.0.0.1;Port=1;Database=none' -Table auth_user -ExcludeTable auth_user } |
                Should -Throw -ErrorId 'InvalidArgument,*' -ExpectedMessage '-Schema and -ExcludeTable select among all tables*'
        }
    }
}

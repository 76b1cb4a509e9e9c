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

        It 'shows timestamps as ISO 8601 with microseconds' {
            "$($users[0].date_joined)" | Should -Be '2024-01-31T23:59:59.123456Z'
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
    }
}

#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-MigrationTestModule
    $server = Start-TestPostgres
    $pg = $server.ConnectionString
    Initialize-ListCutterDatabase -ConnectionString $pg
    $tableMap = @{ auth_user = 'users'; list_cutter_savedfile = 'saved_files'; contacts_person = 'persons' }
}

AfterAll {
    Stop-TestPostgres -Server $server
}

Describe 'ConvertTo-D1Row' {
    Context 'Postgres rows with the default policy' {
        BeforeAll {
            $users = @(Export-PgTable -ConnectionString $pg -Table auth_user | ConvertTo-D1Row -TableMap $tableMap -AllowUnmatchedName)
            $files = @(Export-PgTable -ConnectionString $pg -Table list_cutter_savedfile | ConvertTo-D1Row -TableMap $tableMap -AllowUnmatchedName)
            $alice = $users | Where-Object username -eq 'alice'
        }

        It 'converts every row and renames the table' {
            $users.Count | Should -Be 3
            $users[0].GetSchema().Name | Should -Be 'users'
            $users[0].GetSchema().Kind | Should -Be 'D1'
        }

        It 'makes booleans INTEGER 0/1' {
            $alice.is_active | Should -BeOfType [long]
            $alice.is_active | Should -Be 1
            ($users | Where-Object username -eq 'bob').is_active | Should -Be 0
            @($users.is_staff | Sort-Object -Unique) | Should -Be @(0, 1)
        }

        It 'keeps NULL as $null, not an empty string' {
            $null -eq $alice.last_login | Should -BeTrue
            ($users | Where-Object username -eq 'bob').last_name | Should -BeExactly ''
        }

        It 'writes timestamps as ISO 8601 TEXT with microseconds' {
            $alice.date_joined | Should -BeOfType [string]
            $alice.date_joined | Should -Be '2024-01-31T23:59:59.123456Z'
        }

        It 'writes jsonb as JSON text and text[] as a JSON array' {
            $first = $files | Where-Object file_id -eq 'f-001'
            $first.metadata | Should -BeOfType [string]
            ($first.metadata | ConvertFrom-Json).nested.k[1] | Should -Be 2.5
            ($first.metadata | ConvertFrom-Json).text | Should -Be 'é "q"'
            $tags = ConvertFrom-Json $first.system_tags -NoEnumerate
            $tags.Count | Should -Be 3
            $tags[1] | Should -Be 'has,comma'
            $null -eq $tags[2] | Should -BeTrue
            # An empty array is the text [] (not NULL, not ''); -NoEnumerate would send it down the
            # pipeline as one object, so Should would count 1.
            $first.user_tags | Should -BeExactly '[]'
            @(ConvertFrom-Json $first.user_tags) | Should -HaveCount 0
            $null -eq ($files | Where-Object file_id -eq 'f-002').metadata | Should -BeTrue
        }

        It 'supports Where-Object, Select-Object, Export-Csv and ConvertTo-Json on D1 rows' {
            @($users | Where-Object { $_.is_active -eq 1 }).Count | Should -Be 2
            ($users | Select-Object -First 1 -Property username, email).email | Should -Be 'alice@example.com'

            $csv = Join-Path $TestDrive 'users.csv'
            $users | Export-Csv -LiteralPath $csv -NoTypeInformation
            (Import-Csv -LiteralPath $csv | Where-Object username -eq 'carol').last_name | Should -Be 'O''Brien, "Jr"'

            $json = $alice | ConvertTo-Json -Compress
            $json | Should -Match '"last_login":null'
            $json | Should -Match '"is_active":1'
        }
    }

    Context 'mapping options' {
        It 'renames and leaves out columns' {
            $row = Export-PgTable -ConnectionString $pg -Table auth_user |
                ConvertTo-D1Row -Exclude 'auth_user.password' -ColumnMap @{ 'auth_user.date_joined' = 'created_at' } |
                Select-Object -First 1
            $names = @($row.PSObject.Properties.Name)
            $names | Should -Not -Contain 'password'
            $names | Should -Not -Contain 'date_joined'
            $row.created_at | Should -Be '2024-01-31T23:59:59.123456Z'
        }

        It 'adds computed columns, with $_ as the source row' {
            $rows = @(Export-PgTable -ConnectionString $pg -Table auth_user |
                ConvertTo-D1Row -ComputedColumn @{
                    'auth_user.full_name' = { ($_.first_name + ' ' + $_.last_name).Trim() }
                    'auth_user.name_length' = @{ Expression = { $_.username.Length }; Type = 'Integer' }
                })
            $rows[0].full_name | Should -Be 'Alice Ångström'
            $rows[1].full_name | Should -Be 'Bob'
            $rows[0].name_length | Should -Be 5
            $rows[0].name_length | Should -BeOfType [long]
        }

        It 'writes timestamps as Unix seconds when asked, refusing to drop fractions silently' {
            $errs = $null
            $rows = @(Export-PgTable -ConnectionString $pg -Table auth_user |
                ConvertTo-D1Row -TimestampFormat UnixSeconds -ErrorVariable errs -ErrorAction SilentlyContinue)
            # alice joined at .123456 and carol logged in at .5: both rows fail, bob's converts.
            $rows.Count | Should -Be 1
            $rows[0].username | Should -Be 'bob'
            $rows[0].date_joined | Should -Be 946684799
            $errs.Count | Should -Be 2
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ConversionFailed,*'

            $lossy = @(Export-PgTable -ConnectionString $pg -Table auth_user |
                ConvertTo-D1Row -TimestampFormat UnixSeconds -AllowPrecisionLoss)
            $lossy.Count | Should -Be 3
            $lossy[0].date_joined | Should -Be 1706745599
        }

        It 'takes per-column overrides' {
            $row = Export-PgTable -ConnectionString $pg -Table auth_user |
                ConvertTo-D1Row -TimestampFormat UnixSeconds -AllowPrecisionLoss -ColumnOverride @{ 'auth_user.date_joined' = @{ TimestampFormat = 'Iso8601' } } |
                Select-Object -First 1
            $row.date_joined | Should -Be '2024-01-31T23:59:59.123456Z'
            $row.last_login | Should -BeNullOrEmpty
        }

        It 'rejects a malformed option before reading any row' {
            { Export-PgTable -ConnectionString $pg -Table auth_user | ConvertTo-D1Row -ColumnOverride @{ 'auth_user.date_joined' = @{ Format = 'x' } } } |
                Should -Throw -ErrorId 'InvalidConversionOptions,*'
            { Export-PgTable -ConnectionString $pg -Table auth_user | ConvertTo-D1Row -ComputedColumn @{ 'no_table_part' = { 1 } } } |
                Should -Throw -ErrorId 'InvalidConversionOptions,*'
        }
    }

    Context 'a value that cannot be converted' {
        It 'is a non-terminating error naming table, key and column, and the other rows arrive' {
            $errs = $null
            $rows = @(Export-PgTable -ConnectionString $pg -Table contacts_person |
                ConvertTo-D1Row -ErrorVariable errs -ErrorAction SilentlyContinue)
            $rows.Count | Should -Be 2
            $rows.cuttyid | Should -Be @(1, 2)
            $errs.Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ConversionFailed,*'
            $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $errs[0].Exception.Message | Should -Match 'contacts_person'
            $errs[0].Exception.Message | Should -Match 'cuttyid=3'
            $errs[0].Exception.Message | Should -Match 'ratio'
            $errs[0].Exception.Column | Should -Be 'ratio'
            $errs[0].TargetObject.cuttyid | Should -Be 3
        }

        It 'stops the pipeline with -ErrorAction Stop' {
            { Export-PgTable -ConnectionString $pg -Table contacts_person | ConvertTo-D1Row -ErrorAction Stop } |
                Should -Throw -ErrorId 'ConversionFailed,*'
        }

        It 'converts with an explicit -NonFinite policy' {
            $rows = @(Export-PgTable -ConnectionString $pg -Table contacts_person | ConvertTo-D1Row -NonFinite Text)
            $rows.Count | Should -Be 3
            $rows[2].ratio | Should -Be 'NaN'
            $null -eq (Export-PgTable -ConnectionString $pg -Table contacts_person | ConvertTo-D1Row -NonFinite Null | Select-Object -Last 1).ratio |
                Should -BeTrue
        }
    }

    Context 'plain objects' {
        It 'converts ConvertFrom-Json records with -TableName' {
            $json = '[{"isbn":"9780000000001","title":"Dune","pages":412,"price":9.99,"tags":["sf","classic"],"meta":{"lang":"en"},"out_of_print":false,"note":null},
                      {"isbn":"9780000000002","title":"Emma","pages":300,"price":5.5,"tags":[],"meta":{"lang":"en"},"out_of_print":true,"note":"x"}]'
            $rows = @($json | ConvertFrom-Json | ConvertTo-D1Row -TableName books)
            $rows.Count | Should -Be 2
            $rows[0].GetSchema().Name | Should -Be 'books'
            $rows[0].title | Should -Be 'Dune'
            $rows[0].pages | Should -Be 412
            (ConvertFrom-Json $rows[0].tags -NoEnumerate) | Should -Be @('sf', 'classic')
            (ConvertFrom-Json $rows[0].meta).lang | Should -Be 'en'
            $null -eq $rows[0].note | Should -BeTrue
            $rows[1].out_of_print | Should -Be 1
        }

        It 'converts hashtables with -TableName and applies -TableMap to them' {
            $row = [ordered]@{ id = 7; name = 'seven' } | ConvertTo-D1Row -TableName numbers -TableMap @{ numbers = 'n' }
            $row.GetSchema().Name | Should -Be 'n'
            $row.id | Should -Be 7
            $row.name | Should -Be 'seven'
        }

        It 'needs -TableName' {
            { [pscustomobject]@{ a = 1 } | ConvertTo-D1Row } | Should -Throw -ErrorId 'TableNameRequired,*'
        }

        It 'passes D1 rows on unchanged' {
            $d1 = [ordered]@{ id = 1 } | ConvertTo-D1Row -TableName t
            $again = $d1 | ConvertTo-D1Row
            [object]::ReferenceEquals($d1, $again) | Should -BeTrue
        }
    }
}

Describe 'ConvertTo-D1Row checks the whole set of tables before the first row' {
    BeforeAll {
        $refusals = New-TestPgDatabase -Server $server -Sql (Get-RefusalFixtureSql)
    }

    It 'stops on a name in -Exclude, -ColumnMap or -TableMap that matches nothing, naming the closest real name, before any row' {
        $out = [System.Collections.Generic.List[object]]::new()
        $err = $null
        try {
            Export-PgTable -ConnectionString $refusals -Table users, parents |
                ConvertTo-D1Row -Exclude pasword -ColumnMap @{ 'users.emial' = 'mail' } -TableMap @{ user = 'people' } |
                ForEach-Object { $out.Add($_) }
        } catch { $err = $_ }
        $out.Count | Should -Be 0
        $err.FullyQualifiedErrorId | Should -BeLike 'UnmatchedName,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -BeLike '*-Exclude "pasword" matches no column*did you mean "password"?*'
        $err.Exception.Message | Should -BeLike '*-ColumnMap "users.emial"*did you mean "users.email"?*'
        $err.Exception.Message | Should -BeLike '*-TableMap "user" matches no table*did you mean "users"?*'
        $err.Exception.Message | Should -BeLike '*-AllowUnmatchedName*'
    }

    It 'checks -ColumnOverride and -ComputedColumn names too' {
        { Export-PgTable -ConnectionString $refusals -Table users | ConvertTo-D1Row -ColumnOverride @{ 'users.emali' = @{ NumericAs = 'Text' } } } |
            Should -Throw -ErrorId 'UnmatchedName,*' -ExpectedMessage '*did you mean "users.email"*'
        { Export-PgTable -ConnectionString $refusals -Table users | ConvertTo-D1Row -ComputedColumn @{ 'usres.full' = { 'x' } } } |
            Should -Throw -ErrorId 'UnmatchedName,*' -ExpectedMessage '*-ComputedColumn "usres" matches no table*did you mean "users"*'
    }

    It 'takes names that match nothing with -AllowUnmatchedName' {
        $rows = @(Export-PgTable -ConnectionString $refusals -Table users | ConvertTo-D1Row -Exclude password, pasword -TableMap @{ other = 'x' } -AllowUnmatchedName)
        $rows.Count | Should -Be 2
        $rows[0].GetSchema().Columns.Name | Should -Be @('id', 'email')
    }

    It 'refuses a table the mapping cannot apply to with one error naming it and the parameter; the other tables convert' {
        $rows = @(Export-PgTable -ConnectionString $refusals -Table users, parents |
            ConvertTo-D1Row -ColumnMap @{ 'users.email' = 'password' } -ErrorVariable errs -ErrorAction SilentlyContinue -WarningVariable warned -WarningAction SilentlyContinue)
        $rows.Count | Should -Be 2
        @($rows | ForEach-Object { $_.GetSchema().Name } | Select-Object -Unique) | Should -Be @('parents')
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'TableRefused,*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errs[0].TargetObject | Should -Be 'public.users'
        $errs[0].Exception.FixParameters | Should -Be @('ColumnMap')
        "$($errs[0])" | Should -BeLike '*public.users*would both be the D1 column "password"*-ColumnMap*'
        "$warned" | Should -BeLike '*public.users*2 rows were not converted*'
    }

    It 'under -ErrorAction Stop lists every problem of the set in one error and passes no row' {
        $out = [System.Collections.Generic.List[object]]::new()
        $err = $null
        try {
            Export-PgTable -ConnectionString $refusals -All |
                ConvertTo-D1Row -ColumnMap @{ 'users.email' = 'password' } -ErrorAction Stop | ForEach-Object { $out.Add($_) }
        } catch { $err = $_ }
        $out.Count | Should -Be 0
        $err.FullyQualifiedErrorId | Should -BeLike 'TablesRefused,*'
        $message = $err.Exception.Message
        foreach ($t in 'public.users', 'public.wide', 'public._cf_meta', 'public.items', 'archive.items') { $message | Should -BeLike "*Table $t*" }
        $message | Should -BeLike '*101 columns*-Exclude*'
        $message | Should -BeLike '*reserved by D1*-TableMap*'
    }
}

#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# A json/jsonb array holding a JSON null element next to an SQL NULL element: carried in its
# text form ({"json_text": [...]}, docs/type-mapping.md), round-tripped and proven intact.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-MigrationTestModule
    $server = Start-TestPostgres
    $pg = $server.ConnectionString
    Invoke-TestPgSql -ConnectionString $pg -Sql @'
CREATE TABLE docs (id int PRIMARY KEY, b jsonb[], j json[]);
INSERT INTO docs VALUES
  (1, '{"null",NULL}', '{" null ",NULL}'),
  (2, '{"{\"a\": 1}",NULL}', '{"[1,  2]"}'),
  (3, '{{"null","\"s\""},{NULL,"2"}}', NULL);
'@
    $db = Join-Path $TestDrive 'docs.sqlite'
    $summary = Export-PgTable -ConnectionString $pg -Table docs | ConvertTo-D1Row | Import-D1Batch -Path $db
}

AfterAll {
    Stop-TestPostgres -Server $server
}

Describe 'json and jsonb arrays with a JSON null element' {
    It 'are written, not refused' {
        $summary.RowsWritten | Should -Be 3
        $summary.RowsFailed | Should -Be 0
    }

    It 'hold the text form: each element its JSON text, an SQL NULL element null' {
        $rows = @(Invoke-TestSqlite -Path $db -Sql 'SELECT b, j FROM docs ORDER BY id')
        $rows[0].b | Should -BeExactly '{"json_text":["null",null]}'
        $rows[0].j | Should -BeExactly '{"json_text":[" null ",null]}'
        $rows[2].b | Should -BeExactly '{"json_text":[["null","\"s\""],[null,"2"]]}'
        # Arrays without a JSON null element keep the embedded form.
        $rows[1].b | Should -BeExactly '[{"a": 1},null]'
        $rows[1].j | Should -BeExactly '[[1,  2]]'
    }

    It 'read back to exactly the Postgres elements' {
        $text = (Invoke-TestSqlite -Path $db -Sql 'SELECT b FROM docs WHERE id = 1').b | ConvertFrom-Json
        $text.json_text.Count | Should -Be 2
        $text.json_text[0] | Should -BeExactly 'null'      # the JSON null, as JSON text
        $null -eq $text.json_text[1] | Should -BeTrue      # the SQL NULL element
    }

    It 'pass every integrity check' {
        $r = @(Test-MigrationIntegrity -ConnectionString $pg -Path $db -Table docs)
        $r.Count | Should -BeGreaterThan 5
        @($r | Where-Object { -not $_.Passed } | ForEach-Object { "$($_.Check): $($_.Details)" }) | Should -BeNullOrEmpty
    }
}

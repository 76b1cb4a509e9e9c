#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Workers KV -> D1 (issue 13; scenarios 3 "Fear & Greed bot" and 5 "BooksTrack"), in a real pwsh:
# KV served by the API test server (a Worker under wrangler dev over a real local KV), by the
# state `wrangler kv ... --local` writes, and by a JSON dump; real SQLite files as targets.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-MigrationTestModule
    $root = Get-MigrationRepoRoot
    $state = Join-Path ([IO.Path]::GetTempPath()) ("kv-pester-" + [guid]::NewGuid().ToString('N'))
    $server = Start-TestD1ApiServer -State $state -Database bookstrack -Kv bot, books
    $botNs = ($server.kv_namespaces | Where-Object title -eq 'bot').id

    function Send-KvBulk {
        param([string] $Namespace, [object[]] $Pairs)
        $uri = "$($server.api_base_url)/accounts/$($server.account_id)/storage/kv/namespaces/$Namespace/bulk"
        $body = ConvertTo-Json -InputObject @($Pairs) -Depth 5 -Compress
        $answer = Invoke-RestMethod -Method Put -Uri $uri -Headers @{ Authorization = "Bearer $($server.token)" } -ContentType 'application/json' -Body $body
        if (-not $answer.success -or $answer.result.unsuccessful_keys.Count -gt 0) { throw "bulk put failed: $($answer | ConvertTo-Json -Depth 5)" }
    }

    # Scenario 3's namespace, as the bot's code wrote it (values are JSON text).
    $botPairs = @(
        @{ key = 'chat_ids'; value = '[-1001234567890, 111, 222]' }
        @{ key = 'watchlist:-1001234567890'; value = '["AAPL","MSFT"]' }
        @{ key = 'watchlist:111'; value = '["TSLA"]' }
        @{ key = 'watchlist:222'; value = '["NVDA","AMD","INTC"]' }
        @{ key = 'watchlist:333'; value = '["AAPL",' }                      # malformed
        @{ key = 'watchlist:999'; value = '["GME"]' }                       # orphan: no such chat id
        @{ key = 'execution_history:111'; value = '[{"ticker":"TSLA","action":"buy","price":181.25,"executed_at":1714000000},{"ticker":"TSLA","action":"sell","price":190.5,"executed_at":1714100000}]' }
        @{ key = 'execution_history:222'; value = '[{"ticker":"NVDA","action":"buy","price":"n/a","executed_at":1714000500},{"ticker":"AMD","action":"buy","price":150,"executed_at":1714000600}]' }
        @{ key = 'active_position:111'; value = '{"ticker":"TSLA","entry_price":181.25,"opened_at":1714000000}' }
        @{ key = 'active_position:222'; value = '{"ticker":"AMD","entry_price":150,"opened_at":1714000600}' }
        @{ key = 'fear_greed_cache'; value = '{"score":42,"rating":"fear"}'; expiration_ttl = 3600; metadata = @{ source = 'cnn' } }
        @{ key = 'note:111'; value = 'buy the dip, not the top' }                                     # text, not JSON
        @{ key = 'avatar:111'; value = [Convert]::ToBase64String([byte[]](0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0xFF, 0x00)); base64 = $true }  # bytes, not UTF-8
    )
    Send-KvBulk -Namespace $botNs -Pairs $botPairs

    # Scenario 5's books (20,000 keys and 3 broken ones), written before the bot's Describes run.
    $booksNs = ($server.kv_namespaces | Where-Object title -eq 'books').id
    $total = 20000
    $pairs = [Collections.Generic.List[object]]::new()
    for ($i = 0; $i -lt $total; $i++) {
        $isbn = (9780000000000 + $i).ToString()
        $pairs.Add(@{ key = "book:isbn:$isbn"; value = '{"isbn":"' + $isbn + '","title":"Book ' + $i + '","year":' + (1900 + ($i % 120)) + ',"pages":' + (100 + $i) + '}' })
    }
    # A few broken ones, all late in key order (so a run stopped by the first can be resumed).
    $pairs.Add(@{ key = 'book:isbn:9780000015000x'; value = '{"isbn":"9780000015000x","title":' })                     # invalid JSON
    $pairs.Add(@{ key = 'book:isbn:9780000016000x'; value = '{"isbn":"9780000016000x","year":2001,"pages":1}' })      # no title
    $pairs.Add(@{ key = 'book:isbn:9780000017000x'; value = '{"isbn":"9780000017000x","title":"T","year":"MMI","pages":1}' }) # wrong type
    # Twenty thousand puts through the Worker take minutes (about 11 ms each under wrangler
    # dev), so the first pair goes through the API (which creates the namespace's storage)
    # and the rest are written into that same storage the way Miniflare keeps it (a row in
    # _mf_entries, the value in a blob file); the Worker then lists and serves them as any other.
    Send-KvBulk -Namespace $booksNs -Pairs @($pairs[0])
    $kvDir = Join-Path $state 'persist/v3/kv'
    $hmacKey = [Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes('miniflare-KVNamespaceObject'))
    $nameMac = [Security.Cryptography.HMACSHA256]::HashData($hmacKey, [Text.Encoding]::UTF8.GetBytes($booksNs))[0..15]
    $idMac = [Security.Cryptography.HMACSHA256]::HashData($hmacKey, [byte[]]$nameMac)[0..15]
    $storage = Join-Path $kvDir ('miniflare-KVNamespaceObject/' + [Convert]::ToHexString([byte[]]($nameMac + $idMac)).ToLowerInvariant() + '.sqlite')
    if (-not (Test-Path -LiteralPath $storage)) { throw "Miniflare's KV storage is not where expected: $storage" }
    $blobs = Join-Path $kvDir "$booksNs/blobs"
    $connection = [Microsoft.Data.Sqlite.SqliteConnection]::new("Data Source=$storage;Pooling=False")
    $connection.Open()
    try {
        $transaction = $connection.BeginTransaction()
        $insert = $connection.CreateCommand()
        $insert.Transaction = $transaction
        $insert.CommandText = 'INSERT INTO _mf_entries (key, blob_id, expiration, metadata) VALUES ($k, $b, NULL, NULL)'
        $k = $insert.Parameters.Add('$k', [Microsoft.Data.Sqlite.SqliteType]::Text)
        $b = $insert.Parameters.Add('$b', [Microsoft.Data.Sqlite.SqliteType]::Text)
        foreach ($pair in $pairs.GetRange(1, $pairs.Count - 1)) {
            $blobId = [guid]::NewGuid().ToString('N') + [guid]::NewGuid().ToString('N')
            [IO.File]::WriteAllText((Join-Path $blobs $blobId), $pair.value)
            $k.Value = $pair.key
            $b.Value = $blobId
            [void] $insert.ExecuteNonQuery()
        }
        $transaction.Commit()
    } finally { $connection.Dispose() }
    # Scenario 5 reads all of them through the API once: 222 requests, about a minute at the
    # client's rate limit (3.3 requests/s after a burst of 20), nearly all of it waiting. The read
    # runs in a thread of its own (its own cmdlet call, its own client and limiter) while the
    # scenario 3 Describes run, and scenario 5 takes its result.
    $booksReadSeconds = [ref] 0.0
    $booksJob = Start-ThreadJob -ScriptBlock {
        param($manifest, $seconds)
        Import-Module $manifest -ErrorAction Stop
        $clock = [Diagnostics.Stopwatch]::StartNew()
        Export-KvEntry -Namespace 'books' -Prefix 'book:isbn:' -ErrorAction Stop
        $seconds.Value = $clock.Elapsed.TotalSeconds
    } -ArgumentList (Join-Path $root 'Migration.psd1'), $booksReadSeconds

    $botSchema = @'
CREATE TABLE users (chat_id TEXT PRIMARY KEY, subscription_status INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL DEFAULT (unixepoch()));
CREATE TABLE watchlists (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_id TEXT NOT NULL REFERENCES users(chat_id), ticker TEXT NOT NULL, UNIQUE (chat_id, ticker));
CREATE TABLE executions (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_id TEXT NOT NULL REFERENCES users(chat_id), ticker TEXT NOT NULL, action TEXT NOT NULL, price REAL NOT NULL, executed_at INTEGER NOT NULL);
CREATE TABLE active_positions (chat_id TEXT PRIMARY KEY REFERENCES users(chat_id), ticker TEXT NOT NULL, entry_price REAL NOT NULL, opened_at INTEGER NOT NULL);
CREATE TABLE fear_greed_cache (name TEXT PRIMARY KEY, score INTEGER NOT NULL, rating TEXT NOT NULL, expires_at INTEGER);
CREATE TABLE notes (chat_id TEXT PRIMARY KEY REFERENCES users(chat_id), note TEXT NOT NULL);
CREATE TABLE avatars (chat_id TEXT PRIMARY KEY REFERENCES users(chat_id), image BLOB NOT NULL);
'@
    function New-BotDatabase {
        param([string] $Name)
        $path = Join-Path $TestDrive $Name
        foreach ($statement in $botSchema -split ";\r?\n" | Where-Object { $_.Trim() }) { Invoke-TestSqliteWrite -Path $path -Sql $statement }
        $path
    }

    # The whole bot migration, one pipeline per key family (what the scenario's script did by hand).
    function Invoke-BotMigration {
        [CmdletBinding()]
        param([hashtable] $Source, [string] $Database, [string] $OnConflict = 'Ignore')
        Export-KvEntry @Source -Prefix 'chat_ids' |
            ConvertTo-D1Row -TableName users -KeyPattern 'chat_ids' -ExpandProperty chat_id -TargetPath $Database |
            Import-D1Batch -Path $Database -OnConflict $OnConflict
        Export-KvEntry @Source -Prefix 'watchlist:' |
            ConvertTo-D1Row -TableName watchlists -KeyPattern 'watchlist:{chat_id}' -ExpandProperty ticker |
            Import-D1Batch -Path $Database -OnConflict $OnConflict
        Export-KvEntry @Source -Prefix 'active_position:' |
            ConvertTo-D1Row -TableName active_positions -KeyPattern 'active_position:{chat_id}' -TargetPath $Database |
            Import-D1Batch -Path $Database -OnConflict Upsert
        Export-KvEntry @Source -Prefix 'fear_greed_cache' |
            ConvertTo-D1Row -TableName fear_greed_cache -KeyColumn name -ExpirationColumn expires_at -TargetPath $Database |
            Import-D1Batch -Path $Database -OnConflict Upsert
        # Values that are not JSON, kept as they are: text into TEXT, bytes into BLOB.
        Export-KvEntry @Source -Prefix 'note:' |
            ConvertTo-D1Row -TableName notes -KeyPattern 'note:{chat_id}' -ExpandProperty note -AllowNonJson -TargetPath $Database |
            Import-D1Batch -Path $Database -OnConflict Upsert
        Export-KvEntry @Source -Prefix 'avatar:' |
            ConvertTo-D1Row -TableName avatars -KeyPattern 'avatar:{chat_id}' -ExpandProperty image -AllowNonJson -TargetPath $Database |
            Import-D1Batch -Path $Database -OnConflict Upsert
    }

    function Get-TableText {
        # Every row of the bot's tables (ids and clock-filled columns left out), for comparing runs.
        param([string] $Database)
        @(
            Invoke-TestSqlite -Path $Database -Sql 'SELECT chat_id, subscription_status FROM users ORDER BY chat_id'
            Invoke-TestSqlite -Path $Database -Sql 'SELECT chat_id, ticker FROM watchlists ORDER BY chat_id, ticker'
            Invoke-TestSqlite -Path $Database -Sql 'SELECT * FROM active_positions ORDER BY chat_id'
            Invoke-TestSqlite -Path $Database -Sql 'SELECT name, score, rating, typeof(expires_at) AS t FROM fear_greed_cache'
            Invoke-TestSqlite -Path $Database -Sql 'SELECT chat_id, note, typeof(note) AS t FROM notes'
            Invoke-TestSqlite -Path $Database -Sql 'SELECT chat_id, hex(image) AS image, typeof(image) AS t FROM avatars'
        ) | ConvertTo-Json -Compress
    }
    function Get-DatabaseChecksum {
        param([string] $Database)
        $text = @('users', 'watchlists', 'executions', 'active_positions', 'fear_greed_cache', 'notes', 'avatars' | ForEach-Object {
            Invoke-TestSqlite -Path $Database -Sql "SELECT * FROM $_ ORDER BY 1, 2" | ConvertTo-Json -Compress
        }) -join "`n"
        [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($text)))
    }
}

AfterAll {
    if ($booksJob) { Remove-Job -Job $booksJob -Force -ErrorAction SilentlyContinue }
    Stop-TestD1ApiServer -Server $server
}

Describe 'Export-KvEntry and ConvertTo-D1Row -KeyPattern: scenario 3 from the API test server' {
    BeforeAll {
        $db = New-BotDatabase 'bot.sqlite'
        $first = @(Invoke-BotMigration -Source @{ Namespace = 'bot' } -Database $db 2>&1)
        $firstErrors = @($first | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $firstChecksum = Get-DatabaseChecksum $db
    }

    It 'emits one object per key, in key order, with the value parsed and the TTL and metadata kept' {
        $entries = @(Export-KvEntry -Namespace 'bot')
        $expected = [string[]]$botPairs.key
        [Array]::Sort($expected, [StringComparer]::Ordinal)   # ASCII keys: ordinal is KV's byte order
        $entries.Key | Should -Be $expected
        $entries.Count | Should -Be $botPairs.Count
        $cache = $entries | Where-Object Key -eq 'fear_greed_cache'
        $cache.ValueKind | Should -Be 'Json'
        $cache.Value.score | Should -Be 42
        $cache.Metadata.source | Should -Be 'cnn'
        $cache.Expiration | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddMinutes(50))
        ($entries | Where-Object Key -eq 'watchlist:333').ValueKind | Should -Be 'Text'
        ($entries | Where-Object Key -eq 'chat_ids').Value[0] | Should -BeOfType [long]
        $note = $entries | Where-Object Key -eq 'note:111'
        $note.ValueKind | Should -Be 'Text'
        $note.Value | Should -Be 'buy the dip, not the top'
        $avatar = $entries | Where-Object Key -eq 'avatar:111'
        $avatar.ValueKind | Should -Be 'Binary'
        [Convert]::ToHexString([byte[]]$avatar.Value) | Should -Be '89504E470D0A1A0AFF00'
    }

    It 'resolves the namespace by title or id and -Binding through a wrangler config' {
        @(Export-KvEntry -Namespace $botNs -Prefix 'watchlist:').Count | Should -Be 5
        $config = Join-Path $TestDrive 'wrangler.json'
        Set-Content -LiteralPath $config -Value (@{ name = 'bot'; kv_namespaces = @(@{ binding = 'BOT'; id = $botNs }) } | ConvertTo-Json -Depth 4)
        @(Export-KvEntry -WranglerConfig $config -Binding BOT -Prefix 'active_position:').Count | Should -Be 2
    }

    It 'turns chat_ids into users with the chat id exact as TEXT and the DEFAULT columns filled' {
        $users = @(Invoke-TestSqlite -Path $db -Sql 'SELECT chat_id, typeof(chat_id) AS t, subscription_status, created_at FROM users ORDER BY chat_id')
        $users.chat_id | Should -Be @('-1001234567890', '111', '222')
        $users.t | Should -Be @('text', 'text', 'text')
        $users.subscription_status | Should -Be @(1, 1, 1)
        $users | ForEach-Object { $_.created_at | Should -BeGreaterThan 1700000000 }
    }

    It 'expands each watchlist into one row per ticker with the chat id from the key (AUTOINCREMENT id left to SQLite)' {
        $rows = @(Invoke-TestSqlite -Path $db -Sql 'SELECT id, chat_id, ticker FROM watchlists ORDER BY chat_id, ticker')
        ($rows | ForEach-Object { "$($_.chat_id)/$($_.ticker)" }) | Should -Be @('-1001234567890/AAPL', '-1001234567890/MSFT', '111/TSLA', '222/AMD', '222/INTC', '222/NVDA')
        $rows.id | Should -Not -Contain $null
    }

    It 'quarantines the malformed value under its KV key and the orphan under its key and constraint; the rest went on' {
        $quarantine = @(Get-MigrationRun -Path $db -Quarantine | Where-Object Table -eq 'watchlists')
        $malformed = $quarantine | Where-Object Key -like '*watchlist:333*'
        $malformed | Should -Not -BeNullOrEmpty
        $malformed.Reason | Should -BeLike 'invalid JSON*'
        $orphan = $quarantine | Where-Object Key -like '*watchlist:999*'
        $orphan | Should -Not -BeNullOrEmpty
        $orphan.Reason | Should -BeLike '*FOREIGN KEY*'
        $messages = @($firstErrors | ForEach-Object { $_.Exception.Message })
        ($messages | Where-Object { $_ -like '*KV key "watchlist:999"*' -and $_ -like '*FOREIGN KEY*' }) | Should -Not -BeNullOrEmpty
        ($messages | Where-Object { $_ -like '*KV key "watchlist:333"*' -and $_ -like '*invalid JSON*' }) | Should -Not -BeNullOrEmpty
    }

    It 'keeps the cache entry with its TTL as an expiry time and the key in a column' {
        $cache = Invoke-TestSqlite -Path $db -Sql 'SELECT name, score, rating, expires_at FROM fear_greed_cache'
        $cache.name | Should -Be 'fear_greed_cache'
        $cache.score | Should -Be 42
        $cache.expires_at | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddMinutes(50).ToUnixTimeSeconds())
    }

    It 'changes nothing when run again with Ignore/Upsert (same checksum)' {
        $null = Invoke-BotMigration -Source @{ Namespace = 'bot' } -Database $db -ErrorAction SilentlyContinue 2>$null
        Get-DatabaseChecksum $db | Should -Be $firstChecksum
    }

    It 'refuses -OnConflict Ignore up front for a table whose only key is an AUTOINCREMENT id the rows leave out' {
        $err = @()
        $messages = @(try {
            Export-KvEntry -Namespace 'bot' -Prefix 'execution_history:' |
                ConvertTo-D1Row -TableName executions -KeyPattern 'execution_history:{chat_id}' -TargetPath $db |
                Import-D1Batch -Path $db -OnConflict Ignore -ErrorVariable err -ErrorAction SilentlyContinue 2>$null | Out-Null
        } catch { $_.Exception.Message })
        $messages += @($err | ForEach-Object { $_.Exception.Message })
        $messages -join "`n" | Should -BeLike '*-OnConflict Ignore cannot keep a re-run from adding the rows again*'
        Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM executions' | Should -Be 0
    }

    It 'loads an array of objects as one row per object; a wrong type fails its element only, naming key, element and field' {
        $err = $null
        Export-KvEntry -Namespace 'bot' -Prefix 'execution_history:' |
            ConvertTo-D1Row -TableName executions -KeyPattern 'execution_history:{chat_id}' -TargetPath $db -ErrorVariable err -ErrorAction SilentlyContinue |
            Import-D1Batch -Path $db -OnConflict Abort 2>$null
        $rows = @(Invoke-TestSqlite -Path $db -Sql 'SELECT chat_id, ticker, action, price, typeof(price) AS t FROM executions ORDER BY executed_at')
        $rows.Count | Should -Be 3
        ($rows | Where-Object ticker -eq 'AMD').t | Should -Be 'real'
        $message = $err[0].Exception.Message
        $message | Should -BeLike '*KV key "execution_history:222"`[0`]*'
        $message | Should -BeLike '*column price*'
        (Get-MigrationRun -Path $db -Last -Quarantine).Key | Should -BeLike '*execution_history:222*'
    }

    It 'per-user counts match the KV values' {
        $entries = @(Export-KvEntry -Namespace 'bot' -Prefix 'watchlist:' | Where-Object ValueKind -eq 'Json')
        foreach ($e in $entries | Where-Object Key -ne 'watchlist:999') {
            $chat = $e.Key.Substring('watchlist:'.Length)
            Get-TestSqliteScalar -Path $db -Sql "SELECT count(*) FROM watchlists WHERE chat_id = '$chat'" | Should -Be $e.Value.Count
        }
    }

    It 'Test-MigrationIntegrity compares KV and D1 per key: the counts differ exactly for the malformed key, the orphan and the element that failed' {
        $watch = @(Export-KvEntry -Namespace 'bot' -Prefix 'watchlist:' |
            Test-MigrationIntegrity -Path $db -Table watchlists -KeyPattern 'watchlist:{chat_id}' -ExpandProperty ticker)
        $watch.Check | Should -Be @('RowCount', 'Sample')
        $count = $watch[0]
        $count | Should -BeOfType ([Migration.Engine.Integrity.IntegrityResult])
        $count.Passed | Should -BeFalse
        $count.Expected | Should -Be '7'    # the rows the 4 keys that parse yield (the orphan's included)
        $count.Actual | Should -Be '6'
        ($count.Differences.Key | Sort-Object) | Should -Be @('KV key "watchlist:333"', 'KV key "watchlist:999"')
        ($count.Differences | Where-Object Key -eq 'KV key "watchlist:333"').SourceValue | Should -BeLike 'no rows: invalid JSON*'
        ($count.Differences | Where-Object Key -eq 'KV key "watchlist:999"').SourceValue | Should -Be '1 row'
        ($count.Differences | Where-Object Key -eq 'KV key "watchlist:999"').TargetValue | Should -Be '0 rows'
        # the per-user counts of scenario 3: the positions, the users (one key, no fields) and the executions
        Export-KvEntry -Namespace 'bot' -Prefix 'active_position:' |
            Test-MigrationIntegrity -Path $db -Table active_positions -KeyPattern 'active_position:{chat_id}' -Quiet | Should -BeTrue
        Export-KvEntry -Namespace 'bot' -Prefix 'chat_ids' |
            Test-MigrationIntegrity -Path $db -Table users -KeyPattern 'chat_ids' -ExpandProperty chat_id -Quiet | Should -BeTrue
        $exec = Export-KvEntry -Namespace 'bot' -Prefix 'execution_history:' |
            Test-MigrationIntegrity -Path $db -Table executions -KeyPattern 'execution_history:{chat_id}' -Check RowCount
        $exec.Passed | Should -BeFalse
        $exec.Differences.Key | Should -Be 'KV key "execution_history:222"'
        $exec.Differences[0].SourceValue | Should -BeLike '2 rows (1 of them: KV key "execution_history:222"`[0`]* does not convert (column price*'
        $exec.Differences[0].TargetValue | Should -Be '1 row'
    }

    It 'Test-MigrationIntegrity compares a sample field by field and names the KV key and column of a row changed in D1; a row no key accounts for is named too' {
        $copy = Join-Path $TestDrive 'tampered.sqlite'
        Copy-Item -LiteralPath $db -Destination $copy
        Invoke-TestSqliteWrite -Path $copy -Sql "UPDATE active_positions SET entry_price = 1.5 WHERE chat_id = '111'"
        Invoke-TestSqliteWrite -Path $copy -Sql "INSERT INTO active_positions VALUES ('777', 'X', 1.0, 1)"
        $r = @(Export-KvEntry -Namespace 'bot' -Prefix 'active_position:' |
            Test-MigrationIntegrity -Path $copy -Table active_positions -KeyPattern 'active_position:{chat_id}' -SampleSize 10)
        $sample = $r | Where-Object Check -eq 'Sample'
        $sample.Passed | Should -BeFalse
        $sample.Details | Should -Be '1 of 2 random rows differ'
        $sample.Differences.Key | Should -Be 'KV key "active_position:111", chat_id=111'
        $sample.Differences.Column | Should -Be 'entry_price'
        $sample.Differences.SourceValue | Should -Be '181.25'
        $sample.Differences.TargetValue | Should -Be '1.5'
        $count = $r | Where-Object Check -eq 'RowCount'
        $count.Passed | Should -BeFalse
        $count.Differences.Key | Should -Be "chat_id='777'"
        $count.Differences.SourceValue | Should -Be 'no KV key'
        { Export-KvEntry -Namespace 'bot' -Prefix 'active_position:' | Test-MigrationIntegrity -Path $copy -Table active_positions -KeyPattern 'active_position:{chat_id}' -Check Checksum -ErrorAction Stop } |
            Should -Throw '*RowCount (per key) and Sample*'
        { Export-KvEntry -Namespace 'bot' -Prefix 'active_position:' | Test-MigrationIntegrity -Path $copy -Table positions -KeyPattern 'active_position:{chat_id}' -ErrorAction Stop } |
            Should -Throw '*no table positions*'
    }

    It 'keeps a value that is not JSON as TEXT or BLOB with -AllowNonJson, exactly; without it the value is refused as invalid JSON' {
        $note = Invoke-TestSqlite -Path $db -Sql "SELECT note, typeof(note) AS t FROM notes WHERE chat_id = '111'"
        $note.note | Should -Be 'buy the dip, not the top'
        $note.t | Should -Be 'text'
        $image = Invoke-TestSqlite -Path $db -Sql "SELECT hex(image) AS h, typeof(image) AS t FROM avatars WHERE chat_id = '111'"
        $image.h | Should -Be '89504E470D0A1A0AFF00'
        $image.t | Should -Be 'blob'
        Export-KvEntry -Namespace 'bot' -Prefix 'avatar:' |
            Test-MigrationIntegrity -Path $db -Table avatars -KeyPattern 'avatar:{chat_id}' -ExpandProperty image -AllowNonJson -Quiet | Should -BeTrue
        $err = $null
        $rows = @(Export-KvEntry -Namespace 'bot' -Prefix 'note:' |
            ConvertTo-D1Row -TableName notes -KeyPattern 'note:{chat_id}' -ExpandProperty note -TargetPath $db -ErrorVariable err -ErrorAction SilentlyContinue |
            Where-Object { $_ -isnot [Migration.Engine.Journal.RejectedRow] })
        $rows.Count | Should -Be 0
        $err[0].Exception.Message | Should -BeLike '*KV key "note:111"*invalid JSON*-AllowNonJson*'
        # bytes never become text, nor text bytes: the column's type decides, exactly
        $err = $null
        $rows = @(Export-KvEntry -Namespace 'bot' -Prefix 'avatar:' |
            ConvertTo-D1Row -TableName notes -KeyPattern 'avatar:{chat_id}' -ExpandProperty note -AllowNonJson -TargetPath $db -ErrorVariable err -ErrorAction SilentlyContinue |
            Where-Object { $_ -isnot [Migration.Engine.Journal.RejectedRow] })
        $rows.Count | Should -Be 0
        $err[0].Exception.Message | Should -BeLike '*KV key "avatar:111", chat_id=111, column note:*cannot go into a TEXT column*'
    }

    It 'names the constraint and the KV key of a UNIQUE violation and of a FOREIGN KEY one' {
        $db4 = New-BotDatabase 'unique.sqlite'
        Export-KvEntry -Namespace 'bot' -Prefix 'chat_ids' | ConvertTo-D1Row -TableName users -KeyPattern 'chat_ids' -ExpandProperty chat_id -TargetPath $db4 | Import-D1Batch -Path $db4 | Out-Null
        $dump = Join-Path $TestDrive 'twice.json'
        Set-Content -LiteralPath $dump -Value '{"watchlist:111": ["TSLA", "TSLA"], "watchlist:555": ["AAPL"]}'
        $err = $null
        Export-KvEntry -InputFile $dump | ConvertTo-D1Row -TableName watchlists -KeyPattern 'watchlist:{chat_id}' -ExpandProperty ticker |
            Import-D1Batch -Path $db4 -OnConflict Abort -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $messages = @($err | ForEach-Object { $_.Exception.Message })
        ($messages | Where-Object { $_ -like '*KV key "watchlist:111"`[1`]*UNIQUE constraint failed: watchlists.chat_id, watchlists.ticker*' }) | Should -Not -BeNullOrEmpty
        ($messages | Where-Object { $_ -like '*KV key "watchlist:555"`[0`]*FOREIGN KEY constraint failed: no row of users has (chat_id) = (555)*' }) | Should -Not -BeNullOrEmpty
        Get-TestSqliteScalar -Path $db4 -Sql 'SELECT count(*) FROM watchlists' | Should -Be 1
        $quarantined = @((Get-MigrationRun -Path $db4 -Last -Quarantine).Key | Sort-Object)
        $quarantined.Count | Should -Be 2
        $quarantined[0] | Should -BeLike 'KV key "watchlist:111"`[1`]*'
        $quarantined[1] | Should -BeLike 'KV key "watchlist:555"`[0`]*'
    }

    It 'records every run in the journal, the status table in the D1 file itself' {
        $runs = @(Get-MigrationRun -Path $db)
        $runs.Count | Should -BeGreaterOrEqual 12   # two bot migrations of six pipelines each, and the tests since
        $runs | Select-Object -First 6 | ForEach-Object { $_.Status | Should -Be 'Completed' }
        $run = Get-MigrationRun -Path $db -RunId 2
        $run.TableProgress.Table | Should -Be 'watchlists'
        $run.TableProgress.RowsWritten | Should -Be 6
        # the malformed value and the orphan, each under its KV key, in the run's quarantine
        $quarantined = @(Get-MigrationRun -Path $db -RunId 2 -Quarantine)
        $quarantined.Count | Should -Be 2
        ($quarantined.Key -join ' ') | Should -BeLike '*watchlist:333*watchlist:999*'
        # the same, as any SQLite client (or `wrangler d1 execute`) reads it
        Get-TestSqliteScalar -Path $db -Sql "SELECT status FROM d1_migration_runs WHERE run_id = 2" | Should -Be 'Completed'
        Get-TestSqliteScalar -Path $db -Sql "SELECT rows_written FROM d1_migration_run_tables WHERE run_id = 2 AND table_name = 'watchlists'" | Should -Be 6
    }

    It 'names a key that does not match -KeyPattern, and a -KeyPattern given for input that is not KV stops before any row' {
        $err = $null
        $rows = @(Export-KvEntry -Namespace 'bot' -Prefix 'active_position:' |
            ConvertTo-D1Row -TableName active_positions -KeyPattern 'position:{chat_id}' -ErrorVariable err -ErrorAction SilentlyContinue |
            Where-Object { $_ -isnot [Migration.Engine.Journal.RejectedRow] })
        $rows.Count | Should -Be 0
        $err[0].Exception.Message | Should -BeLike "*KV key `"active_position:111`"*does not match -KeyPattern 'position:{chat_id}'*"
        { [pscustomobject]@{ a = 1 } | ConvertTo-D1Row -TableName t -KeyPattern 'x:{a}' -ErrorAction Stop } | Should -Throw '*shape KV entries*'
    }

    It 'refuses a JSON number a column cannot hold exactly, naming key and field' {
        $dump = Join-Path $TestDrive 'precision.json'
        Set-Content -LiteralPath $dump -Value '{"active_position:111": {"ticker":"X","entry_price":0.1000000000000000055511151231257827,"opened_at":1}, "active_position:222": {"ticker":"Y","entry_price":2.5,"opened_at":12345678901234567890123}}'
        $err = $null
        $rows = @(Export-KvEntry -InputFile $dump | ConvertTo-D1Row -TableName active_positions -KeyPattern 'active_position:{chat_id}' -TargetPath $db -ErrorVariable err -ErrorAction SilentlyContinue |
            Where-Object { $_ -isnot [Migration.Engine.Journal.RejectedRow] })
        $rows.Count | Should -Be 0
        $err.Count | Should -Be 2
        $err[0].Exception.Message | Should -BeLike '*active_position:111*entry_price*exactly*'
        $err[1].Exception.Message | Should -BeLike '*active_position:222*opened_at*'
    }

    It '-MaxErrors stops the run once more records failed' {
        $db2 = New-BotDatabase 'maxerrors.sqlite'
        Export-KvEntry -Namespace 'bot' -Prefix 'chat_ids' | ConvertTo-D1Row -TableName users -KeyPattern 'chat_ids' -ExpandProperty chat_id -TargetPath $db2 | Import-D1Batch -Path $db2
        {
            Export-KvEntry -Namespace 'bot' -Prefix 'watchlist:' |
                ConvertTo-D1Row -TableName watchlists -KeyPattern 'watchlist:{chat_id}' -ExpandProperty ticker -ErrorAction SilentlyContinue |
                Import-D1Batch -Path $db2 -MaxErrors 0 -ErrorAction SilentlyContinue
        } | Should -Throw '*More than 0 rows failed*'
        (Get-MigrationRun -Path $db2 -Last).Status | Should -Be 'Failed'
        # the same two failures (the malformed value, the orphan) within -MaxErrors 2: the run completes
        Export-KvEntry -Namespace 'bot' -Prefix 'watchlist:' |
            ConvertTo-D1Row -TableName watchlists -KeyPattern 'watchlist:{chat_id}' -ExpandProperty ticker -ErrorAction SilentlyContinue |
            Import-D1Batch -Path $db2 -OnConflict Ignore -MaxErrors 2 -ErrorAction SilentlyContinue | Out-Null
        (Get-MigrationRun -Path $db2 -Last).Status | Should -Be 'Completed'
        Get-TestSqliteScalar -Path $db2 -Sql 'SELECT count(*) FROM watchlists' | Should -Be 6
    }

    It '-WhatIf counts what would be written and writes nothing' {
        $db3 = New-BotDatabase 'whatif.sqlite'
        $summary = Export-KvEntry -Namespace 'bot' -Prefix 'active_position:' |
            ConvertTo-D1Row -TableName active_positions -KeyPattern 'active_position:{chat_id}' -TargetPath $db3 |
            Import-D1Batch -Path $db3 -OnConflict Upsert -WhatIf -Confirm:$false
        $summary.RowsWritten | Should -Be 2
        Get-TestSqliteScalar -Path $db3 -Sql 'SELECT count(*) FROM active_positions' | Should -Be 0
    }
}

Describe 'Export-KvEntry -Path: the state `wrangler kv ... --local` keeps' {
    BeforeAll {
        $project = Join-Path $TestDrive 'worker'
        New-Item -ItemType Directory -Path $project | Out-Null
        $localId = '0f2ac74b498b48028cb68387c421e279'
        Set-Content -LiteralPath (Join-Path $project 'wrangler.json') -Value (@{ name = 'bot'; main = 'w.js'; compatibility_date = '2025-01-01'; kv_namespaces = @(@{ binding = 'BOT'; id = $localId }) } | ConvertTo-Json -Depth 4)
        Set-Content -LiteralPath (Join-Path $project 'w.js') -Value 'export default { fetch() { return new Response("ok"); } };'
        New-Item -ItemType SymbolicLink -Path (Join-Path $project 'node_modules') -Target (Join-Path $root 'node_modules') | Out-Null
        $bulk = Join-Path $project 'bot.json'
        Set-Content -LiteralPath $bulk -Value (ConvertTo-Json -InputObject @($botPairs | Where-Object { $_.key -ne 'fear_greed_cache' -and -not $_.base64 } | ForEach-Object { @{ key = $_.key; value = $_.value } }) -Depth 4)
        # bytes from a file (`kv bulk put --local` stores a base64 value's bytes re-encoded as UTF-8 text)
        $avatarPair = $botPairs | Where-Object key -eq 'avatar:111'
        [IO.File]::WriteAllBytes((Join-Path $project 'avatar.bin'), [Convert]::FromBase64String($avatarPair.value))
        Push-Location $project
        try {
            $out = npx wrangler kv bulk put bot.json --binding BOT --local 2>&1
            if ($LASTEXITCODE -ne 0) { throw "wrangler kv bulk put failed: $out" }
            $out = npx wrangler kv key put fear_greed_cache '{"score":42,"rating":"fear"}' --binding BOT --local --ttl 3600 --metadata '{"source":"cnn"}' 2>&1
            if ($LASTEXITCODE -ne 0) { throw "wrangler kv key put failed: $out" }
            $out = npx wrangler kv key put 'avatar:111' --path avatar.bin --binding BOT --local 2>&1
            if ($LASTEXITCODE -ne 0) { throw "wrangler kv key put --path failed: $out" }
        } finally { Pop-Location }
        $remoteDb = New-BotDatabase 'from-remote.sqlite'
        $null = Invoke-BotMigration -Source @{ Namespace = 'bot' } -Database $remoteDb -ErrorAction SilentlyContinue 2>$null
        $localDb = New-BotDatabase 'from-local.sqlite'
        $null = Invoke-BotMigration -Source @{ Path = $project; WranglerConfig = $project; Binding = 'BOT' } -Database $localDb -ErrorAction SilentlyContinue 2>$null
    }

    It 'reads what wrangler wrote, expiration and metadata included' {
        $entries = @(Export-KvEntry -Path $project)
        $entries.Count | Should -Be $botPairs.Count
        $cache = $entries | Where-Object Key -eq 'fear_greed_cache'
        $cache.Metadata.source | Should -Be 'cnn'
        $cache.Expiration | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddMinutes(50))
        @(Export-KvEntry -Path (Join-Path $project '.wrangler/state') -Namespace $localId -Prefix 'watchlist:').Count | Should -Be 5
    }

    It 'migrates to the same rows as the API source' {
        Get-TableText $localDb | Should -Be (Get-TableText $remoteDb)
        Get-TestSqliteScalar -Path $localDb -Sql 'SELECT count(*) FROM watchlists' | Should -Be 6
        Get-TestSqliteScalar -Path $localDb -Sql "SELECT hex(image) FROM avatars WHERE chat_id = '111'" | Should -Be '89504E470D0A1A0AFF00'
    }

    It 'completes -Binding from the wrangler config on the line' {
        $line = "Export-KvEntry -Path '$project' -WranglerConfig '$project' -Binding "
        $matches = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        $matches.CompletionText | Should -Be @('BOT')
        $matches[0].ToolTip | Should -BeLike "*$localId*"
    }

    It 'names what is missing when the folder holds no local KV state or no such namespace' {
        { Export-KvEntry -Path $TestDrive -ErrorAction Stop } | Should -Throw '*No local KV state*'
        { Export-KvEntry -Path $project -Namespace 'ffffffffffffffffffffffffffffffff' -ErrorAction Stop } | Should -Throw '*no namespace with the id ffffffffffffffffffffffffffffffff*'
    }
}

Describe 'Export-KvEntry -InputFile' {
    It 'reads an array of {key, value} and an object of key -> value alike' {
        $array = Join-Path $TestDrive 'array.json'
        Set-Content -LiteralPath $array -Value '[{"key":"b","value":"[1,2]"},{"key":"a","value":{"x":-1001234567890}},{"key":"c","value":"plain text"}]'
        $object = Join-Path $TestDrive 'object.json'
        Set-Content -LiteralPath $object -Value '{"b":[1,2],"a":{"x":-1001234567890},"c":"plain text"}'
        foreach ($file in $array, $object) {
            $e = @(Export-KvEntry -InputFile $file)
            $e.Key | Should -Be @('a', 'b', 'c')
            $e[0].Value.x | Should -Be -1001234567890
            $e[1].Value.Count | Should -Be 2
        }
        (Export-KvEntry -InputFile $array | Select-Object -Last 1).ValueKind | Should -Be 'Text'
        @(Export-KvEntry -InputFile $array -StartAfter 'a').Key | Should -Be @('b', 'c')
    }
}

Describe 'Scenario 5: 20,000+ book:isbn:* blobs from the API test server, upsert, dry run, resume' {
    BeforeAll {
        $booksSchema = 'CREATE TABLE Books (isbn TEXT PRIMARY KEY, title TEXT NOT NULL, year INTEGER NOT NULL, pages INTEGER NOT NULL, imported_at INTEGER NOT NULL DEFAULT (unixepoch()))'
        # Read (rate-limited) while the Describes above ran: see the file's BeforeAll.
        $books = @(Receive-Job -Job $booksJob -Wait -AutoRemoveJob -ErrorAction Stop)
        Write-Host "Export-KvEntry: $($books.Count) keys from the API test server in $($booksReadSeconds.Value.ToString('0.0')) s (the client's rate limiter allows about 3.3 requests/s after a burst of 20), read while the Describes above ran."
    }

    It 'lists and fetches every key' {
        $books.Count | Should -Be ($total + 3)
        $books[0].Key | Should -Be 'book:isbn:9780000000000'
    }

    It '-WhatIf counts what would be written and writes nothing' {
        $db = Join-Path $TestDrive 'books-whatif.sqlite'
        Invoke-TestSqliteWrite -Path $db -Sql $booksSchema
        $summary = $books | ConvertTo-D1Row -TableName Books -KeyPattern 'book:isbn:{isbn}' -TargetPath $db -ErrorAction SilentlyContinue |
            Import-D1Batch -Path $db -OnConflict Upsert -WhatIf -Confirm:$false 2>$null
        $summary.RowsWritten | Should -Be $total
        Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM Books' | Should -Be 0
    }

    It 'upserts every good book, quarantines the broken keys with their reason, and a re-run changes nothing' {
        $db = Join-Path $TestDrive 'books.sqlite'
        Invoke-TestSqliteWrite -Path $db -Sql $booksSchema
        $books | ConvertTo-D1Row -TableName Books -KeyPattern 'book:isbn:{isbn}' -TargetPath $db -ErrorAction SilentlyContinue |
            Import-D1Batch -Path $db -OnConflict Upsert 2>$null | Out-Null
        Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM Books' | Should -Be $total
        $q = @(Get-MigrationRun -Path $db -Last -Quarantine)
        $q.Count | Should -Be 3
        ($q | Where-Object Key -like '*9780000015000x*').Reason | Should -BeLike 'invalid JSON*'
        ($q | Where-Object Key -like '*9780000016000x*').Column | Should -Be 'title'
        ($q | Where-Object Key -like '*9780000017000x*').Column | Should -Be 'year'
        $sql = "SELECT isbn, title, year, pages FROM Books ORDER BY isbn"
        $before = (Invoke-TestSqlite -Path $db -Sql $sql | ConvertTo-Json -Compress).GetHashCode()
        $books | ConvertTo-D1Row -TableName Books -KeyPattern 'book:isbn:{isbn}' -TargetPath $db -ErrorAction SilentlyContinue |
            Import-D1Batch -Path $db -OnConflict Upsert 2>$null | Out-Null
        (Invoke-TestSqlite -Path $db -Sql $sql | ConvertTo-Json -Compress).GetHashCode() | Should -Be $before
        $sample = Invoke-TestSqlite -Path $db -Sql "SELECT * FROM Books WHERE isbn = '9780000012345'"
        $kv = ($books | Where-Object Key -eq 'book:isbn:9780000012345').Value
        foreach ($field in 'isbn', 'title', 'year', 'pages') { $sample.$field | Should -Be $kv[$field] }
    }

    It 'resumes after a stopped run at the last committed key, never fetching the keys before it again' {
        $db = Join-Path $TestDrive 'books-resume.sqlite'
        Invoke-TestSqliteWrite -Path $db -Sql $booksSchema
        { $books | ConvertTo-D1Row -TableName Books -KeyPattern 'book:isbn:{isbn}' -TargetPath $db -ErrorAction SilentlyContinue |
            Import-D1Batch -Path $db -OnConflict Upsert -MaxErrors 0 -ErrorAction Stop 2>$null } | Should -Throw '*More than 0 rows failed*'
        $committed = Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM Books'
        $committed | Should -BeGreaterThan 10000
        $committed | Should -BeLessThan $total
        $lastIsbn = Get-TestSqliteScalar -Path $db -Sql 'SELECT max(isbn) FROM Books'
        $resumed = @(Export-KvEntry -Namespace 'books' -Prefix 'book:isbn:' -ResumeFrom $db -TableName Books -KeyPattern 'book:isbn:{isbn}')
        $resumed[0].Key | Should -Be "book:isbn:$lastIsbn"
        $resumed.Count | Should -Be ($books.Count - $committed + 1)
        $resumed | ConvertTo-D1Row -TableName Books -KeyPattern 'book:isbn:{isbn}' -TargetPath $db -ErrorAction SilentlyContinue |
            Import-D1Batch -Path $db -OnConflict Upsert -Resume 2>$null | Out-Null
        Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM Books' | Should -Be $total
        (Get-MigrationRun -Path $db -Last).Status | Should -Be 'Completed'
    }
    It 'into a remote D1 as the issue writes it: -Database bookstrack -OnConflict Upsert -WhatIf counts and writes nothing; then loads, and a re-run changes nothing' {
        function Invoke-Bookstrack([string] $Sql) { Invoke-TestD1ApiSql -Server $server -Database bookstrack -Sql $Sql }
        $null = Invoke-Bookstrack $booksSchema
        $some = @($books | Select-Object -First 300)
        # dry run first, as the issue writes it: counts from reads only, writes nothing (no table change, no journal)
        $summary = $some | ConvertTo-D1Row -TableName Books -KeyPattern 'book:isbn:{isbn}' |
            Import-D1Batch -Database bookstrack -OnConflict Upsert -WhatIf -Confirm:$false
        $summary.RowsWritten | Should -Be 300
        (Invoke-Bookstrack 'SELECT count(*) FROM Books')[0][0] | Should -Be 0
        (Invoke-Bookstrack "SELECT count(*) FROM sqlite_schema WHERE name = 'd1_migration_runs'")[0][0] | Should -Be 0
        $some | ConvertTo-D1Row -TableName Books -KeyPattern 'book:isbn:{isbn}' | Import-D1Batch -Database bookstrack -OnConflict Upsert | Out-Null
        $fingerprint = 'SELECT count(*), group_concat(isbn || ''|'' || title || ''|'' || year || ''|'' || pages, '','') FROM (SELECT * FROM Books ORDER BY isbn)'
        $first = (Invoke-Bookstrack $fingerprint)[0]
        $first[0] | Should -Be 300
        $some | ConvertTo-D1Row -TableName Books -KeyPattern 'book:isbn:{isbn}' | Import-D1Batch -Database bookstrack -OnConflict Upsert | Out-Null
        (Invoke-Bookstrack $fingerprint)[0][1] | Should -Be $first[1]
        (Invoke-Bookstrack "SELECT title FROM Books WHERE isbn = '9780000000299'")[0][0] | Should -Be 'Book 299'
        # a dry run over 400 books now: the 300 there are updates (Upsert writes them), 100 new; with Ignore 300 are skipped
        $more = @($books | Select-Object -First 400)
        ($more | ConvertTo-D1Row -TableName Books -KeyPattern 'book:isbn:{isbn}' | Import-D1Batch -Database bookstrack -OnConflict Ignore -WhatIf -Confirm:$false) |
            ForEach-Object { "$($_.RowsWritten)/$($_.RowsSkipped)" } | Should -Be '100/300'
        (Get-MigrationRun -Database bookstrack -Last).Status | Should -Be 'Completed'

        # Test-MigrationIntegrity compares the KV entries with the remote table (read through the API)
        $checks = @($some | Test-MigrationIntegrity -Database bookstrack -Table Books -KeyPattern 'book:isbn:{isbn}' -SampleSize 300)
        @($checks.Check) | Should -Be @('RowCount', 'Sample')
        @($checks | Where-Object { -not $_.Passed }) | Should -BeNullOrEmpty
        $null = Invoke-Bookstrack "UPDATE Books SET title = 'changed since' WHERE isbn = '9780000000007'"
        $sample = @($some | Test-MigrationIntegrity -Database bookstrack -Table Books -KeyPattern 'book:isbn:{isbn}' -SampleSize 300 -Check Sample)
        $sample[0].Passed | Should -BeFalse
        ($sample[0].Details + ' ' + ($sample[0].Differences | Out-String)) | Should -BeLike '*book:isbn:9780000000007*'
    }

    It 'from the local state: a pwsh killed (kill -9) mid-run resumes after the last committed key, every key read once, and Test-MigrationIntegrity agrees' {
        # The test server keeps its KV where `wrangler dev` keeps local state: Export-KvEntry -Path reads it directly.
        $local = Join-Path $state 'persist'
        $db = Join-Path $TestDrive 'books-crash.sqlite'
        Invoke-TestSqliteWrite -Path $db -Sql $booksSchema
        $manifest = Join-Path $root 'Migration.psd1'
        # Slowed (a pause every 500 rows) only so the kill lands while batches are still being written.
        $script = "Import-Module '$manifest'; `$n = 0; Export-KvEntry -Path '$local' -Namespace $booksNs -Prefix 'book:isbn:' | " +
            "ConvertTo-D1Row -TableName Books -KeyPattern 'book:isbn:{isbn}' -TargetPath '$db' -ErrorAction SilentlyContinue | " +
            "ForEach-Object { `$_; if (++`$n % 500 -eq 0) { Start-Sleep -Milliseconds 150 } } | Import-D1Batch -Path '$db' -OnConflict Upsert -BatchSize 500"
        $child = Start-Process -FilePath (Join-Path $PSHOME 'pwsh') -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $script -PassThru
        $deadline = [datetime]::UtcNow.AddSeconds(120)
        while ([datetime]::UtcNow -lt $deadline -and -not $child.HasExited) {
            $n = try { Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM Books' } catch { 0 }
            if ($n -ge 5000) { break }
            Start-Sleep -Milliseconds 50
        }
        $child.HasExited | Should -BeFalse
        $child.Kill()   # SIGKILL: no cleanup runs in the child
        $child.WaitForExit()
        (Get-MigrationRun -Path $db -Last).Status | Should -Be 'Running'
        $committed = Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM Books'
        $committed | Should -BeGreaterOrEqual 5000
        $committed | Should -BeLessThan $total
        $committed % 500 | Should -Be 0   # whole batches only
        $lastIsbn = Get-TestSqliteScalar -Path $db -Sql 'SELECT max(isbn) FROM Books'

        $resumed = @(Export-KvEntry -Path $local -Namespace $booksNs -Prefix 'book:isbn:' -ResumeFrom $db -TableName Books -KeyPattern 'book:isbn:{isbn}')
        $resumed[0].Key | Should -Be "book:isbn:$lastIsbn"
        $resumed.Count | Should -Be ($books.Count - $committed + 1)   # the keys before the last committed one are never read again
        $resumed | ConvertTo-D1Row -TableName Books -KeyPattern 'book:isbn:{isbn}' -TargetPath $db -ErrorAction SilentlyContinue |
            Import-D1Batch -Path $db -OnConflict Upsert -BatchSize 500 -Resume -ErrorAction SilentlyContinue 2>$null | Out-Null
        $run = Get-MigrationRun -Path $db -Last
        $run.Status | Should -Be 'Completed'
        $run.Attempts | Should -Be 2
        Get-TestSqliteScalar -Path $db -Sql 'SELECT count(*) FROM Books' | Should -Be $total
        @(Get-MigrationRun -Path $db -Last -Quarantine).Count | Should -Be 3

        # validation (scenario 5): per-key counts over every key, and a sample field by field
        $r = @(Export-KvEntry -Path $local -Namespace $booksNs -Prefix 'book:isbn:' |
            Test-MigrationIntegrity -Path $db -Table Books -KeyPattern 'book:isbn:{isbn}' -SampleSize 500)
        $count = $r | Where-Object Check -eq 'RowCount'
        $count.Expected | Should -Be ([string]($total + 2))   # the invalid JSON yields no row; the two others a row each that does not load
        $count.Actual | Should -Be ([string]$total)
        ($count.Differences.Key | Sort-Object) | Should -Be @('KV key "book:isbn:9780000015000x"', 'KV key "book:isbn:9780000016000x"', 'KV key "book:isbn:9780000017000x"')
        $sample = $r | Where-Object Check -eq 'Sample'
        $sample.Passed | Should -BeTrue
        $sample.Details | Should -Be '500 random rows equal field by field'
        # a re-run changes nothing: same checksum of every value
        $sum = { [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes((Invoke-TestSqlite -Path $db -Sql 'SELECT isbn, title, year, pages, imported_at FROM Books ORDER BY isbn' | ConvertTo-Json -Compress)))) }
        $before = & $sum
        Export-KvEntry -Path $local -Namespace $booksNs -Prefix 'book:isbn:' |
            ConvertTo-D1Row -TableName Books -KeyPattern 'book:isbn:{isbn}' -TargetPath $db -ErrorAction SilentlyContinue |
            Import-D1Batch -Path $db -OnConflict Upsert -ErrorAction SilentlyContinue 2>$null | Out-Null
        & $sum | Should -Be $before
    }
}

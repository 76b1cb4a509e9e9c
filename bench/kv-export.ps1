#!/usr/bin/env pwsh
# Workers KV -> D1 throughput (issue 13): keys per second read from the API test server (list +
# values) by Export-KvEntry, rows per second into a local D1 file, against the baseline the
# scenarios' scripts use: `wrangler kv key list` + one `wrangler kv key get` per key, both against
# the same test server (wrangler reaches it through CLOUDFLARE_API_BASE_URL).
#   pwsh bench/kv-export.ps1 [-Keys 5000] [-BaselineKeys 200] [-Rounds 3] [-Out results.json] [-Module path/to/Migration.psd1]
# Paired rounds: each round runs the module, then the baseline, seconds apart, and the ratio is
# taken within the round (the machine's speed drifts by minutes). The baseline starts one wrangler
# process per key (about a second each), so each round times `wrangler kv key list` over every key
# and `wrangler kv key get` on -BaselineKeys keys spread over the namespace; its time for all keys
# is the listing plus the keys times the measured time per get. The module's client keeps
# its rate limit (1,000 requests / 5 min, under Cloudflare's 1,200; a burst of 20) against the test server too;
# wrangler keeps none. The test server is a Worker under wrangler dev over a local KV (workerd):
# the figures compare the two ways of reading, not Cloudflare's own speed.
param([int] $Keys = 5000, [int] $BaselineKeys = 200, [int] $Rounds = 3, [string] $Out, [string] $Module)
$ErrorActionPreference = 'Stop'
$root = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
Import-Module ($Module ? $Module : (Join-Path $root 'Migration.psd1')) -Force
$serverScript = Join-Path $root 'tests/d1-api-server/server.mjs'
$state = Join-Path ([IO.Path]::GetTempPath()) ('kv-bench-' + [guid]::NewGuid().ToString('N'))
$server = (node $serverScript start --state $state --databases d1test --kv books | Select-Object -Last 1) | ConvertFrom-Json
$saved = @{}
foreach ($name in 'CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_ACCOUNT_ID', 'CLOUDFLARE_API_BASE_URL') { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
try {
    $env:CLOUDFLARE_API_TOKEN = $server.token
    $env:CLOUDFLARE_ACCOUNT_ID = $server.account_id
    $env:CLOUDFLARE_API_BASE_URL = $server.api_base_url
    $ns = $server.kv_namespaces[0].id
    $uri = "$($server.api_base_url)/accounts/$($server.account_id)/storage/kv/namespaces/$ns/bulk"
    for ($at = 0; $at -lt $Keys; $at += 1000) {
        $pairs = foreach ($i in $at..([Math]::Min($Keys, $at + 1000) - 1)) {
            @{ key = "book:isbn:$(9780000000000 + $i)"; value = '{"isbn":"' + (9780000000000 + $i) + '","title":"Book ' + $i + '","year":' + (1900 + $i % 120) + ',"pages":' + $i + '}' }
        }
        Invoke-RestMethod -Method Put -Uri $uri -Headers @{ Authorization = "Bearer $($server.token)" } -ContentType 'application/json' -Body (ConvertTo-Json -InputObject @($pairs) -Compress) | Out-Null
    }
    $wrangler = Join-Path $root 'node_modules/.bin/wrangler'
    $work = Join-Path $state 'wr'
    New-Item -ItemType Directory $work | Out-Null
    $load = { (Get-Content /proc/loadavg -Raw).Split(' ')[0] }

    $results = foreach ($round in 1..$Rounds) {
        # The module: list + values (Export-KvEntry), then rows into a local file.
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $entries = @(Export-KvEntry -Namespace $ns -Prefix 'book:isbn:')
        $read = $clock.Elapsed.TotalSeconds
        $db = Join-Path $state "books-$round.sqlite"
        sqlite3 $db 'CREATE TABLE Books (isbn TEXT PRIMARY KEY, title TEXT NOT NULL, year INTEGER NOT NULL, pages INTEGER NOT NULL)'
        $clock.Restart()
        $entries | ConvertTo-D1Row -TableName Books -KeyPattern 'book:isbn:{isbn}' -TargetPath $db | Import-D1Batch -Path $db -OnConflict Upsert | Out-Null
        $write = $clock.Elapsed.TotalSeconds
        $loaded = [long](sqlite3 $db 'SELECT count(*) FROM Books')
        if ($loaded -ne $Keys) { throw "round $round loaded $loaded rows, not $Keys" }

        # The baseline: wrangler kv key list (every key), then one wrangler kv key get per sampled key.
        Push-Location $work
        try {
            $clock.Restart()
            $listed = @((& $wrangler kv key list --namespace-id $ns --remote --prefix 'book:isbn:' 2>$null | ConvertFrom-Json).name)
            $list = $clock.Elapsed.TotalSeconds
            if ($listed.Count -ne $Keys) { throw "wrangler listed $($listed.Count) keys, not $Keys" }
            $step = [Math]::Max(1, [Math]::Floor($Keys / $BaselineKeys))
            $sample = for ($i = 0; $i -lt $Keys -and ($i / $step) -lt $BaselineKeys; $i += $step) { $listed[$i] }
            $clock.Restart()
            foreach ($key in $sample) {
                $value = & $wrangler kv key get $key --namespace-id $ns --remote --text 2>$null
                if ($LASTEXITCODE -ne 0 -or -not "$value".StartsWith('{"isbn"')) { throw "wrangler kv key get $key failed: $value" }
            }
            $gets = $clock.Elapsed.TotalSeconds
        } finally { Pop-Location }
        $perGet = $gets / $sample.Count
        $baselineAll = $list + $Keys * $perGet
        $row = [pscustomobject]@{
            Round                    = $round
            Load                     = & $load
            Keys                     = $entries.Count
            ExportSeconds            = [Math]::Round($read, 2)
            ExportKeysPerSecond      = [Math]::Round($entries.Count / $read, 1)
            ImportSeconds            = [Math]::Round($write, 2)
            ImportRowsPerSecond      = [Math]::Round($loaded / $write, 1)
            WranglerListSeconds      = [Math]::Round($list, 2)
            WranglerGetKeys          = $sample.Count
            WranglerGetSeconds       = [Math]::Round($gets, 2)
            WranglerKeysPerSecond    = [Math]::Round($sample.Count / $gets, 3)
            WranglerAllKeysSeconds   = [Math]::Round($baselineAll, 1)
            Speedup                  = [Math]::Round($baselineAll / $read, 1)
        }
        # Each round as it ends (a long run cut short keeps what it measured).
        if ($Out) { $row | ConvertTo-Json -Compress | Add-Content -LiteralPath "$Out.rounds" }
        Write-Host ($row | ConvertTo-Json -Compress)
        $row
    }
    $results | Format-Table -AutoSize | Out-String -Width 250 | Write-Host
    $sorted = @($results | Sort-Object Speedup)
    Write-Host ("Median round: Export-KvEntry reads {0} keys/s; wrangler reads {1} keys/s (one process per key); {2}x (range {3}-{4}x over {5} rounds). Rows into a local file: {6} rows/s." -f
        ($results | Sort-Object ExportKeysPerSecond)[[int][Math]::Floor($Rounds / 2)].ExportKeysPerSecond,
        ($results | Sort-Object WranglerKeysPerSecond)[[int][Math]::Floor($Rounds / 2)].WranglerKeysPerSecond,
        $sorted[[int][Math]::Floor($Rounds / 2)].Speedup, $sorted[0].Speedup, $sorted[-1].Speedup, $Rounds,
        ($results | Sort-Object ImportRowsPerSecond)[[int][Math]::Floor($Rounds / 2)].ImportRowsPerSecond)
    if ($Out) { $results | ConvertTo-Json | Set-Content -LiteralPath $Out }
    $results
} finally {
    foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    node $serverScript stop $state *> $null
}

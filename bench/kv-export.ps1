#!/usr/bin/env pwsh
# Workers KV -> D1 throughput (issue 13): keys per second read from the API test server (list +
# values) by Export-KvEntry, rows per second into a local D1 file, against the baseline the
# scenarios' scripts use: `wrangler kv key list` + one `wrangler kv key get` per key.
#   pwsh bench/kv-export.ps1 [-Keys 2000] [-BaselineKeys 20]
# The baseline starts one wrangler process per key (seconds each), so it reads -BaselineKeys
# keys and reports keys/s from those. The test server's local KV answers in ~10 ms per key
# (workerd), and the client's rate limiter (1,000 requests / 5 min, burst 20) applies, as against
# Cloudflare: the figures are for comparing the two ways, not Cloudflare's own speed.
param([int] $Keys = 2000, [int] $BaselineKeys = 20)
$ErrorActionPreference = 'Stop'
$root = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
Import-Module (Join-Path $root 'Migration.psd1') -Force
$serverScript = Join-Path $root 'tests/d1-api-server/server.mjs'
$state = Join-Path ([IO.Path]::GetTempPath()) ('kv-bench-' + [guid]::NewGuid().ToString('N'))
$server = (node $serverScript start --state $state --databases d1test --kv books | Select-Object -Last 1) | ConvertFrom-Json
try {
    $env:CLOUDFLARE_API_TOKEN = $server.token
    $env:CLOUDFLARE_ACCOUNT_ID = $server.account_id
    $env:CLOUDFLARE_API_BASE_URL = $server.api_base_url
    $ns = $server.kv_namespaces[0].id
    $uri = "$($server.api_base_url)/accounts/$($server.account_id)/storage/kv/namespaces/$ns/bulk"
    for ($at = 0; $at -lt $Keys; $at += 1000) {
        $pairs = foreach ($i in $at..([Math]::Min($Keys, $at + 1000) - 1)) { @{ key = "book:isbn:$(9780000000000 + $i)"; value = '{"isbn":"' + (9780000000000 + $i) + '","title":"Book ' + $i + '","pages":' + $i + '}' } }
        Invoke-RestMethod -Method Put -Uri $uri -Headers @{ Authorization = "Bearer $($server.token)" } -ContentType 'application/json' -Body (ConvertTo-Json -InputObject @($pairs) -Compress) | Out-Null
    }

    $clock = [Diagnostics.Stopwatch]::StartNew()
    $entries = @(Export-KvEntry -Namespace $ns -Prefix 'book:isbn:')
    $read = $clock.Elapsed.TotalSeconds
    $db = Join-Path $state 'books.sqlite'
    Invoke-Expression "sqlite3 '$db' 'CREATE TABLE Books (isbn TEXT PRIMARY KEY, title TEXT NOT NULL, pages INTEGER NOT NULL)'"
    $clock.Restart()
    $entries | ConvertTo-D1Row -TableName Books -KeyPattern 'book:isbn:{isbn}' -TargetPath $db | Import-D1Batch -Path $db -OnConflict Upsert | Out-Null
    $write = $clock.Elapsed.TotalSeconds

    $work = Join-Path $state 'wr'
    New-Item -ItemType Directory $work | Out-Null
    $wrangler = Join-Path $root 'node_modules/.bin/wrangler'
    $clock.Restart()
    Push-Location $work
    try {
        $listed = (& $wrangler kv key list --namespace-id $ns --remote --prefix 'book:isbn:' 2>$null | ConvertFrom-Json).name
        foreach ($key in $listed | Select-Object -First $BaselineKeys) { $null = & $wrangler kv key get $key --namespace-id $ns --remote --text 2>$null }
    } finally { Pop-Location }
    $baseline = $clock.Elapsed.TotalSeconds
    [pscustomobject]@{
        Keys                      = $entries.Count
        ExportKeysPerSecond       = [Math]::Round($entries.Count / $read, 1)
        ImportRowsPerSecond       = [Math]::Round($entries.Count / $write, 1)
        BaselineKeys              = [Math]::Min($BaselineKeys, $listed.Count)
        BaselineKeysPerSecond     = [Math]::Round([Math]::Min($BaselineKeys, $listed.Count) / $baseline, 2)
    }
} finally {
    node $serverScript stop $state *> $null
}

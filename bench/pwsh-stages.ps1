<#
.SYNOPSIS
Where the pipeline's per-row allocation goes in pwsh (issue 9 section 5): runs each stage of
Export-PgTable | ConvertTo-D1Row | Import-D1Batch alone in one pwsh, after a warm-up run (the
first run of a pipeline in a fresh pwsh allocates extra while PowerShell's binder is not yet
tiered up), and prints per stage the bytes allocated per row (all threads), GC collections and
CPU seconds; with -ByType, the allocation ticks of the runtime (one per ~100 KB allocated,
attributed to the type that crossed it) summed by type, which names who allocates.

.EXAMPLE
pwsh -NoProfile -File bench/pwsh-stages.ps1 -Module out/Migration/Migration.psd1 -ConnectionString 'Host=/tmp/migbench-pg/run;Port=55432;Username=postgres;Database=migbench_100000' -ByType
#>
param(
    [Parameter(Mandatory)] [string] $Module,
    [Parameter(Mandatory)] [string] $ConnectionString,
    [ValidateSet('export', 'convert', 'import')] [string[]] $Stage = @('export', 'convert', 'import'),
    [switch] $ByType,
    [int] $Top = 25
)
$ProgressPreference = 'SilentlyContinue'
Import-Module $Module
$tables = 'auth_user', 'list_cutter_savedfile', 'contacts_person'
$map = @{ auth_user = 'users'; list_cutter_savedfile = 'saved_files'; contacts_person = 'persons' }
$out = Join-Path ([IO.Path]::GetTempPath()) "pwsh-stages-$PID.sqlite"
$listener = $null
if ($ByType) {
    Add-Type -TypeDefinition @'
using System;
using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Linq;
public sealed class AllocationTicks : EventListener
{
    public readonly ConcurrentDictionary<string, long> Bytes = new();
    public volatile bool On;
    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword
    }
    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!On || e.EventName == null || !e.EventName.StartsWith("GCAllocationTick")) return;
        var t = e.PayloadNames.IndexOf("TypeName"); var a = e.PayloadNames.IndexOf("AllocationAmount64");
        long amount = a >= 0 ? Convert.ToInt64(e.Payload[a]) : 100000;
        Bytes.AddOrUpdate(t >= 0 ? (string)e.Payload[t] : "?", amount, (_, v) => v + amount);
    }
    public string Report(int top, long rows)
    {
        var total = Bytes.Values.Sum();
        return string.Join("\n", Bytes.OrderByDescending(kv => kv.Value).Take(top)
            .Select(kv => string.Format("  {0,7:N0} B/row {1,5:N1}%  {2}", (double)kv.Value / rows, 100.0 * kv.Value / total, kv.Key)));
    }
}
'@
    $listener = [AllocationTicks]::new()
}
function Invoke-Stage([string] $name) {
    switch ($name) {
        'export' { Export-PgTable -ConnectionString $ConnectionString -Table $tables | Out-Null }
        'convert' { Export-PgTable -ConnectionString $ConnectionString -Table $tables | ConvertTo-D1Row -TableMap $map | Out-Null }
        'import' {
            Export-PgTable -ConnectionString $ConnectionString -Table $tables | ConvertTo-D1Row -TableMap $map | Import-D1Batch -Path $out -BatchSize 5000 | Out-Null
            Remove-Item "$out*" -ErrorAction Ignore
        }
    }
}
$rows = (Export-PgTable -ConnectionString $ConnectionString -Table $tables | Measure-Object).Count
foreach ($name in $Stage) {
    Invoke-Stage $name   # warm-up: the same pipeline once, not measured
    [GC]::Collect(); [GC]::WaitForPendingFinalizers()
    $process = [Diagnostics.Process]::GetCurrentProcess()
    $g = 0..2 | ForEach-Object { [GC]::CollectionCount($_) }
    $allocated = [GC]::GetTotalAllocatedBytes($true); $cpu = $process.TotalProcessorTime
    if ($listener) { $listener.Bytes.Clear(); $listener.On = $true }
    $clock = [Diagnostics.Stopwatch]::StartNew()
    Invoke-Stage $name
    $clock.Stop(); $process.Refresh()
    if ($listener) { $listener.On = $false }
    $bytes = [GC]::GetTotalAllocatedBytes($true) - $allocated
    '{0,-8} {1:N0} rows: {2:N0} B/row allocated ({3:N0} MB), GCs {4}/{5}/{6}, CPU {7:N2} s, wall {8:N2} s' -f $name, $rows, ($bytes / $rows), ($bytes / 1MB),
        ([GC]::CollectionCount(0) - $g[0]), ([GC]::CollectionCount(1) - $g[1]), ([GC]::CollectionCount(2) - $g[2]), ($process.TotalProcessorTime - $cpu).TotalSeconds, $clock.Elapsed.TotalSeconds
    if ($listener) { $listener.Report($Top, $rows) }
}

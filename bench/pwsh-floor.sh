#!/usr/bin/env bash
# Issue 9 section 5: what PowerShell's own pipeline costs, next to the CLI and the real pipeline.
# Paired rounds (this machine drifts 10-20% within minutes), rotated order, each round:
#   cli    `migration migrate` of the bench's three tables (1.11M rows at scale 1000000)
#   pwsh   Export-PgTable | ConvertTo-D1Row | Import-D1Batch of the same tables, in a fresh pwsh
#   floor  three compiled no-op cmdlets (emit / pass / count) moving as many objects, each a new
#          object[] of 10 values like a row, through one pwsh pipeline: PowerShell's per-object
#          binding and pipeline alone, with none of this module's code; timed inside pwsh (start-up
#          and compilation excluded)
# PG (the bench database's connection string, e.g. Host=/tmp/migbench-pg/run;Port=55432;
# Username=postgres;Database=migbench_1000000), ROWS (default 1110000) and ROUNDS (default 3)
# come from the environment; ONLY=cli|pwsh|floor runs one of them. Prints one line per run: wall, user+sys CPU, peak RSS, load.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${PG:?set PG to the connection string of the bench database}"
rows=${ROWS:-1110000}
rounds=${ROUNDS:-3}
pwsh=${PWSH:-$(command -v pwsh || echo "$HOME/.dotnet/tools/pwsh")}
cli="$here/../src/Migration.Cli/bin/Release/net10.0/migration.dll"
module="$here/../out/Migration/Migration.psd1"
out=$(mktemp -u /tmp/pwsh-floor-XXXXXX.sqlite)
clean() { rm -f "$out" "$out-journal" "$out-wal" "$out-shm"; }
timed() { /usr/bin/time -f "%e %U %S %M" "$@" 2>&1 >/dev/null | tail -1; }
run_cli() {
  timed dotnet "$cli" migrate --quiet --pg "$PG" --table auth_user,list_cutter_savedfile,contacts_person \
    --map auth_user=users,list_cutter_savedfile=saved_files,contacts_person=persons --batch-size 5000 --path "$out"
}
run_pwsh() {
  MIGBENCH_MODULE="$module" MIGBENCH_PG="$PG" MIGBENCH_OUT="$out" timed "$pwsh" -NoLogo -NoProfile -NonInteractive -Command '
    $ProgressPreference = "SilentlyContinue"; Import-Module $env:MIGBENCH_MODULE
    Export-PgTable -ConnectionString $env:MIGBENCH_PG -Table auth_user, list_cutter_savedfile, contacts_person |
      ConvertTo-D1Row -TableMap @{ auth_user = "users"; list_cutter_savedfile = "saved_files"; contacts_person = "persons" } |
      Import-D1Batch -Path $env:MIGBENCH_OUT -BatchSize 5000 | Out-Null'
}
run_floor() {
  MIGBENCH_ROWS="$rows" "$pwsh" -NoLogo -NoProfile -NonInteractive -Command '
    $asm = Add-Type -PassThru -TypeDefinition @"
using System.Management.Automation;
[Cmdlet(VerbsData.Export, "FloorRow")] public class ExportFloorRow : PSCmdlet {
  [Parameter] public int Count { get; set; }
  [Parameter] public SwitchParameter NoOutput { get; set; }
  public static object Keep;
  protected override void EndProcessing() {
    for (int i = 0; i < Count; i++) {
      var row = new object[] { (long)i, "user" + i, i * 0.5, null, true, "x", 1L, 2L, "y", null };
      if (NoOutput) Keep = row; else WriteObject(row);
    }
  }
}
[Cmdlet(VerbsData.ConvertTo, "FloorRow")] public class ConvertToFloorRow : PSCmdlet {
  [Parameter(ValueFromPipeline = true)] public object InputObject { get; set; }
  protected override void ProcessRecord() { WriteObject(InputObject); }
}
[Cmdlet(VerbsData.Import, "FloorRow")] public class ImportFloorRow : PSCmdlet {
  [Parameter(ValueFromPipeline = true)] public object InputObject { get; set; }
  long _n; protected override void ProcessRecord() { _n++; } protected override void EndProcessing() { WriteObject(_n); }
}
"@ | Select-Object -First 1
    Import-Module $asm.Assembly
    $count = [int]$env:MIGBENCH_ROWS
    Export-FloorRow -Count 10000 | ConvertTo-FloorRow | Import-FloorRow | Out-Null   # JIT warm-up
    $p = [Diagnostics.Process]::GetCurrentProcess()
    # the same objects made without passing them on: what the pipeline adds is the difference
    $cpu0 = $p.TotalProcessorTime; $t = [Diagnostics.Stopwatch]::StartNew()
    Export-FloorRow -Count $count -NoOutput
    $p.Refresh(); $makeWall = $t.Elapsed.TotalSeconds; $makeCpu = ($p.TotalProcessorTime - $cpu0).TotalSeconds
    $cpu0 = $p.TotalProcessorTime; $t.Restart()
    $n = Export-FloorRow -Count $count | ConvertTo-FloorRow | Import-FloorRow
    $p.Refresh()
    "{0:0.00} {1:0.00} {2} {3} {4:0.00} {5:0.00}" -f $t.Elapsed.TotalSeconds, ($p.TotalProcessorTime - $cpu0).TotalSeconds, ([int]($p.PeakWorkingSet64 / 1KB)), $n, $makeWall, $makeCpu'
}
only=${ONLY:-}   # cli, pwsh or floor: only that one
for r in $(seq 1 "$rounds"); do
  for i in 0 1 2; do
    k=$(( (i + r) % 3 ))
    [ -z "$only" ] || [ "$only" = "$(echo cli pwsh floor | cut -d' ' -f$((k + 1)))" ] || continue
    case $k in
      0) clean; read -r e u s m <<<"$(run_cli)"; echo "round=$r what=cli wall=$e cpu=$(echo "$u + $s" | bc) rss_kb=$m load=$(cut -d' ' -f1 /proc/loadavg)";;
      1) clean; read -r e u s m <<<"$(run_pwsh)"; echo "round=$r what=pwsh wall=$e cpu=$(echo "$u + $s" | bc) rss_kb=$m load=$(cut -d' ' -f1 /proc/loadavg)";;
      2) read -r e c m n mw mc <<<"$(run_floor)"; echo "round=$r what=floor wall=$e cpu=$c rss_kb=$m objects=$n make_only_wall=$mw make_only_cpu=$mc load=$(cut -d' ' -f1 /proc/loadavg)";;
    esac
  done
done
clean

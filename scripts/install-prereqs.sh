#!/usr/bin/env bash
# Installs what the demo and the tests need on a fresh Debian machine that has the .NET 10
# SDK and Node 20, skipping whatever is already there. One script for demo/run.sh and .ci/run,
# so the README's two commands each work alone.
#   scripts/install-prereqs.sh [--pester] [--no-pwsh | --pwsh-only]
#     base: PostgreSQL 15 server binaries, psql, sqlite3 (apt-get), the `postgres` OS user,
#           wrangler (npm ci, pinned by package-lock.json);
#     pwsh: a .NET global tool, pinned (7.7.0 does not install here), unless --no-pwsh;
#     Pester: the NuGet package, pinned (its tools/ folder is the module), with --pester;
#     --pwsh-only: pwsh (and Pester if asked), not the base.
# Exits non-zero when something it was asked for could not be installed. pwsh lands in
# ~/.dotnet/tools: callers put that on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

PWSH_VERSION=7.6.10
PESTER_VERSION=5.7.1
want_base=1 want_pwsh=1 want_pester=0
for arg in "$@"; do
  case "$arg" in
  --pester) want_pester=1 ;;
  --no-pwsh) want_pwsh=0 ;;
  --pwsh-only) want_base=0 ;;
  *) echo "usage: $0 [--pester] [--no-pwsh | --pwsh-only]" >&2; exit 64 ;;
  esac
done

log() { printf '== %s\n' "$*"; }
export PATH="$PATH:$HOME/.dotnet/tools"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

install_base() {
  # PostgreSQL 15 server binaries (tests and demo start their own throwaway cluster), psql,
  # and the sqlite3 CLI (demo and bench read results with it).
  local need=()
  [ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15)
  command -v psql >/dev/null || need+=(postgresql-client-15)
  command -v sqlite3 >/dev/null || need+=(sqlite3)
  if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]} (apt-get)"
    local sudo=(); [ "$(id -u)" = 0 ] || sudo=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
  # As root the clusters run as `postgres` (initdb refuses root); the package creates the
  # user, but a machine that got the binaries some other way may lack it.
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home postgres
  fi

  # wrangler (a real local D1), pinned by package-lock.json; again when the lock file changed.
  # node_modules may be a link to another checkout's (a worktree): that one is left alone.
  if [ ! -x node_modules/.bin/wrangler ] \
    || { [ ! -L node_modules ] && [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
    log "npm ci (wrangler)"
    WRANGLER_SEND_METRICS=false npm ci --no-audit --no-fund --loglevel=error
  fi
}

install_pwsh() {
  if ! command -v pwsh >/dev/null; then
    log "dotnet tool install --global PowerShell --version $PWSH_VERSION"
    dotnet tool install --global PowerShell --version "$PWSH_VERSION" >/dev/null
  fi
  pwsh -NoProfile -NonInteractive -c '"pwsh $($PSVersionTable.PSVersion)"'
}

install_pester() {
  # From NuGet only: restore a throwaway project that downloads the package, then copy its
  # tools/ folder (the module) into the user's module path, where Import-Module finds it.
  local has="if (-not (Get-Module -ListAvailable Pester | Where-Object Version -eq '$PESTER_VERSION')) { exit 1 }"
  if ! pwsh -NoProfile -NonInteractive -c "$has"; then
    log "Pester $PESTER_VERSION from NuGet"
    local tmp packages modules="$HOME/.local/share/powershell/Modules/Pester/$PESTER_VERSION"
    tmp=$(mktemp -d)
    cat >"$tmp/PesterDownload.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="Pester" Version="[$PESTER_VERSION]" /></ItemGroup>
</Project>
XML
    dotnet restore "$tmp/PesterDownload.csproj" -v quiet >/dev/null
    packages=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: *//')
    [ -f "$packages/pester/$PESTER_VERSION/tools/Pester.psd1" ] \
      || { echo "Pester $PESTER_VERSION: the NuGet package has no tools/Pester.psd1" >&2; exit 1; }
    rm -rf "$modules"; mkdir -p "$modules"
    cp -R "$packages/pester/$PESTER_VERSION/tools/." "$modules/"
    rm -rf "$tmp"
  fi
  pwsh -NoProfile -NonInteractive -c "Import-Module Pester -RequiredVersion $PESTER_VERSION -ErrorAction Stop; 'Pester ' + (Get-Module Pester).Version"
}

[ $want_base = 0 ] || install_base
[ $want_pwsh = 0 ] || install_pwsh
[ $want_pester = 0 ] || install_pester

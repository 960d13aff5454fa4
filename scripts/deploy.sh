#!/usr/bin/env bash
# Deploys a built afk to a host over ssh, and rolls it back.
#
#   scripts/deploy.sh user@host [BINARY]         deploy (a second run is idempotent)
#   scripts/deploy.sh --rollback user@host       put the previous binary back and restart it
#   scripts/deploy.sh --rollback --restore-ledger user@host
#                                                the same, with the ledger backup taken before the upgrade
#
# A deploy: checks the host (reachable, architecture, root or passwordless sudo for systemd),
# copies the binary beside the running one, backs up the ledger (`afk.new backup`: SQLite's
# consistent copy while the running afk writes, never migrated; kept as ledger.prev.sqlite beside
# afk.prev), pre-flights it ON THE HOST (`afk.new --version`, `afk.new doctor --preflight`, whose
# migrations are tried on a copy of the ledger), and only then swaps it in, keeping the previous one as afk.prev.
# Then it installs the schedule (systemd unit, crontab entry, or none) and checks the service is
# alive after the restart (systemd: active and /healthz answering; cron: `afk doctor` green with
# the entry installed; none: the binary runs). When it is not, it rolls back and exits 1.
# A red pre-flight, an unknown architecture, a missing binary or a host without sudo change
# nothing on the host. The env file is copied only when the host has none, never over one; unit
# overrides belong in a drop-in (systemctl edit afk), which the deploy never touches.
#
#   BINARY               default: dist/afk-linux-x64 or dist/afk-linux-arm64, from the host's `uname -m`
#   AFK_REMOTE_DIR       folder on the host (relative to the login's home) holding the binary, the env
#                        file and AFK_HOME (ledger.sqlite, runs/, out/, afk.kill); default: afk
#   AFK_ENV_FILE         local env file copied when the host has none (default: `afk install` writes
#                        ops/afk.env.example there; edit it on the host: cap, Ollama, keys)
#   AFK_DEPLOY_SCHEDULE  auto | systemd | cron | none; auto (default): systemd when it runs as PID 1
#                        on the host, else cron when crontab exists, else none
#   AFK_SSH_OPTS         extra options for ssh and scp, e.g. "-F ~/.ssh/afk_config" or "-i key"
#
# A rollback first asks afk.prev whether it opens the ledger as it is now (its `doctor --preflight`
# ledger line): the newer afk may have applied a migration an older one must not read (ledger/compat.ts).
# Then it stops before touching anything, names the migration and the backup with what restoring it
# loses (`afk backup --since`), and the running afk keeps running; --restore-ledger puts the backup
# in place (the ledger it replaces is kept as ledger.rolled-back-TIME.sqlite) with the spend and the
# delivered items recorded since carried into it (`afk backup --carry-into`: the cap still counts that
# spend, no item goes out twice) and swaps, and puts both back when the previous binary is not alive on it. A deploy whose new binary is not alive
# rolls back the same way, restoring the backup on its own when afk.prev cannot open the ledger.
#
# Exit codes: 0 deployed and alive (or rolled back and alive); 1 pre-flight red (nothing changed),
# not alive after the restart (rolled back), or a rollback refused (nothing changed); 2 bad usage
# or host (nothing changed); 3 the binary does not run there.
set -euo pipefail

usage="usage: scripts/deploy.sh [--rollback [--restore-ledger]] user@host [BINARY]"
rollback=0
restore=0
if [ "${1:-}" = "--rollback" ]; then
  rollback=1
  shift
  if [ "${1:-}" = "--restore-ledger" ]; then
    restore=1
    shift
  fi
fi
target="${1:-}"
if [ -z "$target" ] || [ "${target#-}" != "$target" ]; then
  echo "$usage" >&2
  exit 2
fi
binary="${2:-}"
dir="${AFK_REMOTE_DIR:-afk}"
schedule="${AFK_DEPLOY_SCHEDULE:-auto}"
read -r -a sshopts <<<"${AFK_SSH_OPTS:-}"

case "$schedule" in
  auto | systemd | cron | none) ;;
  *)
    echo "deploy: AFK_DEPLOY_SCHEDULE must be auto, systemd, cron or none (got '$schedule')" >&2
    exit 2
    ;;
esac
case "$dir" in
  "" | *[!A-Za-z0-9_./-]*)
    echo "deploy: AFK_REMOTE_DIR '$dir' must be a plain path (letters, digits, _ . / -)" >&2
    exit 2
    ;;
esac

ssh_() { ssh ${sshopts[@]+"${sshopts[@]}"} -o BatchMode=yes "$target" "$@"; }
scp_() { scp ${sshopts[@]+"${sshopts[@]}"} -o BatchMode=yes -q "$@"; }

# A script for the host's sh, with our values inlined as its first lines: nothing travels as an
# ssh argument (ssh drops empty ones, which once made `set -u` abort mid-deploy).
remote() {
  {
    printf "set -eu\ndir='%s'\nschedule='%s'\ntarget='%s'\n" "$dir" "$schedule" "$target"
    cat <<'COMMON'
# The service manager this host runs afk under, and how to become root for it.
resolve_schedule() {
  if [ "$schedule" = auto ]; then
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then schedule=systemd
    elif command -v crontab >/dev/null 2>&1; then schedule=cron
    else schedule=none; fi
  fi
  asroot=""
  if [ "$schedule" = systemd ] && [ "$(id -u)" != 0 ]; then
    if sudo -n true 2>/dev/null; then asroot="sudo -n"
    else
      echo "deploy: systemd needs root on $(uname -n): $(id -un) is not root and has no passwordless sudo; nothing changed. Fix: log in as a user with sudo, or AFK_DEPLOY_SCHEDULE=cron" >&2
      exit 2
    fi
  fi
}
with_env() { # runs "$@" with the host configuration the service gets
  ( if [ -f afk.env ]; then set -a; . ./afk.env; set +a; fi
    AFK_HOME="$PWD" AFK_KILL_FLAG="${AFK_KILL_FLAG:-$PWD/afk.kill}" "$@" )
}
healthz() { # /healthz of the status page named in the env file (0.0.0.0 is asked on loopback)
  addr=$( (if [ -f afk.env ]; then set -a; . ./afk.env; set +a; fi; echo "${AFK_STATUS_ADDR:-127.0.0.1:8787}") )
  addr=$(echo "$addr" | sed 's/^0\.0\.0\.0:/127.0.0.1:/; s/^\[::\]:/[::1]:/')
  if command -v curl >/dev/null 2>&1; then curl -fsS --max-time 3 "http://$addr/healthz" >/dev/null 2>&1
  elif command -v wget >/dev/null 2>&1; then wget -q -T 3 -O /dev/null "http://$addr/healthz"
  else return 0; fi # nothing to ask it with: systemd's own state decides
}
restart_service() {
  if [ "$schedule" = systemd ]; then $asroot systemctl restart afk.service; fi
}
stop_service() {
  if [ "$schedule" = systemd ]; then $asroot systemctl stop afk.service; fi
}
prev_refuses_ledger() { # prints why, and succeeds, when ./afk.prev cannot open the ledger as it is now
  [ -f ledger.sqlite ] || return 1
  why=$(with_env ./afk.prev doctor --preflight --env-file "$PWD/afk.env" 2>&1 | grep '^  FAIL  ledger ' || true)
  [ -n "$why" ] || return 1
  echo "$why" | sed 's/^  FAIL  ledger *//'
}
since_backup() { # what restoring ledger.prev.sqlite loses, as the running afk counts it
  with_env ./afk backup --since ledger.prev.sqlite 2>/dev/null ||
    echo "since the backup: not counted (this afk has no backup command)"
}
aside=""
carried=""
restore_ledger() { # the backup in place of the ledger, which is kept (with its -wal) as $aside
  aside="ledger.rolled-back-$(date -u +%Y%m%dT%H%M%SZ).sqlite"
  # A copy of the backup, with the spend and delivered items recorded since carried into it by the
  # afk that recorded them, so the restored ledger's cap still counts that spend; the backup itself
  # stays as it was taken.
  rm -f ledger.restoring.sqlite ledger.restoring.sqlite-journal
  cp -p ledger.prev.sqlite ledger.restoring.sqlite
  if ! carried="$(with_env ./afk backup --carry-into "$PWD/ledger.restoring.sqlite" 2>&1)"; then
    carried="spend since the backup not carried ($(echo "${carried:-this afk has no backup --carry-into}" | tail -n 1)): the cap will not count it"
    rm -f ledger.restoring.sqlite ledger.restoring.sqlite-journal
    cp -p ledger.prev.sqlite ledger.restoring.sqlite
  fi
  for s in "" -wal -shm; do if [ -f "ledger.sqlite$s" ]; then mv -f "ledger.sqlite$s" "$aside$s"; fi; done
  mv -f ledger.restoring.sqlite ledger.sqlite
}
unrestore_ledger() { # the ledger restore_ledger kept aside, back in place
  rm -f ledger.sqlite ledger.sqlite-wal ledger.sqlite-shm
  for s in "" -wal -shm; do if [ -f "$aside$s" ]; then mv -f "$aside$s" "ledger.sqlite$s"; fi; done
}
alive() { # the service runs the binary now in place
  case "$schedule" in
    systemd)
      i=0
      while [ $i -lt 30 ]; do
        if $asroot systemctl is-active --quiet afk.service && healthz; then return 0; fi
        i=$((i + 1)); sleep 2
      done
      $asroot systemctl status --no-pager afk.service >&2 || true
      return 1 ;;
    cron) with_env ./afk doctor --env-file "$PWD/afk.env" ;;
    none) ./afk --version >/dev/null ;;
  esac
}
COMMON
    cat
  } | ssh_ sh -s
}

if ! arch="$(ssh_ uname -m)"; then
  echo "deploy: cannot reach $target over ssh (try: ssh $target true); nothing changed" >&2
  exit 2
fi

if [ "$rollback" = 1 ]; then
  {
    printf "restore='%s'\n" "$restore"
    cat <<'REMOTE'
resolve_schedule
if ! cd "$dir" 2>/dev/null || [ ! -f afk.prev ]; then
  echo "deploy: no previous binary ($dir/afk.prev) on $(uname -n) to roll back to; nothing changed" >&2
  exit 2
fi
prev="$(./afk.prev --version 2>&1 || true)"
if why=$(prev_refuses_ledger); then
  if [ "$restore" != 1 ] || [ ! -f ledger.prev.sqlite ]; then
    echo "deploy: not rolled back: the previous binary ($prev) cannot open the ledger as the running afk left it: $why" >&2
    if [ -f ledger.prev.sqlite ]; then
      echo "deploy: the ledger backup taken before the upgrade is $dir/ledger.prev.sqlite; restoring it sets aside what was recorded since ($(since_backup)), carrying that spend and the items delivered into it so the cap still counts them. To roll back with it: scripts/deploy.sh --rollback --restore-ledger $target" >&2
    else
      echo "deploy: there is no ledger backup ($dir/ledger.prev.sqlite) to roll back with: roll forward instead (fix the spec or the code, rebuild, deploy)" >&2
    fi
    echo "deploy: nothing changed: $(./afk --version 2>&1) is still in place (schedule: $schedule)" >&2
    exit 1
  fi
  lost="$(since_backup)"
  stop_service
  restore_ledger
  echo "deploy: ledger restored from ledger.prev.sqlite ($lost; $carried); the ledger it replaced is kept as $dir/$aside"
elif [ "$restore" = 1 ]; then
  echo "deploy: the previous binary opens the ledger as it is: no restore needed, the ledger is kept"
fi
mv -f afk afk.rolled-back
mv -f afk.prev afk
restart_service
if alive; then echo "deploy: rolled back to $(./afk --version) on $(uname -n) (schedule: $schedule); the bad one is $dir/afk.rolled-back"; exit 0; fi
if [ -n "$aside" ]; then # never leave the host with neither: the newer afk and its ledger back
  stop_service
  unrestore_ledger
  mv -f afk afk.prev
  mv -f afk.rolled-back afk
  restart_service
  echo "deploy: the previous binary is not alive on the restored ledger (above): put back $(./afk --version) and its ledger; nothing changed" >&2
  exit 1
fi
echo "deploy: rolled back to $(./afk --version), but it is not alive either (above)" >&2
exit 1
REMOTE
  } | remote
  exit $?
fi

if [ -z "$binary" ]; then
  case "$arch" in
    x86_64 | amd64) binary=dist/afk-linux-x64 ;;
    aarch64 | arm64) binary=dist/afk-linux-arm64 ;;
    *)
      echo "deploy: no build target for the host's architecture '$arch' (afk builds linux-x64 and linux-arm64); nothing changed" >&2
      exit 2
      ;;
  esac
fi
if [ ! -f "$binary" ]; then
  echo "deploy: $binary not found; build it first: bun run afk build --target ${binary##*afk-}; nothing changed" >&2
  exit 2
fi

# Checks that need nothing copied: which schedule, and root for systemd. Nothing is written yet.
remote <<'REMOTE'
resolve_schedule
echo "deploy: $(uname -n) ($(uname -m)), schedule: $schedule"
REMOTE

echo "deploy: $binary -> $target:$dir/afk.new"
fresh="$(ssh_ "if [ -d '$dir' ]; then echo no; else mkdir -p '$dir' && echo yes; fi")"
scp_ "$binary" "$target:$dir/afk.new"
if [ -n "${AFK_ENV_FILE:-}" ] && ! ssh_ "test -f '$dir/afk.env'"; then
  echo "deploy: copying $AFK_ENV_FILE -> $target:$dir/afk.env (the host had none)"
  scp_ "$AFK_ENV_FILE" "$target:$dir/afk.env"
  ssh_ "chmod 0640 '$dir/afk.env'"
fi

# Pre-flight on the host, before the running binary is touched. Red: undo what this run copied.
set +e
{
  printf "fresh='%s'\n" "$fresh"
  cat <<'REMOTE'
undo() {
  if [ "$fresh" = yes ]; then cd / && rm -rf "$dir"; else rm -f afk.new ledger.prev.sqlite.new; fi
}
cd "$dir"
chmod 0755 afk.new
if ! version=$(./afk.new --version 2>&1); then
  undo
  echo "deploy: the new binary does not run on $(uname -n) ($(uname -m)): $version; nothing changed" >&2
  exit 3
fi
echo "deploy: pre-flight: $version"
# The ledger as the running afk has it, before the new binary runs on it.
if [ -f ledger.sqlite ]; then
  if ! made=$(with_env ./afk.new backup ledger.prev.sqlite.new 2>&1); then
    if command -v sqlite3 >/dev/null 2>&1 && sqlite3 ledger.sqlite ".backup 'ledger.prev.sqlite.new'"; then
      made="backup: sqlite3 .backup ledger.sqlite -> ledger.prev.sqlite.new (the new binary has no backup command)"
    else
      undo
      echo "deploy: could not back up the ledger before the upgrade: $made; nothing changed" >&2
      exit 1
    fi
  fi
  echo "deploy: $made"
fi
if ! with_env ./afk.new doctor --preflight --env-file "$PWD/afk.env"; then
  undo
  echo "deploy: doctor is red with the new binary (each line above has its fix); nothing changed, the running afk was not touched" >&2
  exit 1
fi
REMOTE
} | remote
code=$?
set -e
[ "$code" -eq 0 ] || exit "$code"

# Swap (the previous binary is kept as afk.prev), install the schedule, check it is alive.
set +e
remote <<'REMOTE'
resolve_schedule
cd "$dir"
if [ -f afk ]; then ln -f afk afk.prev 2>/dev/null || cp -p afk afk.prev; fi
if [ -f ledger.prev.sqlite.new ]; then mv -f ledger.prev.sqlite.new ledger.prev.sqlite; fi
mv -f afk.new afk
echo "deploy: $(./afk --version) in $PWD$( [ -f afk.prev ] && echo " (previous kept as afk.prev)")"
case "$schedule" in
  systemd)
    $asroot env AFK_HOME="$PWD" AFK_KILL_FLAG="$PWD/afk.kill" SUDO_USER="$(id -un)" \
      ./afk install --systemd --apply --env-file "$PWD/afk.env" ;;
  cron) AFK_HOME="$PWD" AFK_KILL_FLAG="$PWD/afk.kill" ./afk install --cron --apply --env-file "$PWD/afk.env" ;;
  none) echo "deploy: no schedule installed (AFK_DEPLOY_SCHEDULE=none): start it yourself, e.g. cd $PWD && ./afk serve" ;;
esac
if alive; then
  echo "deploy: done, $(./afk --version) is alive on $(uname -n) (schedule: $schedule)"
  exit 0
fi
echo "deploy: the new binary is not alive after the restart (above)" >&2
if [ -f afk.prev ]; then
  if why=$(prev_refuses_ledger) && [ -f ledger.prev.sqlite ]; then
    # The new binary migrated the ledger minutes ago and is not alive: the backup goes back too.
    lost="$(since_backup)"
    stop_service
    restore_ledger
    echo "deploy: the previous binary cannot open the migrated ledger ($why): restored ledger.prev.sqlite ($lost; $carried); the migrated one is kept as $dir/$aside" >&2
  fi
  mv -f afk afk.rolled-back
  mv -f afk.prev afk
  restart_service
  echo "deploy: rolled back to $(./afk --version); the bad one is $dir/afk.rolled-back" >&2
else
  [ "$schedule" = systemd ] && $asroot systemctl disable --now afk.service
  echo "deploy: no previous binary to roll back to; the service was stopped" >&2
fi
exit 1
REMOTE
code=$?
set -e
exit "$code"

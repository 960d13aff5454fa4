#!/usr/bin/env bash
# Deploys a built afk to a host over ssh, and rolls it back.
#
#   scripts/deploy.sh user@host [BINARY]         deploy (a second run is idempotent)
#   scripts/deploy.sh --rollback user@host       put the previous binary back and restart it
#
# A deploy: checks the host (reachable, architecture, root or passwordless sudo for systemd),
# copies the binary beside the running one, pre-flights it ON THE HOST (`afk.new --version`,
# `afk.new doctor --preflight`), and only then swaps it in, keeping the previous one as afk.prev.
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
# Exit codes: 0 deployed and alive; 1 pre-flight red (nothing changed) or not alive after the
# restart (rolled back); 2 bad usage or host (nothing changed); 3 the binary does not run there.
set -euo pipefail

usage="usage: scripts/deploy.sh [--rollback] user@host [BINARY]"
rollback=0
if [ "${1:-}" = "--rollback" ]; then
  rollback=1
  shift
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
    printf "set -eu\ndir='%s'\nschedule='%s'\n" "$dir" "$schedule"
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
  remote <<'REMOTE'
resolve_schedule
if ! cd "$dir" 2>/dev/null || [ ! -f afk.prev ]; then
  echo "deploy: no previous binary ($dir/afk.prev) on $(uname -n) to roll back to; nothing changed" >&2
  exit 2
fi
mv -f afk afk.rolled-back
mv -f afk.prev afk
restart_service
if alive; then echo "deploy: rolled back to $(./afk --version) on $(uname -n) (schedule: $schedule); the bad one is $dir/afk.rolled-back"
else echo "deploy: rolled back to $(./afk --version), but it is not alive either (above)" >&2; exit 1; fi
REMOTE
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
  if [ "$fresh" = yes ]; then cd / && rm -rf "$dir"; else rm -f afk.new; fi
}
cd "$dir"
chmod 0755 afk.new
if ! version=$(./afk.new --version 2>&1); then
  undo
  echo "deploy: the new binary does not run on $(uname -n) ($(uname -m)): $version; nothing changed" >&2
  exit 3
fi
echo "deploy: pre-flight: $version"
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

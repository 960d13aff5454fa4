#!/usr/bin/env bash
# Deploys a built afk to a host over ssh: copies the binary (and the env file when the host has
# none), installs or restarts the schedule (systemd where it runs, else cron), then runs
# `afk doctor` on the host and prints it. Exits with doctor's code, so a red host fails the deploy.
#
# usage: scripts/deploy.sh user@host [BINARY]
#   BINARY            default: dist/afk-linux-x64 or dist/afk-linux-arm64, from the host's `uname -m`
#   AFK_REMOTE_DIR    folder on the host (relative to the login's home) holding the binary, the env
#                     file and AFK_HOME (ledger.sqlite, runs/, out/, afk.kill); default: afk
#   AFK_ENV_FILE      local env file copied when the host has none; default: the binary writes
#                     ops/afk.env.example (edit it on the host: cap, Ollama, keys)
#   AFK_DEPLOY_SCHEDULE  systemd | cron; default: systemd when it is running on the host
#
# A production fix goes through the factory: edit the spec, `bun run afk build`, deploy again.

# The remote commands below are built here on purpose: $dir expands locally, \$PWD on the host.
# shellcheck disable=SC2029
set -euo pipefail

target="${1:?usage: scripts/deploy.sh user@host [BINARY]}"
binary="${2:-}"
dir="${AFK_REMOTE_DIR:-afk}"
schedule="${AFK_DEPLOY_SCHEDULE:-}"

if [ -z "$binary" ]; then
  arch="$(ssh "$target" uname -m)"
  case "$arch" in
    x86_64 | amd64) binary=dist/afk-linux-x64 ;;
    aarch64 | arm64) binary=dist/afk-linux-arm64 ;;
    *)
      echo "deploy: no build target for the host's architecture '$arch'" >&2
      exit 2
      ;;
  esac
fi
if [ ! -f "$binary" ]; then
  echo "deploy: $binary not found; build it first: bun run afk build --target ${binary#*afk-}" >&2
  exit 2
fi

echo "deploy: $binary -> $target:$dir/afk"
ssh "$target" "mkdir -p '$dir'"
# Copy beside the running binary, then rename over it: a running service keeps its old file.
scp -q "$binary" "$target:$dir/afk.new"
if [ -n "${AFK_ENV_FILE:-}" ] && ! ssh "$target" "test -f '$dir/afk.env'"; then
  echo "deploy: copying $AFK_ENV_FILE -> $target:$dir/afk.env"
  scp -q "$AFK_ENV_FILE" "$target:$dir/afk.env"
fi

ssh "$target" sh -s -- "$dir" "$schedule" <<'REMOTE'
set -eu
cd "$1"
chmod 0755 afk.new
mv -f afk.new afk
[ -f afk.env ] && chmod 0640 afk.env
schedule="$2"
if [ -z "$schedule" ]; then
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then schedule=systemd; else schedule=cron; fi
fi
echo "deploy: $(./afk --version) on $(uname -n), schedule: $schedule"
if [ "$schedule" = systemd ]; then
  sudo env AFK_HOME="$PWD" AFK_KILL_FLAG="$PWD/afk.kill" SUDO_USER="$(id -un)" \
    ./afk install --systemd --apply --env-file "$PWD/afk.env"
else
  AFK_HOME="$PWD" AFK_KILL_FLAG="$PWD/afk.kill" ./afk install --cron --apply --env-file "$PWD/afk.env"
fi
REMOTE

echo "deploy: afk doctor on $target"
set +e
ssh "$target" "cd '$dir' && set -a && . ./afk.env && set +a && AFK_HOME=\"\$PWD\" ./afk doctor --env-file \"\$PWD/afk.env\""
code=$?
set -e
if [ "$code" -eq 0 ]; then echo "deploy: done, doctor is green"; else echo "deploy: doctor found problems (exit $code); fix them on the host, then run ./afk doctor again" >&2; fi
exit "$code"

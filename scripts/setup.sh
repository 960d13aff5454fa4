#!/usr/bin/env bash
# Installs what afk needs on a fresh machine: Bun (from the npm registry) and the locked packages.
# With --test, also the Debian packages the tests drive: chromium (status page in a real browser),
# prometheus (promtool checks /metrics), sqlite3 (the lab's query), qemu-user-static and
# libc6-arm64-cross (arm64 binary), systemd (systemd-analyze verify), shellcheck (deploy.sh),
# openssh-server + openssh-client (deploy.sh over a real sshd on loopback), cron (crontab).
# Nothing is downloaded from anywhere but the npm and Debian registries.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v bun >/dev/null 2>&1; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "setup: needs bun, or npm to install it from the npm registry (e.g. apt-get install npm)" >&2
    exit 1
  fi
  echo "setup: installing bun from the npm registry"
  npm i -g bun >/dev/null
fi
bun install --frozen-lockfile >/dev/null

if [ "${1:-}" = "--test" ]; then
  need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v promtool >/dev/null 2>&1 || need+=(prometheus)
  command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
  command -v qemu-aarch64-static >/dev/null 2>&1 || need+=(qemu-user-static)
  command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
  # The arm64 bun runtime links glibc: qemu needs the arm64 loader and libc to run it.
  [ -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ] || need+=(libc6-arm64-cross)
  command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
  [ -x /usr/sbin/sshd ] || need+=(openssh-server)
  command -v ssh >/dev/null 2>&1 || need+=(openssh-client)
  command -v crontab >/dev/null 2>&1 || need+=(cron)
  command -v inotifywait >/dev/null 2>&1 || need+=(inotify-tools)
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "setup: apt-get install ${need[*]}"
      if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }; then
        echo "setup: could not install ${need[*]}; the tests that need them say so and skip"
      fi
    else
      echo "setup: not root or no apt-get; tests needing ${need[*]} will say so and skip"
    fi
  fi
fi

import { randomUUID } from "node:crypto";
import { existsSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describeError } from "../../core/errors.ts";
import type { HostConfig } from "../../core/host.ts";
import { openDatabase } from "../../ledger/db.ts";
import { statusBindAddress } from "../../status/server.ts";
import { type CheckResult, fail, ok, warn } from "./check.ts";

/** AFK_HOME exists and this user can create files in it (ledger, runs/, out/). */
export function checkHome(home: string): CheckResult {
  if (!existsSync(home)) return fail("home", `AFK_HOME ${home} does not exist`, `mkdir -p ${home}`);
  const probe = join(home, `.afk-doctor-${randomUUID()}`);
  try {
    writeFileSync(probe, "");
    rmSync(probe);
    return ok("home", `AFK_HOME ${home} is writable`);
  } catch (err) {
    return fail(
      "home",
      `AFK_HOME ${home} is not writable: ${describeError(err)}`,
      `sudo chown -R "$(id -un)" ${home}`,
    );
  }
}

export interface LedgerFacts {
  ticks: number;
  lastStartedAt: string | undefined;
}

/** The ledger opens and its migrations apply; returns what the clock check compares with. */
export function checkLedger(home: string): { result: CheckResult; facts?: LedgerFacts } {
  const path = join(home, "ledger.sqlite");
  try {
    const db = openDatabase(path);
    try {
      const row = db
        .query<{ n: number; last: string | null }, []>(
          "SELECT count(*) AS n, max(started_at) AS last FROM ticks",
        )
        .get();
      const facts = { ticks: row?.n ?? 0, lastStartedAt: row?.last ?? undefined };
      return {
        result: ok("ledger", `${path} opens and is migrated (${facts.ticks} ticks)`),
        facts,
      };
    } finally {
      db.close();
    }
  } catch (err) {
    return {
      result: fail(
        "ledger",
        `${path} does not open: ${describeError(err)}`,
        `check the disk (df -h ${home}); a corrupt ledger: mv ${path} ${path}.bad`,
      ),
    };
  }
}

/** Slack for clocks that step back a little (NTP), in ms. */
const CLOCK_SLACK_MS = 5 * 60_000;
const NTP_FIX = "sudo timedatectl set-ntp true   (then check: timedatectl status)";

/** The clock is plausible: not before 2024, not behind the ledger's last tick. */
export function checkClock(now: Date, facts: LedgerFacts | undefined): CheckResult {
  if (now.getUTCFullYear() < 2024) return fail("clock", `the clock says ${now.toISOString()}`, NTP_FIX);
  const last = facts?.lastStartedAt;
  if (last && Date.parse(last) - now.getTime() > CLOCK_SLACK_MS)
    return fail(
      "clock",
      `the clock (${now.toISOString()}) is behind the ledger's last tick (${last})`,
      NTP_FIX,
    );
  return ok("clock", `${now.toISOString()}${last ? `, last tick ${last}` : ""}`);
}

/** Kill flag state: present means no tick runs (a warning: it may be on purpose). */
export function checkKillFlag(path: string): CheckResult {
  if (existsSync(path))
    return warn(
      "kill flag",
      `present at ${path}: no tick will run while it exists`,
      `rm ${path}   (to resume)`,
    );
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    return fail("kill flag", `its folder ${dir} does not exist, so it cannot be raised`, `mkdir -p ${dir}`);
  return ok("kill flag", `absent (raise it with: touch ${path})`);
}

/** `afk serve` will bind its status page: a valid AFK_STATUS_ADDR, and a token beyond loopback. */
export function checkStatusAddr(
  host: Pick<HostConfig, "statusAddr" | "statusToken">,
  envFile: string,
): CheckResult {
  try {
    const { hostname, port } = statusBindAddress(host);
    return ok("status page", `serve binds ${hostname}:${port}${host.statusToken ? " (token set)" : ""}`);
  } catch (err) {
    return fail(
      "status page",
      err instanceof Error ? err.message : describeError(err),
      `add AFK_STATUS_TOKEN=$(openssl rand -hex 24) to ${envFile}, or set AFK_STATUS_ADDR=127.0.0.1:8787 there`,
    );
  }
}

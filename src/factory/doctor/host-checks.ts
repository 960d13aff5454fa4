import type { Database } from "bun:sqlite";
import { randomUUID } from "node:crypto";
import { existsSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describeError } from "../../core/errors.ts";
import type { HostConfig } from "../../core/host.ts";
import { openDatabase } from "../../ledger/db.ts";
import { statusBindAddress } from "../../status/server.ts";
import { type CheckResult, fail, ok, warn } from "./check.ts";
import { findPortHolder, type PortHolder } from "./port-holder.ts";

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

/** How many ticks the ledger holds and when the last one started (doctor's ledger lines, the clock check). */
export function ledgerFacts(db: Database): LedgerFacts {
  const row = db
    .query<{ n: number; last: string | null }, []>("SELECT count(*) AS n, max(started_at) AS last FROM ticks")
    .get();
  return { ticks: row?.n ?? 0, lastStartedAt: row?.last ?? undefined };
}

/** The ledger opens and its migrations apply; returns what the clock check compares with. */
export function checkLedger(home: string): { result: CheckResult; facts?: LedgerFacts } {
  const path = join(home, "ledger.sqlite");
  try {
    const db = openDatabase(path);
    try {
      const facts = ledgerFacts(db);
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

/** What the port check needs to know about this home's own serve (it may hold the port itself). */
export interface PortFacts {
  /** The pid in AFK_HOME's afk.pid when that process is alive, else null. */
  ownServe: number | null;
  holder: (port: number) => PortHolder | null;
}

/**
 * `afk serve` will bind its status page: a valid AFK_STATUS_ADDR, a token beyond loopback, and the
 * port really free — bound here for a moment — or held by this home's own serve (which a restart
 * hands over). A port held by anything else is red, naming the holder.
 */
export function checkStatusAddr(
  host: Pick<HostConfig, "statusAddr" | "statusToken">,
  envFile: string,
  facts: PortFacts = { ownServe: null, holder: findPortHolder },
): CheckResult {
  let addr: { hostname: string; port: number };
  try {
    addr = statusBindAddress(host);
  } catch (err) {
    return fail(
      "status page",
      err instanceof Error ? err.message : describeError(err),
      `add AFK_STATUS_TOKEN=$(openssl rand -hex 24) to ${envFile}, or set AFK_STATUS_ADDR=127.0.0.1:8787 there`,
    );
  }
  const { hostname, port } = addr;
  const token = host.statusToken ? " (token set)" : "";
  if (port === 0) return ok("status page", `serve binds ${hostname} on a free port${token}`);
  try {
    const probe = Bun.serve({ hostname, port, fetch: () => new Response("") });
    probe.stop(true);
    return ok("status page", `serve binds ${hostname}:${port} (free: bound and released)${token}`);
  } catch (err) {
    const holder = facts.holder(port);
    if (facts.ownServe !== null && (holder === null || holder.pid === facts.ownServe))
      return ok(
        "status page",
        `${hostname}:${port} is held by this home's afk serve (pid ${facts.ownServe})${token}`,
      );
    const who = holder ? `pid ${holder.pid} (${holder.command})` : "another process (ss -ltnp shows which)";
    return fail(
      "status page",
      `${hostname}:${port} cannot be bound: held by ${who}: ${describeError(err)}`,
      `stop ${holder ? `pid ${holder.pid}` : "that process"}, or set AFK_STATUS_ADDR=${hostname}:<free port> in ${envFile}`,
    );
  }
}

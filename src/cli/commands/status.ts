import type { Database } from "bun:sqlite";
import { EXIT } from "../../core/exit.ts";
import { readHostConfig } from "../../core/host.ts";
import { openLedgerReadOnly } from "../../ledger/read-only.ts";
import { type AppBase, appBase } from "../../runner/app-base.ts";
import { cachedSpec } from "../../spec/cached.ts";
import { formatStatus } from "../../status/format.ts";
import { statusSnapshot } from "../../status/snapshot.ts";
import { type Args, flagBool, flagString, SPEC_FLAG } from "../args.ts";
import type { Command } from "../command.ts";
import { VERSION } from "../version.ts";

/**
 * The cold path: the spec from AFK_HOME's cache and the ledger read-only, with nothing else loaded
 * (no yaml, zod, migrations or crash recovery). Null when either is in doubt.
 */
function fromCache(args: Args, deps: Parameters<Command["run"]>[1]): { app: AppBase; db: Database } | null {
  const host = readHostConfig(deps.env, deps.cwd);
  const hit = cachedSpec(flagString(args, "spec"), host.home, VERSION);
  if (!hit) return null;
  const { base } = appBase(deps, host, hit.loaded, VERSION);
  const db = openLedgerReadOnly(base.ledgerPath);
  return db ? { app: base, db } : null;
}

function print(app: AppBase, db: Database, json: boolean): number {
  const snapshot = statusSnapshot({ app, db, handle: null });
  if (json) app.deps.print(JSON.stringify(snapshot, null, 2));
  else for (const line of formatStatus(snapshot)) app.deps.print(line);
  return EXIT.ok;
}

export const statusCommand: Command = {
  name: "status",
  summary:
    "one glance: the verdict and its reasons, today, the last tick, kill flag, cap, next run, alert (--json)",
  usage: "afk status [--spec PATH] [--json]",
  flags: { ...SPEC_FLAG, json: { type: "boolean" } },
  async run(args, deps) {
    const json = flagBool(args, "json");
    const cold = fromCache(args, deps);
    if (cold) {
      try {
        return print(cold.app, cold.db, json);
      } finally {
        cold.db.close();
      }
    }
    // Anything in doubt (no cache entry, no ledger yet, a migration or crash recovery due): the
    // ordinary path validates the spec, and opens the ledger as the other commands do.
    const [{ buildContext }, { ledgerForReading }] = await Promise.all([
      import("../context.ts"),
      import("../../status/open.ts"),
    ]);
    const app = buildContext(args, deps);
    const ledger = ledgerForReading(app, { readOnly: true });
    try {
      return print(app, ledger.db, json);
    } finally {
      ledger.close();
    }
  },
};

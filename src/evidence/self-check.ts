import type { Database } from "bun:sqlite";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeError } from "../core/errors.ts";
import type { LoadedSpec } from "../spec/load.ts";
import type { Check } from "./home-checks.ts";

/**
 * What a built binary on a host can prove without its source tree: the spec it runs is valid
 * (it was loaded to get here), the ledger opens, passes SQLite's integrity check and carries
 * every migration this binary knows, and the home is writable.
 */
export function selfCheck(
  loaded: LoadedSpec,
  db: Database | null,
  home: string,
  migrationIds: readonly string[],
): Check {
  const facts = [`spec ${loaded.hash} (${loaded.origin}) valid`];
  const problems: string[] = [];
  if (db) {
    const integrity = db
      .query<{ integrity_check: string }, []>("PRAGMA integrity_check")
      .get()?.integrity_check;
    if (integrity === "ok") facts.push("ledger integrity ok");
    else problems.push(`ledger integrity_check: ${integrity ?? "no answer"}`);
    const applied = new Set(
      db
        .query<{ id: string }, []>("SELECT id FROM schema_migrations")
        .all()
        .map((r) => r.id),
    );
    const missing = migrationIds.filter((id) => !applied.has(id));
    if (missing.length) problems.push(`ledger lacks migrations ${missing.join(", ")}`);
    else facts.push(`${applied.size} migrations applied`);
  } else problems.push("no ledger.sqlite to check");
  try {
    const dir = join(home, "runs");
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.verify-${process.pid}`);
    writeFileSync(probe, "");
    rmSync(probe);
    facts.push("home writable");
  } catch (err) {
    problems.push(`home not writable: ${describeError(err)}`);
  }
  return {
    name: "self-check",
    ok: problems.length === 0,
    detail: problems.length ? problems.join("; ") : facts.join(", "),
  };
}

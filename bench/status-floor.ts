/**
 * The floor under `afk status`: a compiled program doing only what any status that answers from
 * the ledger must do, the way afk does it — map the spec file (no node:fs), open the ledger
 * read-only (SQLite reads its schema: ~60 tables, indexes, triggers and views), today's ticks by
 * status (the per-day totals the ledger keeps, core-008, as afk reads them) and the last tick,
 * whether the kill flag is there, a few lines out. The bench compiles it beside afk and reports
 * its ratio to hello next to afk's: what is left above it is afk's own (its modules, the cached
 * spec, the snapshot's other questions, the verdict).
 */
import { Database } from "bun:sqlite";

const home = process.env.AFK_HOME ?? ".";
const spec = new TextDecoder().decode(Bun.mmap(`${home}/SPEC.md`, { shared: false }));
const db = new Database(`${home}/ledger.sqlite`, { readonly: true });
const day = new Date().toISOString().slice(0, 10);
const today = db
  .query("SELECT status, ticks AS n FROM totals_day_ticks WHERE day = ? AND ticks <> 0 ORDER BY status")
  .all(day);
const last = db.query("SELECT id FROM ticks ORDER BY rowid DESC LIMIT 1").get();
let flag = true;
try {
  Bun.mmap(`${home}/afk.kill`, { shared: false });
} catch {
  flag = false;
}
console.log(spec.length, JSON.stringify(today), JSON.stringify(last));
console.log(`kill flag: ${flag ? "present" : "absent"}`);

/**
 * The floor under `afk status`: a compiled program doing only the work any status must do —
 * read the spec file, open the ledger read-only, two queries, one croner slot, a few lines out.
 * The bench compiles it beside afk and reports its ratio to hello next to afk's.
 */
import { Database } from "bun:sqlite";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Cron } from "croner";

const home = process.env.AFK_HOME ?? ".";
const spec = readFileSync(join(home, "SPEC.md"), "utf8");
const db = new Database(join(home, "ledger.sqlite"), { readonly: true });
const day = new Date().toISOString().slice(0, 10);
const today = db.query("SELECT status, count(*) AS n FROM ticks WHERE day = ? GROUP BY status").all(day);
const last = db.query("SELECT id FROM ticks ORDER BY rowid DESC LIMIT 1").get();
const next = new Cron("0 * * * *", { utcOffset: 0, paused: true }).nextRun(new Date());
console.log(spec.length, JSON.stringify(today), JSON.stringify(last));
console.log(existsSync(join(home, "afk.kill")), next?.toISOString());

import { Database } from "bun:sqlite";
import { join } from "node:path";
import { openDatabase } from "../src/ledger/db.ts";
import { migrate } from "../src/ledger/migrate.ts";
import { allMigrations } from "../src/ledger/migrations.ts";
import { spendOnDay } from "../src/ledger/ticks.ts";
import { type Figure, median, round } from "./figure.ts";

/** Rows per day: a one-minute loop (TICK_SECONDS=60), one model call per tick. */
const PER_DAY = 1440;

/**
 * Fills a ledger with `rows` ticks and `rows` calls, one call per tick, PER_DAY a day, counted back
 * from the end of today (a minute loop for ~2 years), with a paid call every tenth tick.
 */
export function fillLedger(db: Database, rows: number, lastDay: string): void {
  // Counted back from the end of `lastDay`, so today holds a full day of rows.
  const day = `date('${lastDay}', '-' || (i / ${PER_DAY}) || ' days')`;
  const minute = `'+' || (${PER_DAY} - 1 - i % ${PER_DAY}) || ' minutes'`;
  db.transaction(() => {
    db.run(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows - 1})
       INSERT INTO ticks (id, slot, trigger, status, day, started_at, ended_at, pid, version, spec_hash, spec_origin,
                          value_micros, items, model, out_path, trace_path, reason)
       SELECT printf('t%07d', i), strftime('%Y-%m-%dT%H:%M:00.000Z', ${day}, ${minute}), 'schedule',
              CASE WHEN i % 7 = 0 THEN 'degraded' ELSE 'ok' END,
              ${day},
              strftime('%Y-%m-%dT%H:%M:01.000Z', ${day}, ${minute}),
              strftime('%Y-%m-%dT%H:%M:09.000Z', ${day}, ${minute}),
              1, 'bench', 'h', 'file:bench', 2500000, 5, 'primary', 'out/x.md', 'runs/x/trace.jsonl',
              CASE WHEN i % 7 = 0 THEN 'fallback primary → extractive' END
         FROM n`,
    );
    db.run(
      `INSERT INTO calls (tick_id, day, link_id, kind, model, state, reserved_micros, cost_micros, shadow_micros,
                          tokens_in, tokens_out, outcome, started_at, ended_at)
       SELECT id, day, CASE WHEN rowid % 10 = 0 THEN 'paid' ELSE 'primary' END,
              CASE WHEN rowid % 10 = 0 THEN 'openai' ELSE 'ollama' END, 'm',
              CASE WHEN rowid % 10 = 0 THEN 'settled' ELSE 'free' END,
              CASE WHEN rowid % 10 = 0 THEN 900 ELSE 0 END,
              CASE WHEN rowid % 10 = 0 THEN 450 ELSE 0 END, 450, 2000, 600, 'ok', started_at, ended_at
         FROM ticks`,
    );
  })();
  db.run("ANALYZE");
}

/** Migrations whose triggers keep totals: a ledger filled before them is seeded in one pass each. */
const TOTALS = ["core-005", "status-003", "core-008"];

/**
 * A ledger of `rows` ticks as a long-running host would have it. The rows go in before the
 * totals' triggers exist (a row-by-row trigger would make the fill ~6× slower) and those
 * migrations then seed the totals from them, as on a ledger upgraded in the field.
 */
export function openFilledLedger(dir: string, rows: number, today: string): Database {
  const path = join(dir, "ledger.sqlite");
  const early = new Database(path, { create: true, strict: true });
  early.run("PRAGMA journal_mode = WAL");
  migrate(
    early,
    allMigrations.filter((m) => !TOTALS.includes(m.id)),
  );
  fillLedger(early, rows, today);
  early.close();
  return openDatabase(path);
}

/** spend_query_1m_rows_ms: the median of 500 `spendOnDay(today)` calls (the guard's query) over 1M rows. */
export function benchSpendQuery(db: Database, today: string): Figure {
  spendOnDay(db, today); // prepare and warm the page cache, as a running serve would be
  const times: number[] = [];
  let spent = 0;
  for (let i = 0; i < 500; i++) {
    const t = performance.now();
    spent = spendOnDay(db, today);
    times.push(performance.now() - t);
  }
  const rows = db.query<{ n: number }, [string]>("SELECT count(*) AS n FROM calls WHERE day = ?").get(today);
  return {
    key: "spend_query_1m_rows_ms",
    value: round(median(times), 4),
    unit: "ms",
    goal: { op: "<=", target: 1 },
    note: `median of 500 spendOnDay(today) over 1,000,000 ticks + 1,000,000 calls (${rows?.n ?? 0} today, ${spent} µ$)`,
  };
}

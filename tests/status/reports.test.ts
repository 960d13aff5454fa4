import type { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/cli/run.ts";
import type { ClosedStatus } from "../../src/core/status.ts";
import { recordEndedTick } from "../../src/harness/tick-row.ts";
import { isoWeek } from "../../src/status/days.ts";
import { ledgerReport, ratio } from "../../src/status/reports.ts";
import { statusHome } from "./helpers.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

let n = 0;
/** One closed row on `day`, with an optional paid call (cost) and a free call's shadow price. */
function tick(
  db: Database,
  day: string,
  status: ClosedStatus,
  o: {
    value?: number;
    cost?: number;
    shadow?: number;
    reason?: string;
    detail?: Record<string, unknown>;
  } = {},
) {
  const id = `t-${day}-${++n}`;
  const at = `${day}T07:00:00.000Z`;
  recordEndedTick(
    db,
    {
      id,
      slot: at,
      trigger: "schedule",
      day,
      startedAt: at,
      pid: 1,
      version: "0.1.0",
      specHash: "abc",
      specOrigin: "embedded",
      tracePath: `runs/${day}/trace.jsonl`,
    },
    {
      status,
      endedAt: at,
      valueMicros: o.value ?? 0,
      reason: o.reason ?? null,
      ...(o.detail ? { detail: o.detail } : {}),
    },
  );
  if (o.cost !== undefined || o.shadow !== undefined)
    db.run(
      `INSERT INTO calls (tick_id, day, link_id, kind, state, cost_micros, shadow_micros, started_at)
       VALUES (?, ?, 'paid', 'openai', ?, ?, ?, ?)`,
      [id, day, o.cost ? "settled" : "free", o.cost ?? 0, o.shadow ?? 0, at],
    );
  return id;
}

describe("afk ledger", () => {
  test("weekly value ÷ dollars per ISO week, 'free' when nothing was spent, with the shadow cost", async () => {
    const h = statusHome();
    cleanups.push(h.cleanup);
    const db = h.app().db();
    // ISO week 2026-W47: Mon 16 – Sun 22 Nov; W48: Mon 23 Nov –
    tick(db, "2026-11-20", "ok", { value: 2_500_000, shadow: 1_200 });
    tick(db, "2026-11-22", "degraded", { value: 2_500_000, cost: 500_000 });
    tick(db, "2026-11-23", "ok", { value: 2_500_000, shadow: 800 });
    tick(db, "2026-11-24", "failed", { reason: "every source failed" });
    const r = ledgerReport(db, null);
    expect(
      r.weeks.map((w) => [w.week, w.ticks, w.delivered, w.spendMicros, w.valueMicros, w.shadowMicros]),
    ).toEqual([
      ["2026-W47", 2, 2, 500_000, 5_000_000, 1_200],
      ["2026-W48", 2, 1, 0, 2_500_000, 800],
    ]);
    expect(ratio(5_000_000, 500_000)).toBe("10.0×");
    expect(ratio(2_500_000, 0)).toBe("free");

    h.out.length = 0;
    expect(await run(["ledger", "--spec", h.specs.value], h.deps)).toBe(0);
    const text = h.out.join("\n");
    expect(text).toContain("ledger: 4 ticks (degraded 1, failed 1, ok 2)");
    expect(text).toContain(
      "dollars in $0.50 · value out $7.50 · ratio 15.0× · shadow cost on the paid model $0.002000",
    );
    expect(text).toMatch(/2026-W47 +2 +2 +\$0\.50 +\$5\.00 +10\.0× +\$0\.001200/);
    expect(text).toMatch(/2026-W48 +2 +1 +\$0\.00 +\$2\.50 +free +\$0\.000800/);

    h.out.length = 0;
    expect(await run(["ledger", "--since", "2026-11-23", "--spec", h.specs.value], h.deps)).toBe(0);
    expect(h.out[0]).toBe("ledger since 2026-11-23: 2 ticks (failed 1, ok 1)");
    expect(await run(["ledger", "--since", "last-week", "--spec", h.specs.value], h.deps)).toBe(2);
    expect(h.err.at(-1)).toContain("--since must be a date YYYY-MM-DD");
  });

  test("ISO weeks at year ends", () => {
    expect(isoWeek("2026-01-01")).toBe("2026-W01");
    expect(isoWeek("2027-01-01")).toBe("2026-W53");
    expect(isoWeek("2024-12-30")).toBe("2025-W01");
  });
});

describe("afk incidents", () => {
  test("degraded and failed ticks with their caught errors (row, detail, trace) and trace paths", async () => {
    const h = statusHome();
    cleanups.push(h.cleanup);
    const db = h.app().db();
    tick(db, "2026-11-22", "ok", { value: 2_500_000 });
    const degraded = tick(db, "2026-11-23", "degraded", {
      value: 2_500_000,
      reason: "fallback primary → extractive (timeout)",
      detail: {
        fallbacks: [{ from: "primary", to: "extractive", reason: "timeout after 180 s" }],
        failed_sources: [{ id: "ops-notes", code: "http_status", error: "HTTP 503", optional: true }],
      },
    });
    const failed = tick(db, "2026-11-24", "failed", { reason: "every source failed: sqlite-news (network)" });
    mkdirSync(join(h.home, "runs", "2026-11-24"), { recursive: true });
    appendFileSync(
      join(h.home, "runs", "2026-11-24", "trace.jsonl"),
      `${JSON.stringify({
        tick: failed,
        id: "x.2",
        parent: "x.1",
        kind: "span",
        name: "source.fetch",
        start: "2026-11-24T07:00:00.000Z",
        duration_ms: 3,
        status: "error",
        attrs: {},
        error: "ECONNREFUSED 127.0.0.1:9",
      })}\n`,
    );
    h.out.length = 0;
    expect(await run(["incidents", "--spec", h.specs.value], h.deps)).toBe(0);
    const text = h.out.join("\n");
    expect(text).not.toContain("2026-11-22");
    expect(text).toContain(`${degraded} degraded (schedule)`);
    expect(text).toContain("  - source ops-notes (optional): http_status: HTTP 503");
    expect(text).toContain("  - fallback primary → extractive: timeout after 180 s");
    expect(text).toContain(`${failed} failed (schedule)`);
    expect(text).toContain("  reason: every source failed: sqlite-news (network)");
    expect(text).toContain("  - span source.fetch: ECONNREFUSED 127.0.0.1:9");
    expect(text).toContain(`  trace: runs/2026-11-24/trace.jsonl (afk trace ${failed})`);
  });
});

/**
 * The built-in digest and a `job: command` are two jobs behind one interface (harness/job.ts):
 * the same spec, with and without a `job:` block, goes through the one path of `runTick` —
 * the same row, the same file in out/, the same outbox rows, the same Atom entry, and value
 * booked once per slot for both.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAtomFeed } from "feedsmith";
import { entryId } from "../../src/deliver/atom.ts";
import { deliveryId } from "../../src/deliver/ids.ts";
import { runTick } from "../../src/harness/tick.ts";
import type { TickSummary } from "../../src/harness/tick-row.ts";
import type { AppContext } from "../../src/runner/app.ts";
import { createStatusApp } from "../../src/status/app.tsx";
import { readTickTrace } from "../../src/trace/read.ts";
import { deliverHome, tickAndDeliver, writeFeed } from "../deliver/home.ts";
import { startReceiver } from "../deliver/servers.ts";
import { doublesHome, useDoubles } from "../job/helpers.ts";
import { eventsNamed, harnessFor, traceOf } from "../models/fixtures.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const SLOT = "2026-11-24T07:00:00.000Z";
const UNIT = { title: "Postings triaged", markdown: "- one\n- two\n- three", items: 3 };

/** The spec's `job:` block for each kind: none (the digest), or a command printing a JSON unit. */
const JOB_BLOCK = {
  digest: "",
  command: [
    "job:",
    "  kind: command",
    `  run: ["sh", "-c", ${JSON.stringify(`printf '%s\\n' '${JSON.stringify(UNIT)}'`)}]`,
  ].join("\n"),
} as const;
type Kind = keyof typeof JOB_BLOCK;

/** A home delivering to one webhook sink, whose spec differs between the kinds only by `job:`. */
function homeOf(kind: Kind) {
  const rx = startReceiver();
  const h = deliverHome(
    [`{ id: chat, kind: webhook, url: "${rx.url}/afk" }`],
    { PATH: process.env.PATH ?? "" },
    JOB_BLOCK[kind],
  );
  cleanups.push(rx.stop, h.cleanup);
  return { h, rx, app: h.app() };
}

interface Row {
  id: string;
  status: string;
  value_micros: number;
  items: number;
  model: string | null;
  out_path: string | null;
  reason: string | null;
  ended_at: string | null;
}

function rowOf(app: AppContext, s: TickSummary): Row {
  const row = app.db().query<Row, [string]>("SELECT * FROM ticks WHERE id = ?").get(s.tickId);
  if (!row) throw new Error(`no row for ${s.tickId}`);
  return row;
}

/** Which columns of a row are set, and to what type: the row's shape. */
const shapeOf = (row: object) =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? "null" : typeof v]));

function outboxOf(app: AppContext) {
  return app
    .db()
    .query<
      {
        slot: string;
        sink_id: string;
        tick_id: string;
        out_path: string;
        delivery_id: string;
        status: string;
      },
      []
    >(
      "SELECT slot, sink_id, tick_id, out_path, delivery_id, status FROM deliver_outbox ORDER BY slot, sink_id",
    )
    .all();
}

async function atomOf(app: AppContext) {
  const res = await createStatusApp({ app, handle: null }).request("/digests.atom");
  return parseAtomFeed(await res.text()).entries ?? [];
}

/** One tick of each kind, delivered, with what each left behind. */
async function tickOf(kind: Kind) {
  const { h, rx, app } = homeOf(kind);
  const s = await tickAndDeliver(app);
  const row = rowOf(app, s);
  const file = readFileSync(join(h.home, s.outPath ?? "missing"), "utf8");
  const deliver = readTickTrace(h.home, s.tickId, s.tracePath).find((r) => r.name === "deliver");
  return { h, rx, app, s, row, file, deliver, outbox: outboxOf(app), atom: await atomOf(app) };
}

describe("the digest and a command job: one delivery and ledger path", () => {
  test("the same shape of ticks row, out/ file, outbox rows, Atom entry and deliver span", async () => {
    const digest = await tickOf("digest");
    const command = await tickOf("command");
    expect(shapeOf(command.row)).toEqual(shapeOf(digest.row));
    for (const t of [digest, command]) {
      expect(t.row).toMatchObject({
        status: "ok",
        value_micros: 2_500_000,
        reason: null,
        out_path: "out/test-digest-2026-11-24-0700.md",
      });
      expect(t.file).toStartWith("# ");
      expect(t.outbox).toEqual([
        {
          slot: SLOT,
          sink_id: "chat",
          tick_id: t.s.tickId,
          out_path: "out/test-digest-2026-11-24-0700.md",
          delivery_id: deliveryId("test-digest", SLOT, "chat"),
          status: "sent",
        },
      ]);
      expect(t.rx.received).toHaveLength(1);
      expect(t.atom.map((e) => e.id)).toEqual([entryId("test-digest", SLOT)]);
      expect(t.deliver?.status).toBe("ok");
      expect(t.deliver?.attrs).toMatchObject({ path: t.row.out_path, bytes: t.file.length });
    }
    expect(digest.row.model).toBe("extractive");
    expect(command.row).toMatchObject({ model: "job", items: 3 });
    expect(command.file).toBe(`# ${UNIT.title}\n\n${UNIT.markdown}\n`);
    expect(command.atom[0]?.content?.value).toContain("three");
  });

  test.each(["digest", "command"] as const)(
    "%s: a --force re-run of the slot delivers a second file but books no second value and sends nothing again",
    async (kind) => {
      const { h, rx, app } = homeOf(kind);
      const first = await tickAndDeliver(app);
      writeFeed(h.specDir, [
        { id: "b1", title: "Fresh one" },
        { id: "b2", title: "Fresh two" },
      ]);
      const again = await tickAndDeliver(app, true);
      expect(rowOf(app, first).value_micros).toBe(2_500_000);
      expect(rowOf(app, again)).toMatchObject({
        status: "ok",
        value_micros: 0,
        out_path: "out/test-digest-2026-11-24-0700.v2.md",
        reason: `slot already valued by tick ${first.tickId}: this re-run books no second value`,
      });
      expect(again.valueMicros).toBe(0);
      expect(outboxOf(app).map((r) => r.tick_id)).toEqual([first.tickId]);
      expect(rx.received).toHaveLength(1);
    },
  );
});

describe("one spend path: what the chain and the proxy book is traced the same way", () => {
  const doubles = useDoubles();
  afterEach(() => doubles.paid.setBehavior("*", undefined));

  test("a provider billing a command job beyond its reservation: budget.overrun in the tick's trace, as for a digest", async () => {
    const h = doublesHome(doubles, [
      "bun",
      join(import.meta.dir, "..", "job", "jobs", "openai-job.ts"),
      "gpt-4o-mini",
    ]);
    cleanups.push(h.cleanup);
    doubles.paid.setBehavior("*", { kind: "overbill", completionTokens: 1200 });
    const s = await runTick({ trigger: "manual", slot: new Date(SLOT), force: false }, harnessFor(h));
    const [event, ...more] = eventsNamed(traceOf(h, s), "budget.overrun");
    expect(more).toHaveLength(0);
    expect(event?.attrs).toMatchObject({ link: "paid", model: "gpt-4o-mini", tokens_out: 1200 });
    expect(Number(event?.attrs.over_micros)).toBeGreaterThan(0);
  });
});

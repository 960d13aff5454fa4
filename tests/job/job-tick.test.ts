/**
 * A `job:` spec through a real tick (`runTick`, a real ledger, real child processes and
 * signals): the unit is delivered like a digest; a failing, flooding, slow or stopped job ends
 * the tick with one closed row and nothing of its process group left running.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TickStop } from "../../src/harness/abort.ts";
import { runTick } from "../../src/harness/tick.ts";
import { isGoneOrZombie } from "../../src/job/process.ts";
import { eventsNamed, type Home, harnessFor, traceOf } from "../models/fixtures.ts";
import { fileText } from "../support/poll.ts";
import { makeJobHome } from "./helpers.ts";

let home: Home | undefined;
afterEach(() => {
  home?.cleanup();
  home = undefined;
});
const slot = new Date("2026-11-24T07:00:00Z");

/** The test's home, cleaned up after it. */
function use(h: Home): Home {
  home = h;
  return h;
}

function row(h: Home, id: string) {
  return h.db
    .query<
      { status: string; reason: string | null; value_micros: number; items: number; out_path: string | null },
      [string]
    >("SELECT status, reason, value_micros, items, out_path FROM ticks WHERE id = ?")
    .get(id);
}

describe("a job: spec runs the operator's command as the tick", () => {
  test("a JSON unit on the last stdout line is delivered to out/ with its items and value, the row ok", async () => {
    const unit = {
      title: "Postings triaged",
      markdown: "## Three new postings\n\n- a\n- b\n- c",
      items: 3,
      value_usd: 4,
    };
    const h = use(
      makeJobHome({
        run: ["sh", "-c", `echo working; printf '%s\\n' '${JSON.stringify(unit)}'`],
      }),
    );
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
    expect(s.status).toBe("ok");
    expect(s.outPath).toBe("out/my-job-2026-11-24-0700.md");
    expect(readFileSync(join(h.dir, s.outPath ?? ""), "utf8")).toBe(
      `# Postings triaged\n\n${unit.markdown}\n`,
    );
    expect(row(h, s.tickId)).toMatchObject({ status: "ok", value_micros: 4_000_000, items: 3 });
  });

  test("stdout that is not JSON becomes the unit's Markdown, valued at the spec's rate", async () => {
    const h = use(
      makeJobHome({
        run: ["sh", "-c", "printf '# Notifications\\n\\nTwo PRs wait for review.\\n'"],
      }),
    );
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
    expect(s.status).toBe("ok");
    expect(readFileSync(join(h.dir, s.outPath ?? ""), "utf8")).toBe(
      "# Notifications\n\nTwo PRs wait for review.\n",
    );
    expect(row(h, s.tickId)?.value_micros).toBe(2_500_000);
  });

  test("a non-zero exit fails the tick with its last stderr line in the reason and its stderr tail in the trace", async () => {
    const h = use(
      makeJobHome({
        run: ["sh", "-c", "echo partial; echo 'step 1 ok' >&2; echo 'feed token rejected' >&2; exit 3"],
      }),
    );
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
    expect(s.status).toBe("failed");
    expect(s.reason).toBe("job exited with code 3; stderr: feed token rejected");
    expect(s.outPath).toBeNull();
    const [tail] = eventsNamed(traceOf(h, s), "job.stderr");
    expect(tail?.attrs.tail).toBe("step 1 ok\nfeed token rejected");
  });

  test("an exit 0 with nothing on stdout is no unit: failed, nothing in out/", async () => {
    const h = use(makeJobHome({ run: ["true"] }));
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
    expect(s).toMatchObject({ status: "failed", reason: "the job printed nothing on stdout", outPath: null });
    expect(existsSync(join(h.dir, "out"))).toBe(false);
  });

  test("a last line that is JSON but not a unit fails, naming the field", async () => {
    const h = use(
      makeJobHome({
        run: ["sh", "-c", `echo '{"title":"t","markdown":"m","items":"three"}'`],
      }),
    );
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
    expect(s.status).toBe("failed");
    expect(s.reason).toContain("the last stdout line is JSON but not a unit: items:");
  });

  test("a job that floods stdout is killed at job.max_output_bytes and fails with that reason", async () => {
    const h = use(makeJobHome({ run: ["sh", "-c", "yes flood"], job: { max_output_bytes: 100_000 } }));
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
    expect(s.status).toBe("failed");
    expect(s.reason).toBe("job stdout passed job.max_output_bytes (100000 bytes); killed");
    expect(existsSync(join(h.dir, "out"))).toBe(false);
  });

  test("a job past job.timeout_s ends timeout, its process group gone", async () => {
    const h = use(
      makeJobHome({
        run: ["sh", "-c", "echo $$ > leader.pid; exec sleep 300"],
        job: { timeout_s: 0.5 },
      }),
    );
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
    expect(s).toMatchObject({ status: "timeout", reason: "job ran past job.timeout_s (0.5s)" });
    expect(row(h, s.tickId)?.status).toBe("timeout");
    expect(isGoneOrZombie(Number(readFileSync(join(h.dir, "leader.pid"), "utf8")))).toBe(true);
  });

  test("a stopped tick ends the whole group, a grandchild that ignores SIGTERM too: killed, no process outlives it", async () => {
    const script = [
      "(trap '' TERM; exec sleep 300) &",
      "echo $! > grandchild.pid",
      "trap '' TERM",
      "sleep 300",
    ].join("\n");
    const h = use(makeJobHome({ run: ["sh", "-c", script] }));
    const stop = new AbortController();
    const tick = runTick({ trigger: "manual", slot, force: false }, harnessFor(h, { signal: stop.signal }));
    const grandchild = Number(await fileText(join(h.dir, "grandchild.pid")));
    expect(isGoneOrZombie(grandchild)).toBe(false);
    stop.abort(new TickStop("killed", "stopped: SIGTERM"));
    const s = await tick;
    expect(s).toMatchObject({ status: "killed", reason: "stopped: SIGTERM" });
    expect(isGoneOrZombie(grandchild)).toBe(true);
    const [span] = traceOf(h, s).filter((r) => r.name === "job" && r.kind === "span");
    expect(span?.attrs.forced_kill).toBe(true);
  });

  test("when the tick stops, the proxy stops answering before the job is signalled", async () => {
    const h = use(makeJobHome({ run: ["python3", join(import.meta.dir, "jobs", "last_call.py")] }));
    const stop = new AbortController();
    const tick = runTick({ trigger: "manual", slot, force: false }, harnessFor(h, { signal: stop.signal }));
    expect(await fileText(join(h.dir, "started.txt"))).toBe("up");
    stop.abort(new TickStop("killed", "stopped: SIGTERM"));
    const s = await tick;
    expect(s.status).toBe("killed");
    expect(readFileSync(join(h.dir, "last-call.txt"), "utf8")).toStartWith("refused: ");
  });

  test("the job's environment holds PATH, HOME, the listed names and the AFK_* set, never the paid key", async () => {
    const h = use(
      makeJobHome({
        run: ["sh", "-c", "env | cut -d= -f1 | sort | tr '\\n' ' '"],
        env: { MY_FEED_TOKEN: "feed-secret", PAID_KEY: "sk-real-paid-key", UNLISTED: "x" },
        job: { env: ["MY_FEED_TOKEN"] },
        models: [
          '{ id: paid, kind: openai, base_url: "http://127.0.0.1:9/v1", model: "gpt-4o-mini", api_key_env: PAID_KEY, usd_per_mtok_in: 0.15, usd_per_mtok_out: 0.6 }',
        ],
      }),
    );
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
    expect(s.status).toBe("ok");
    const [, , ...body] = readFileSync(join(h.dir, s.outPath ?? ""), "utf8").split("\n");
    const names = body.join(" ").trim().split(/\s+/).sort();
    const allowed = [
      "AFK_OUT_DIR",
      "AFK_SLOT",
      "AFK_TICK_ID",
      "HOME",
      "MY_FEED_TOKEN",
      "OLLAMA_HOST",
      "OPENAI_API_KEY",
      "OPENAI_BASE_URL",
      "PATH",
    ];
    // The shell adds its own few (PWD, SHLVL, _); nothing of the host's beyond the list.
    expect(names.filter((n) => !["PWD", "SHLVL", "_", "OLDPWD"].includes(n))).toEqual(allowed);
  });
});

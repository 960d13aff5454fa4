#!/usr/bin/env bun
/**
 * `bun run demo`: the demo's five live moments, staged in a temporary home with loopback feeds,
 * the Ollama double for the local models and the OpenAI-compatible double for the paid tier.
 * Each moment is announced, then shown by running the real `afk` CLI as a child process, then
 * checked; the script exits 1 naming any moment that did not happen. Nothing needs a hand.
 *
 *   bun run demo [--pace SECONDS] [--keep]
 *
 * --pace waits between moments (for a live audience); --keep leaves the home for inspection.
 */
import { Database } from "bun:sqlite";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type AfkResult, runAfk, startAfk } from "../src/evidence/afk-child.ts";
import { startOllamaDouble } from "../src/evidence/doubles/ollama-double.ts";
import { OPENAI_DOUBLE_KEY, startOpenAiDouble } from "../src/evidence/doubles/openai-double.ts";

const KILL_LINE = "KILL flag present — refusing to run.";
const CAP_LINE = "Spend cap reached — halting.";

const USAGE = "usage: bun run demo [--pace SECONDS] [--keep]";

/** The arguments; anything else (`--help`, a typo) is one line and the usage, exit 2, before anything starts. */
function args(): { pace: number; keep: boolean } {
  try {
    const { values } = parseArgs({
      args: process.argv.slice(2),
      options: { pace: { type: "string" }, keep: { type: "boolean", default: false } },
    });
    const pace = Number(values.pace ?? 0);
    if (!(pace >= 0)) throw new Error(`--pace must be a number of seconds ≥ 0, got '${values.pace}'`);
    return { pace: pace * 1000, keep: values.keep };
  } catch (err) {
    process.stderr.write(`demo: ${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}
const { pace, keep } = args();

/** A loopback feed handing out new items on every request, so every tick has fresh news. */
function feedServer(name: string) {
  let n = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch() {
      const items = Array.from({ length: 3 }, () => {
        n++;
        return `<item><title>${name} ${n}: SQLite and Bun release notes</title><link>https://example.test/${name}/${n}</link><guid>${name}-${n}</guid><description>${name} item ${n}: what changed and why an operator cares. A second sentence.</description></item>`;
      }).join("");
      return new Response(
        `<?xml version="1.0"?><rss version="2.0"><channel><title>${name}</title><link>https://example.test/</link><description>${name}</description>${items}</channel></rss>`,
        { headers: { "content-type": "application/rss+xml" } },
      );
    },
  });
  return { url: `http://127.0.0.1:${server.port}/${name}.xml`, stop: () => server.stop(true) };
}

const home = mkdtempSync(join(tmpdir(), "afk-demo-"));
const killFlag = join(home, "afk.kill");
const feeds = [feedServer("releases"), feedServer("ops")];
const ollama = await startOllamaDouble();
const paid = await startOpenAiDouble();
const specPath = join(home, "SPEC.md");
writeFileSync(
  specPath,
  [
    "---",
    "name: demo-digest",
    'cadence: "0 7 * * *"',
    "timezone: UTC",
    "budget:",
    "  daily_cap_usd: 1.00",
    "value:",
    "  unit: digest",
    "  usd_per_unit: 2.50",
    "  min_items: 3",
    "sources:",
    ...feeds.map((f, i) => `  - { id: feed-${i + 1}, url: "${f.url}", timeout_s: 5 }`),
    "models:",
    '  - { id: primary, kind: ollama, model: "llama3.1:8b", timeout_s: 10, retries: 0 }',
    '  - { id: fallback, kind: ollama, model: "qwen2.5:3b", timeout_s: 10, retries: 0 }',
    `  - { id: paid, kind: openai, base_url: "${paid.baseUrl}", model: "gpt-4o-mini", api_key_env: DEMO_PAID_KEY, usd_per_mtok_in: 0.15, usd_per_mtok_out: 0.60, max_output_tokens: 800, retries: 0 }`,
    "  - { id: extractive, kind: extractive }",
    "---",
    "",
    "## Why a digest is worth $2.50",
    "",
    "Ten minutes of skimming saved, at $15/hour.",
    "",
  ].join("\n"),
);

const baseEnv: Record<string, string> = {
  PATH: process.env.PATH ?? "",
  HOME: home,
  AFK_HOME: home,
  AFK_KILL_FLAG: killFlag,
  OLLAMA_HOST: ollama.url,
  DEMO_PAID_KEY: OPENAI_DOUBLE_KEY,
  AFK_STATUS_ADDR: "127.0.0.1:0",
  AFK_EXIT_WITH_PARENT: "1",
  NO_COLOR: "1",
};

/** Shows the command, runs `afk` as a real child in the demo home, echoes its output indented. */
async function afk(
  args: string[],
  env: Record<string, string> = {},
  show: (line: string) => boolean = () => true,
): Promise<AfkResult> {
  const shown = Object.entries(env)
    .map(([k, v]) => `${k}=${v} `)
    .join("");
  console.log(`  $ ${shown}afk ${args.join(" ")}`);
  const r = await runAfk([...args, ...(needsSpec(args) ? ["--spec", specPath] : [])], {
    cwd: home,
    env: { ...baseEnv, ...env },
  });
  echo(r.out, r.err, show);
  console.log(`  (exit ${r.code})`);
  return r;
}

function needsSpec(args: string[]): boolean {
  return !["kill", "arm", "trace", "kill-test"].includes(args[0] ?? "");
}

function echo(out: string, err: string, show: (line: string) => boolean = () => true): void {
  const lines = `${out}${err}`.split("\n").filter((x) => x.trim());
  const shown = [...new Set(lines.filter(show))];
  for (const l of shown) console.log(`    ${l}`);
  if (shown.length < lines.length) console.log(`    … (${lines.length - shown.length} more lines)`);
}

function lastRow(): {
  id: string;
  status: string;
  reason: string | null;
  model: string | null;
  out_path: string | null;
} {
  const db = new Database(join(home, "ledger.sqlite"), { readonly: true });
  try {
    return db
      .query<
        { id: string; status: string; reason: string | null; model: string | null; out_path: string | null },
        []
      >("SELECT id, status, reason, model, out_path FROM ticks ORDER BY started_at DESC, rowid DESC LIMIT 1")
      .get() as never;
  } finally {
    db.close();
  }
}

function rowStatus(id: string): string | null {
  const db = new Database(join(home, "ledger.sqlite"), { readonly: true });
  try {
    return (
      db.query<{ status: string }, [string]>("SELECT status FROM ticks WHERE id = ?").get(id)?.status ?? null
    );
  } finally {
    db.close();
  }
}

function outFiles(): string[] {
  const dir = join(home, "out");
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".md")) : [];
}

function chatRequests(model: string): number {
  return ollama.requests.filter(
    (r) => r.path === "/api/chat" && (r.body as { model?: string })?.model === model,
  ).length;
}

const results: { moment: string; ok: boolean; why: string }[] = [];
let n = 0;
async function moment(title: string, body: () => Promise<string | null>): Promise<void> {
  n++;
  if (n > 1 && pace) await Bun.sleep(pace);
  console.log(`\n━━ ${n}/5 · ${title} ━━`);
  let failure: string | null;
  try {
    failure = await body();
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
  }
  results.push({ moment: title, ok: failure === null, why: failure ?? "" });
  console.log(failure === null ? `  ✓ shown: ${title}` : `  ✗ NOT shown: ${failure}`);
}

console.log(`afk demo — home ${home}`);
console.log(
  `  feeds ${feeds.map((f) => f.url).join(", ")}; Ollama double ${ollama.url}; paid double ${paid.baseUrl}`,
);

try {
  await moment("a tick lands a digest in out/", async () => {
    const r = await afk(["tick"]);
    const row = lastRow();
    const file = row.out_path
      ? join(home, row.out_path.startsWith("out/") ? row.out_path : join("out", row.out_path))
      : "";
    if (r.code !== 0 || row.status !== "ok") return `expected an ok tick, got ${row.status} (exit ${r.code})`;
    const path = existsSync(file) ? file : join(home, "out", outFiles()[0] ?? "");
    if (!existsSync(path)) return "no digest in out/";
    console.log(`  ${path.slice(home.length + 1)}:`);
    for (const l of readFileSync(path, "utf8").split("\n").slice(0, 8)) console.log(`    │ ${l}`);
    if (chatRequests("llama3.1:8b") < 1) return "the primary model was never asked";
    return null;
  });

  await moment("the primary model is broken and the fallback fires", async () => {
    ollama.setBehavior("llama3.1:8b", {
      kind: "error",
      status: 500,
      message: "llama runner process has terminated",
    });
    console.log("  (the Ollama double now answers 500 for llama3.1:8b)");
    const before = outFiles().length + chatRequests("qwen2.5:3b");
    const r = await afk(["tick", "--force"]);
    const row = lastRow();
    if (row.status !== "degraded" || row.model !== "fallback")
      return `expected degraded, written by fallback; got ${row.status} by ${row.model} (exit ${r.code})`;
    if (chatRequests("qwen2.5:3b") + outFiles().length <= before) return "the fallback model was not asked";
    const trace = await afk(["trace", row.id], {}, (l) => /model\.(call|fallback)|^tick /.test(l.trim()));
    if (!/model\.fallback/.test(trace.out)) return "the trace does not show the fallback";
    return null;
  });

  await moment("the cap is set tiny and the system halts", async () => {
    ollama.setBehavior("llama3.1:8b", undefined);
    const asked = ollama.requests.length + paid.requests.length;
    const files = outFiles().length;
    const r = await afk(["tick"], { SPEND_CAP_USD: "0.0001" });
    if (r.code !== 3) return `expected exit 3, got ${r.code}`;
    if (!r.out.includes(CAP_LINE)) return `the line '${CAP_LINE}' was not printed`;
    // serve does not exit at the cap: it stays up, halted, and resumes on the cap's next day by itself.
    console.log("  $ SPEND_CAP_USD=0.0001 TICK_SECONDS=2 afk serve &");
    const serve = startAfk(["serve", "--spec", specPath], {
      cwd: home,
      env: { ...baseEnv, SPEND_CAP_USD: "0.0001", TICK_SECONDS: "2" },
    });
    const halted = await serve.out
      .waitFor(/^halted: spend cap reached; resumes by itself at \S+$/)
      .catch(() => null);
    console.log(`    ${halted ?? "(serve ended without a halted line)"}`);
    // afk status opens with the verdict and how it resumes
    const st = await afk(
      ["status"],
      { SPEND_CAP_USD: "0.0001" },
      (l) => l.startsWith("halted") || l.startsWith("  resumes"),
    );
    serve.kill("SIGTERM");
    const code = await serve.exited;
    console.log(`  (serve stayed up halted until SIGTERM; exit ${code})`);
    if (!halted) return "serve printed no halted line";
    if (!st.out.startsWith("halted — ")) return "afk status does not open with the verdict halted";
    if (!/resumes .*by itself at the first slot/.test(st.out))
      return "afk status does not say when the halt ends";
    if (ollama.requests.length + paid.requests.length !== asked) return "a model was called over the cap";
    if (outFiles().length !== files) return "a digest was written over the cap";
    if (lastRow().status !== "halted_cap")
      return `the ledger's last row is ${lastRow().status}, not halted_cap`;
    return null;
  });

  await moment("the flag is touched and the next tick refuses", async () => {
    writeFileSync(killFlag, "touched by the demo\n");
    console.log(`  $ touch ${killFlag}`);
    const r = await afk(["tick", "--force"]);
    if (!r.out.includes(KILL_LINE)) return `the line '${KILL_LINE}' was not printed`;
    if (lastRow().status !== "refused_kill")
      return `the ledger's last row is ${lastRow().status}, not refused_kill`;
    await afk(["arm"]);
    return existsSync(killFlag) ? "afk arm left the flag" : null;
  });

  await moment("the one-command kill", async () => {
    ollama.setBehavior("llama3.1:8b", { kind: "hang" });
    const seen = ollama.requests.length;
    console.log("  (llama3.1:8b now never answers: the next tick stays in flight)");
    console.log("  $ TICK_SECONDS=2 afk serve &");
    const serve = startAfk(["serve", "--spec", specPath], {
      cwd: home,
      env: { ...baseEnv, TICK_SECONDS: "2" },
    });
    await ollama.waitForRequests(seen + 1);
    // The row in flight now; a slot that falls due after the flag is refused in its own row.
    const inFlight = lastRow().id;
    console.log(`  (serve pid ${serve.pid} has a tick in flight: the model was asked and is holding)`);
    const k = await afk(["kill"]);
    const { code, out, err } = await serve.result();
    console.log(`  afk serve (pid ${serve.pid}) exited ${code}:`);
    echo(out, err);
    ollama.setBehavior("llama3.1:8b", undefined);
    if (k.code !== 0) return `afk kill exited ${k.code}`;
    const status = rowStatus(inFlight);
    if (status !== "killed") return `the in-flight tick's row is ${status}, not killed`;
    if (!existsSync(killFlag)) return "afk kill did not leave the flag (nothing would stop a restart)";
    await afk(["arm"]);
    return null;
  });

  console.log("\n━━ the ledger after the demo ━━");
  await afk(["ledger"]);
} finally {
  for (const f of feeds) f.stop();
  await ollama.stop();
  await paid.stop();
  if (!keep) rmSync(home, { recursive: true, force: true });
  else console.log(`\n(home kept: ${home})`);
}

const failed = results.filter((r) => !r.ok);
console.log(
  failed.length
    ? `\ndemo: ${failed.length} of ${results.length} moments NOT shown: ${failed.map((f) => `${f.moment} (${f.why})`).join("; ")}`
    : `\ndemo: all ${results.length} moments shown`,
);
process.exit(failed.length ? 1 : 0);

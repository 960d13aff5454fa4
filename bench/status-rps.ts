import { join } from "node:path";
import { REPO_ROOT } from "../src/soak/child.ts";
import { type Figure, round } from "./figure.ts";
import { startServe } from "./serve-proc.ts";
import { writeBenchSpec } from "./serve-rss.ts";

/**
 * status_json_rps: GET /status.json on a compiled serve whose ledger holds 100,000 ticks,
 * driven for 5 s by a separate client process with 32 keep-alive connections.
 */
export async function benchStatusRps(
  bin: string,
  home: string,
  env: Record<string, string>,
): Promise<Figure> {
  const spec = writeBenchSpec(
    home,
    "0 0 1 1 *",
    ["http://127.0.0.1:9/feed"],
    ["{ id: extractive, kind: extractive }"],
  );
  const serve = startServe(bin, spec, { ...env, HOME: home, AFK_HOME: home, AFK_STATUS_ADDR: "127.0.0.1:0" });
  try {
    const line = await serve.waitForLine(/^status page: /);
    const url = `${line.replace(/^status page: /, "").trim()}/status.json`;
    const probe = await fetch(url);
    if (!probe.ok) throw new Error(`bench: ${url} answered ${probe.status}`);
    const bytes = (await probe.arrayBuffer()).byteLength;
    const client = Bun.spawn(["bun", join(REPO_ROOT, "bench", "load.ts"), url, "5", "32"], {
      stdout: "pipe",
      stderr: "inherit",
    });
    const out = JSON.parse(await new Response(client.stdout).text()) as {
      requests: number;
      seconds: number;
      errors: number;
    };
    return {
      key: "status_json_rps",
      value: Math.round(out.requests / out.seconds),
      unit: "req/s",
      goal: { op: ">=", target: 5000 },
      note: `${out.requests} requests in ${round(out.seconds, 1)} s (${out.errors} errors), ${bytes} B each, 100,000 ticks in the ledger; client and server share the machine`,
    };
  } finally {
    await serve.stop();
  }
}

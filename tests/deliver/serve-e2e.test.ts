import { afterEach, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAtomFeed } from "feedsmith";
import { startAfk } from "../../src/evidence/afk-child.ts";
import { freePort } from "../support/net.ts";
import { deliverHome } from "./home.ts";

/** Real child processes start slowly on a loaded 2-core machine: room beyond bun's 5 s default (not a speed bound). */
const CHILD_TIMEOUT_MS = 60_000;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

test(
  "a real afk serve delivers its first digest to the sink, serves it at /digests.atom and leaves out/digests.atom behind",
  async () => {
    let arrived: () => void = () => {};
    const posted = new Promise<void>((r) => {
      arrived = r;
    });
    const bodies: string[] = [];
    const rx = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(req) {
        bodies.push(await req.text());
        arrived();
        return new Response("ok");
      },
    });
    const h = deliverHome([`{ id: chat, kind: webhook, url: "http://127.0.0.1:${rx.port}/afk" }`]);
    cleanups.push(() => rx.stop(true), h.cleanup);
    const port = freePort();
    const child = startAfk(["serve", "--spec", h.spec], {
      cwd: h.home,
      home: h.home,
      env: { TICK_SECONDS: "1", AFK_STATUS_ADDR: `127.0.0.1:${port}` },
      stdout: "ignore",
      stderr: "ignore",
    });
    cleanups.push(() => {
      if (child.exitCode === null) child.kill("SIGKILL");
    });
    await posted; // the first tick's digest reached the sink
    const res = await fetch(`http://127.0.0.1:${port}/digests.atom`);
    expect(res.status).toBe(200);
    const served = parseAtomFeed(await res.text());
    expect(served.entries).toHaveLength(1);
    expect(served.entries?.[0]?.content?.value).toContain("Third item");

    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    const file = parseAtomFeed(readFileSync(join(h.home, "out", "digests.atom"), "utf8"));
    expect(file.entries?.map((e) => e.id)).toEqual(served.entries?.map((e) => e.id));
    expect(bodies).toHaveLength(1);
    expect(JSON.parse(bodies[0] ?? "{}").title).toMatch(/^test-digest — \d{4}-\d{2}-\d{2}$/);
  },
  CHILD_TIMEOUT_MS,
);

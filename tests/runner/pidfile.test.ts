import { afterEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createKillCommand } from "../../src/cli/commands/kill.ts";
import { run } from "../../src/cli/run.ts";
import { pidAlive, realPorts } from "../../src/runner/process.ts";
import { tempHome, testDeps } from "../support/home.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** A live process that is not this home's serve, though its command line says `serve` (a reused pid). */
async function unrelated() {
  const child = Bun.spawn(["bun", "-e", "console.log('up'); setInterval(() => {}, 1000)", "serve"], {
    stdout: "pipe",
  });
  cleanups.push(() => child.kill("SIGKILL"));
  await child.stdout.getReader().read(); // it runs: its command line is in place
  return child;
}

function home() {
  const h = tempHome("afk-pidfile-");
  cleanups.push(h.cleanup);
  return h.dir;
}

describe("afk kill signals only a process proven to be this home's serve", () => {
  test("a stale afk.pid (a bare pid) naming a live unrelated process: the flag is made, the process is not signalled", async () => {
    const dir = home();
    const other = await unrelated();
    writeFileSync(join(dir, "afk.pid"), `${other.pid}\n`);
    const t = testDeps(dir);
    expect(await run(["kill"], t.deps)).toBe(0);
    expect(other.signalCode).toBeNull();
    expect(pidAlive(other.pid)).toBe(true);
    expect(t.out.join("\n")).toContain(`afk.pid names pid ${other.pid}; not signalled`);
  });

  test("a pidfile record whose pid now belongs to a process started at another time is not signalled", async () => {
    const dir = home();
    const other = await unrelated();
    const cmdline = (await Bun.file(`/proc/${other.pid}/cmdline`).text()).replace(/\0$/, "").split("\0");
    const { here } = await import("../../src/core/identity.ts");
    writeFileSync(
      join(dir, "afk.pid"),
      JSON.stringify({ ...here(), pid: other.pid, start: "1", cmdline, session: "s" }),
    );
    const t = testDeps(dir);
    expect(await run(["kill"], t.deps)).toBe(0);
    expect(other.signalCode).toBeNull();
    expect(pidAlive(other.pid)).toBe(true);
    expect(t.out.join("\n")).toContain("started at another time");
  });

  test("a pidfile holding 1 never signals PID 1", async () => {
    const dir = home();
    writeFileSync(join(dir, "afk.pid"), "1\n");
    const sent: [number, string][] = [];
    const kill = createKillCommand((deps) => ({
      ...realPorts({ watchParent: false, clock: deps.clock }),
      signal: (pid, sig) => {
        sent.push([pid, sig]); // recorded, never sent: PID 1 is this container's init
        return false;
      },
    }));
    const t = testDeps(dir);
    expect(await run(["kill"], t.deps, [kill])).toBe(0);
    expect(sent).toEqual([]);
    expect(t.out.join("\n")).toContain("afk.pid names pid 1; not signalled");
  });
});

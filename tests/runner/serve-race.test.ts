import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { join } from "node:path";
import { startAfk } from "../../src/evidence/afk-child.ts";
import { openDatabase } from "../../src/ledger/db.ts";
import { tempHome } from "../support/home.ts";
import { childEnv, runnerSpec, startHoldingFeed } from "./helpers.ts";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const STARTS = 20;

/** Whether `pid` has `file` open (or is gone). */
function hasOpen(pid: number, file: string): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return true; // exited
  }
  return fds.some((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === file;
    } catch {
      return false;
    }
  });
}

/** Resolves once every pid has `file` open. A poll: the kernel has no event for "opened a file". */
async function allHaveOpen(pids: number[], file: string): Promise<void> {
  while (!pids.every((p) => hasOpen(p, file))) await Bun.sleep(10);
}

describe("one serve per AFK_HOME", () => {
  test(`${STARTS} afk serve started together on one AFK_HOME: exactly one runs, the rest exit 4`, async () => {
    const h = tempHome("afk-race-");
    const feed = startHoldingFeed();
    cleanups.push(h.cleanup, feed.stop);
    const text = readFileSync(runnerSpec(h.dir, feed.url), "utf8");
    const ledgerPath = join(h.dir, "ledger.sqlite");
    openDatabase(ledgerPath).close(); // the ledger exists: the race is for the serve, not the schema
    // Each serve reads its spec from its own FIFO, so all wait at the same point until the test
    // lets them go at once: the starts really are simultaneous, not spread by bun's start-up.
    const fifos = [...Array(STARTS)].map((_, i) => join(h.dir, `SPEC-${i}.md`));
    for (const f of fifos) expect(Bun.spawnSync(["mkfifo", f]).exitCode).toBe(0);
    const children = fifos.map((spec) =>
      startAfk(["serve", "--spec", spec], { env: childEnv(h.dir, { TICK_SECONDS: "3600" }) }),
    );
    cleanups.push(() => {
      for (const c of children) c.killTree();
    });
    const writers: FileHandle[] = [];
    for (const f of fifos) writers.push(await open(f, "w")); // resolves once that serve opened it
    // The test holds the ledger's write lock as they go: each serve passes whatever it checks before
    // the ledger and queues there, so all of them contend at the same moment when it is released.
    const holder = new Database(ledgerPath);
    holder.run("BEGIN IMMEDIATE");
    await Promise.all(writers.map((w) => w.writeFile(text).then(() => w.close())));
    await allHaveOpen(
      children.map((c) => c.pid),
      ledgerPath,
    );
    holder.run("COMMIT");
    holder.close();

    // Each child either exits or says it serves; whichever comes first.
    const outcomes = await Promise.all(
      children.map((c) =>
        Promise.race([
          c.result(),
          c.out.waitFor(/^afk serve: pid \d+/).then(
            () => ({ code: "serving" as const, err: "" }),
            () => c.result(), // its stdout ended without the line: it exited
          ),
        ]),
      ),
    );
    // Anything but serving or exit 4 is named with what it said (a loaded machine once showed one).
    expect(outcomes.filter((o) => o.code !== "serving" && o.code !== 4)).toEqual([]);
    const serving = outcomes.filter((o) => o.code === "serving");
    const refused = outcomes.filter((o) => o.code === 4);
    expect({ serving: serving.length, refused: refused.length }).toEqual({ serving: 1, refused: STARTS - 1 });
    for (const r of refused) expect(r.err).toContain("serve: another afk serve (pid");

    const winner = children[outcomes.findIndex((o) => o.code === "serving")];
    winner?.kill("SIGTERM");
    expect(await winner?.exited).toBe(0);
  }, 60_000);
});

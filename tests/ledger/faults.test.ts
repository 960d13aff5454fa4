import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { runAfk, startAfk } from "../../src/evidence/afk-child.ts";
import { openDatabase } from "../../src/ledger/db.ts";
import { childEnv, runnerSpec, startHoldingFeed, ticksIn } from "../runner/helpers.ts";
import { sampleSources, tempHome, writeSpec } from "../support/home.ts";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Mounts a tmpfs of `size` at `dir`; false (and the reason on stderr) where mounting is not permitted. */
function mountTmpfs(dir: string, size: string): boolean {
  mkdirSync(dir, { recursive: true });
  const r = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stderr: "pipe" });
  if (r.exitCode !== 0) {
    console.warn(`skipped: mount -t tmpfs not permitted here (${r.stderr.toString().trim()})`);
    return false;
  }
  cleanups.push(() => {
    Bun.spawnSync(["umount", "-l", dir]);
  });
  return true;
}

/** Runs the real afk; its exit code and what it printed. */
function afk(args: string[], env: Record<string, string>) {
  return runAfk(args, { env });
}

/** Fills the file system holding `dir` to the last byte. */
function fill(dir: string): string {
  const path = join(dir, "filler.bin");
  const fd = openSync(path, "w");
  const chunk = new Uint8Array(64 * 1024).fill(120);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    // ENOSPC: full
  }
  for (let n = 4096; n >= 1; n = Math.floor(n / 2))
    try {
      for (;;) writeSync(fd, chunk.subarray(0, n));
    } catch {
      // smaller pieces, until not even one byte fits
    }
  closeSync(fd);
  return path;
}

function home(prefix: string) {
  const h = tempHome(prefix);
  cleanups.push(h.cleanup);
  return h.dir;
}

const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

describe("disk and ledger faults are one clear line with its fix and a documented exit code", () => {
  test("a ledger from a newer afk (an unknown migration id) is refused, exit 5, and left as it is", async () => {
    const dir = home("afk-newer-");
    const spec = writeSpec(dir, { sources: sampleSources(dir) });
    const db = openDatabase(join(dir, "ledger.sqlite"));
    db.run("INSERT INTO schema_migrations (id, applied_at) VALUES ('core-999', '2027-01-01T00:00:00Z')");
    db.close();
    const r = await afk(["tick", "--spec", spec], childEnv(dir));
    expect(r.code).toBe(5);
    expect(r.err.trim()).toContain(
      "was written by a newer afk (migration core-999 is unknown to this one) — fix:",
    );
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  test("a corrupt ledger (pages garbled) is exit 5 naming it and its fix, no stack", async () => {
    const dir = home("afk-corrupt-");
    const spec = writeSpec(dir, { sources: sampleSources(dir) });
    expect((await afk(["tick", "--spec", spec], childEnv(dir))).code).toBe(0);
    const path = join(dir, "ledger.sqlite");
    const fd = openSync(path, "r+");
    const size = statSync(path).size;
    for (let at = 4096; at < size; at += 4096) writeSync(fd, new Uint8Array(512).fill(0xa5), 0, 512, at);
    closeSync(fd);
    const r = await afk(["status", "--spec", spec], childEnv(dir));
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/corrupt|not an SQLite database/);
    expect(r.err).toContain("fix: move ledger.sqlite aside");
    noStack(r.err);
  });

  test("a read-only ledger (its file system remounted read-only) is exit 5 with its fix, no stack", async () => {
    const dir = join(home("afk-ro-"), "home");
    if (!mountTmpfs(dir, "16m")) return;
    const spec = writeSpec(dir, { sources: sampleSources(dir) });
    expect((await afk(["tick", "--spec", spec], childEnv(dir))).code).toBe(0);
    expect(Bun.spawnSync(["mount", "-o", "remount,ro", dir]).exitCode).toBe(0);
    const r = await afk(["tick", "--spec", spec, "--force"], childEnv(dir));
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/read-only/);
    expect(r.err).toContain("fix:");
    expect(r.err.trim().split("\n")).toHaveLength(1);
    noStack(r.err);
  });

  test("the ledger's disk fills mid-tick (SQLITE_FULL): exit 5, one line with the fix, no stack; the row is closed failed with that cause, not crashed", async () => {
    const dir = join(home("afk-full-"), "home");
    if (!mountTmpfs(dir, "8m")) return;
    const feed = startHoldingFeed();
    cleanups.push(feed.stop, feed.release);
    const spec = runnerSpec(dir, feed.url);
    openDatabase(join(dir, "ledger.sqlite")).close();
    feed.hold();
    const p = startAfk(["tick", "--spec", spec], { env: childEnv(dir) });
    await feed.waitForRequests(1); // mid-tick: the row is open, the fetch waits
    const filler = fill(dir);
    feed.release();
    const { code, err } = await p.result();
    expect(code).toBe(5);
    expect(err).toMatch(/full \((SQLITE_FULL|ENOSPC)\) — fix: free space/);
    noStack(err);
    rmSync(filler);
    const s = await afk(["status", "--spec", spec], childEnv(dir));
    expect(s.code).toBe(0);
    const rows = ticksIn(dir);
    expect(rows).toHaveLength(1);
    // closed as the disk fault it was (as out/ full is), not `crashed`: the process did not die
    expect(rows[0]).toMatchObject({ status: "failed" });
    expect(rows[0]?.reason).toMatch(/full \((SQLITE_FULL|ENOSPC)\) — fix: free space/);
  });

  test("out/ on its own file system (a volume): the digest lands (its temp file is made in out/, no EXDEV)", async () => {
    const dir = home("afk-exdev-");
    if (!mountTmpfs(join(dir, "out"), "4m")) return;
    const spec = writeSpec(dir, { sources: sampleSources(dir) });
    const r = await afk(["tick", "--spec", spec], childEnv(dir));
    expect(r.code).toBe(0);
    expect(readdirSync(join(dir, "out")).filter((f) => f.endsWith(".md"))).toHaveLength(1);
  });

  test("out/ full: the row is closed failed with the cause and its fix, nothing half-written in out/", async () => {
    const dir = home("afk-outfull-");
    if (!mountTmpfs(join(dir, "out"), "64k")) return;
    fill(join(dir, "out"));
    const spec = writeSpec(dir, { sources: sampleSources(dir) });
    const r = await afk(["tick", "--spec", spec], childEnv(dir));
    expect(r.code).toBe(1);
    noStack(r.err);
    const row = new Database(join(dir, "ledger.sqlite"), { readonly: true })
      .query<{ status: string; reason: string }, []>("SELECT status, reason FROM ticks")
      .get();
    expect(row?.status).toBe("failed");
    expect(row?.reason).toContain("the disk is full (ENOSPC) — fix: free space");
    expect(readdirSync(join(dir, "out")).filter((f) => f !== "filler.bin")).toEqual([]);
  });
});

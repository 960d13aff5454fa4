import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fsyncDir, isAtomicTemp, writeFileAtomic } from "../../src/core/write-atomic.ts";
import { REPO, tempHome } from "../support/home.ts";

const INOTIFYWAIT = Bun.which("inotifywait");
if (!INOTIFYWAIT)
  console.warn(
    "write-atomic: inotifywait missing (apt-get install inotify-tools): the directory-flush check skips",
  );

const homes: (() => void)[] = [];
afterEach(() => {
  for (const c of homes.splice(0)) c();
});
function dir(): string {
  const h = tempHome();
  homes.push(h.cleanup);
  return h.dir;
}

describe("the one atomic write", () => {
  test("creates the folder, writes the whole file and leaves no temp file beside it", () => {
    const d = dir();
    const path = join(d, "out", "digest.md");
    writeFileAtomic(path, "# whole\n");
    expect(readFileSync(path, "utf8")).toBe("# whole\n");
    expect(readdirSync(join(d, "out"))).toEqual(["digest.md"]);
  });

  test("replaces an existing file in one step", () => {
    const d = dir();
    const path = join(d, "ALERT.txt");
    writeFileSync(path, "old\n");
    writeFileAtomic(path, "new\n");
    expect(readFileSync(path, "utf8")).toBe("new\n");
  });

  test("its temp file sits in the target's own folder, so the rename never crosses a file system", () => {
    const d = dir();
    const target = join(d, "out", "x.md");
    // A folder where the target should be makes the rename fail after the temp file is written.
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, "keep"), "");
    expect(() => writeFileAtomic(target, "text")).toThrow();
    expect(readdirSync(join(d, "out"))).toEqual(["x.md"]);
  });

  test("its temp names are recognisable as leftovers, and digests are not", () => {
    expect(isAtomicTemp(".digest-2026-11-24-0700.md.4242-0a1b2c3d.tmp")).toBe(true);
    expect(isAtomicTemp("digest-2026-11-24-0700.md")).toBe(false);
    expect(isAtomicTemp("ALERT.txt")).toBe(false);
  });
});

/** Reads a child's stream until a line passes `done`; returns every line read so far. */
async function linesUntil(
  stream: ReadableStream<Uint8Array>,
  done: (line: string) => boolean,
): Promise<string[]> {
  const reader = stream.getReader();
  const dec = new TextDecoder();
  const lines: string[] = [];
  let rest = "";
  try {
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) throw new Error(`stream ended before the awaited line; read: ${lines.join(" / ")}`);
      const parts = (rest + dec.decode(value, { stream: true })).split("\n");
      rest = parts.pop() ?? "";
      for (const l of parts) {
        lines.push(l);
        if (done(l)) return lines;
      }
    }
  } finally {
    reader.releaseLock();
  }
}

describe("the new name survives a power loss: the directory is flushed after the rename", () => {
  test("fsyncDir flushes a real directory; a missing one is an error, not a silent pass", () => {
    const d = dir();
    expect(fsyncDir(d)).toBe(true);
    expect(() => fsyncDir(join(d, "gone"))).toThrow(expect.objectContaining({ code: "ENOENT" }));
  });

  test("where the platform refuses a directory's fsync (procfs answers EINVAL) it is best effort", () => {
    expect(fsyncDir("/proc/self")).toBe(false);
  });

  test.skipIf(!INOTIFYWAIT)(
    "writeFileAtomic opens and closes the target's directory after the rename (inotify sees it)",
    async () => {
      const d = dir();
      const sentinel = join(d, "zz-sentinel");
      writeFileSync(sentinel, "");
      const watch = Bun.spawn(
        [INOTIFYWAIT ?? "inotifywait", "-m", "-e", "open,close_nowrite,moved_to", "--format", "%e|%f", d],
        { stdout: "pipe", stderr: "pipe" },
      );
      try {
        await linesUntil(watch.stderr, (l) => l.includes("Watches established"));
        writeFileAtomic(join(d, "digest.md"), "# whole\n");
        readFileSync(sentinel); // events arrive in order: the sentinel's open closes the window
        const events = await linesUntil(watch.stdout, (l) => l === "OPEN|zz-sentinel");
        const moved = events.indexOf("MOVED_TO|digest.md");
        const opened = events.indexOf("OPEN,ISDIR|");
        const closed = events.indexOf("CLOSE_NOWRITE,CLOSE,ISDIR|");
        expect(moved).toBeGreaterThanOrEqual(0);
        expect(opened).toBeGreaterThan(moved);
        expect(closed).toBeGreaterThan(opened);
      } finally {
        watch.kill();
        await watch.exited;
      }
    },
  );

  test("a reader in another process sees the old whole file or the new whole one, never a part; no temp file is left", async () => {
    const d = dir();
    const path = join(d, "out", "digest.md");
    const a = `${"a".repeat(64 * 1024)}\n`;
    const b = `${"b".repeat(96 * 1024)}\n`;
    writeFileAtomic(path, a);
    const reader = Bun.spawn(
      [
        process.execPath,
        "-e",
        `const fs = require("node:fs");
         const seen = new Set();
         for (let i = 0; i < 3000; i++) {
           const t = fs.readFileSync(process.argv[1], "utf8");
           seen.add(t === process.argv[2] ? "a" : t === process.argv[3] ? "b" : "torn:" + t.length);
         }
         process.stdout.write([...seen].sort().join(","));`,
        path,
        a,
        b,
      ],
      { stdout: "pipe", stderr: "inherit", cwd: REPO },
    );
    let writes = 0;
    // write while the reader reads; yield to the event loop (no timer) so its exit is noticed
    while (reader.exitCode === null) {
      for (let i = 0; i < 20; i++) writeFileAtomic(path, ++writes % 2 ? b : a);
      await new Promise((r) => setImmediate(r));
    }
    const seen = (await new Response(reader.stdout).text()).split(",");
    expect(await reader.exited).toBe(0);
    expect(writes).toBeGreaterThan(0);
    expect(seen.filter((s) => s.startsWith("torn"))).toEqual([]);
    expect(seen.length).toBeGreaterThan(0);
    expect(readdirSync(join(d, "out"))).toEqual(["digest.md"]);
  });
});

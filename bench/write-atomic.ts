#!/usr/bin/env bun
/**
 * `bun bench/write-atomic.ts`: what flushing the directory after the rename (core/write-atomic.ts
 * `fsyncDir`) adds to each atomic write — a 4 KiB digest written over itself, without the
 * directory's flush (`renameIntoPlace`, as before) and with it (`writeFileAtomic`), in alternating
 * pairs so the machine's load and the disk's queue fall on both alike; wall time and this
 * process's CPU time per write. The folder is under os.tmpdir(): say which file system it is on
 * when quoting the figure (a tmpfs makes every fsync free).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renameIntoPlace, writeFileAtomic } from "../src/core/write-atomic.ts";
import { type Figure, median, renderTable, round } from "./figure.ts";

const PAIRS = 300;
const DATA = `${"# digest\n".repeat(455)}\n`.slice(0, 4096);

interface Sample {
  us: number;
  cpuUs: number;
}

function timed(write: (path: string, data: string) => void, path: string): Sample {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  write(path, DATA);
  const us = (performance.now() - t0) * 1000;
  const c = process.cpuUsage(c0);
  return { us, cpuUs: c.user + c.system };
}

export function benchWriteAtomic(): Figure[] {
  const dir = mkdtempSync(join(tmpdir(), "afk-bench-write-"));
  try {
    const path = join(dir, "out", "digest.md");
    const before: Sample[] = [];
    const after: Sample[] = [];
    for (let i = 0; i < 20; i++) {
      renameIntoPlace(path, DATA);
      writeFileAtomic(path, DATA);
    }
    for (let i = 0; i < PAIRS; i++) {
      if (i % 2) {
        before.push(timed(renameIntoPlace, path));
        after.push(timed(writeFileAtomic, path));
      } else {
        after.push(timed(writeFileAtomic, path));
        before.push(timed(renameIntoPlace, path));
      }
    }
    const wall = (s: Sample[]) => median(s.map((x) => x.us));
    const cpu = (s: Sample[]) => median(s.map((x) => x.cpuUs));
    const added = median(after.map((x, i) => x.us - (before[i]?.us ?? 0)));
    return [
      {
        key: "atomic_write_dir_fsync_added_us",
        value: round(added, 0),
        unit: "µs",
        goal: { op: "<=", target: 5000 },
        note: `median over ${PAIRS} alternating pairs of a 4 KiB write with the directory's fsync less one without (${round(wall(after), 0)} against ${round(wall(before), 0)} µs a write), in ${tmpdir()}`,
      },
      {
        key: "atomic_write_dir_fsync_cpu_us",
        value: round(cpu(after) - cpu(before), 0),
        unit: "µs",
        goal: { op: "<=", target: 200 },
        note: `median CPU a write with the directory's fsync less without (${round(cpu(after), 0)} against ${round(cpu(before), 0)} µs)`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) for (const line of renderTable(benchWriteAtomic())) console.log(line);

#!/usr/bin/env bun
/**
 * `bun bench/job-gate.ts`: what the held start (job/leader.ts) adds to each job: spawn → exit of
 * `true`, spawned directly (as afk did before) and through the leader shell with the go line sent
 * at once (the program's start check included; the group's record, written either way, not), in
 * alternating pairs so the machine's load falls on both alike; and the CPU the child used.
 */
import { release, spawnHeld } from "../src/job/leader.ts";
import { type Figure, median, renderTable, round } from "./figure.ts";

const PAIRS = 200;
const ARGV = ["true"];
const ENV = { PATH: process.env.PATH ?? "/usr/bin:/bin" };

interface Sample {
  ms: number;
  cpuUs: number;
}

type Piped = Pick<Bun.Subprocess, "exited" | "resourceUsage"> & {
  stdout: ReadableStream<Uint8Array>;
  stderr: ReadableStream<Uint8Array>;
};

async function finish(p: Piped, t0: number): Promise<Sample> {
  await Promise.all([p.exited, new Response(p.stdout).arrayBuffer(), new Response(p.stderr).arrayBuffer()]);
  const ms = performance.now() - t0;
  return { ms, cpuUs: Number(p.resourceUsage()?.cpuTime.total ?? 0) };
}

function direct(): Promise<Sample> {
  const t0 = performance.now();
  const p = Bun.spawn(ARGV, {
    cwd: "/",
    env: ENV,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    detached: true,
  });
  return finish(p, t0);
}

function held(): Promise<Sample> {
  const t0 = performance.now();
  const { proc, gate } = spawnHeld(ARGV, "/", ENV);
  release(gate, true);
  return finish(proc, t0);
}

export async function benchJobGate(): Promise<Figure[]> {
  const a: Sample[] = [];
  const b: Sample[] = [];
  // A few of each first, so neither pays for the first spawn's warm-up.
  for (let i = 0; i < 10; i++) {
    await direct();
    await held();
  }
  for (let i = 0; i < PAIRS; i++) {
    if (i % 2) {
      a.push(await direct());
      b.push(await held());
    } else {
      b.push(await held());
      a.push(await direct());
    }
  }
  const wall = (s: Sample[]) => median(s.map((x) => x.ms));
  const cpu = (s: Sample[]) => median(s.map((x) => x.cpuUs)) / 1000;
  const added = median(b.map((x, i) => x.ms - (a[i]?.ms ?? 0)));
  return [
    {
      key: "job_start_gate_added_ms",
      value: round(added, 2),
      unit: "ms",
      goal: { op: "<=", target: 5 },
      note: `median over ${PAIRS} alternating pairs of the held start's spawn → exit of \`true\` less the direct one's (${round(wall(b), 2)} against ${round(wall(a), 2)} ms)`,
    },
    {
      key: "job_start_gate_child_cpu_ms",
      value: round(cpu(b), 2),
      unit: "ms",
      goal: { op: "<=", target: 5 },
      note: `median CPU of the child for \`true\` through the leader shell (direct: ${round(cpu(a), 2)} ms)`,
    },
  ];
}

if (import.meta.main) for (const line of renderTable(await benchJobGate())) console.log(line);

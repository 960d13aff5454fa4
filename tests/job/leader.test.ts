/**
 * The held start (job/leader.ts) changes nothing the command sees or what a tick says: the same
 * argv, environment (no PWD or SHLVL of the leader shell's own), fds 0–2 only with stdin
 * /dev/null, its own process group led by the recorded pid; a program that cannot start fails the
 * tick in Bun.spawn's own words, as before, and runs nothing; and a group that cannot be recorded
 * is never let run.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { chmodSync, closeSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runTick } from "../../src/harness/tick.ts";
import { jobGroupDir } from "../../src/job/group-record.ts";
import { GO_LINE, heldArgv } from "../../src/job/leader.ts";
import { groupAlive } from "../../src/job/process.ts";
import { jobEnv } from "../../src/job/tick.ts";
import type { JobSpec } from "../../src/spec/job.ts";
import { eventsNamed, type Home, harnessFor, traceOf } from "../models/fixtures.ts";
import { makeJobHome } from "./helpers.ts";

let home: Home | undefined;
afterEach(() => {
  home?.cleanup();
  home = undefined;
});
const slot = new Date("2026-11-24T07:00:00Z");

function use(h: Home): Home {
  home = h;
  return h;
}

/** `NAME=value` pairs of `env -0` output. */
function parseEnv0(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of text.split("\0").filter(Boolean)) {
    const eq = pair.indexOf("=");
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** What the job reports of itself: one `key value` line each. */
const SELF_REPORT = [
  'echo "argv0 $(tr "\\0" "\\n" < /proc/$$/cmdline | head -n 1)"',
  'echo "pid $$"',
  'echo "pgid $(cut -d " " -f 5 /proc/$$/stat)"',
  // Last, in the same process: its open fds (ls's own directory fd is the 3 it prints).
  "exec ls -l /proc/$$/fd",
].join("; ");

/** The environment a job home's tick gives its job, as `env` printed it (the unit's Markdown). */
async function envOfJob(h: Home): Promise<Record<string, string>> {
  const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
  expect(s.status).toBe("ok");
  const text = readFileSync(join(h.dir, s.outPath ?? ""), "utf8");
  return Object.fromEntries(
    text
      .split("\n")
      // the unit's title heading and blank line first
      .filter((l) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(l))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

/** The job of `h`'s spec. */
function jobOf(h: Home): JobSpec {
  const { job } = h.loaded.spec;
  if (!job) throw new Error("the home's spec names no job");
  return job;
}

/** The environment the contract gives a job of `h`, less the per-tick values. */
function contractOf(h: Home): Record<string, string> {
  return jobEnv(h.deps.env, jobOf(h), {
    tickId: "",
    slot,
    outDir: "",
    ollamaHost: "",
    openaiBaseUrl: "",
    token: "",
  });
}

describe("the command under the held start sees what it saw when afk spawned it itself", () => {
  test("exactly the contract's environment: no PWD or SHLVL of the leader shell's", async () => {
    const h = use(makeJobHome({ run: ["env"] }));
    const env = await envOfJob(h);
    const contract = contractOf(h);
    expect(Object.keys(env).sort()).toEqual(Object.keys(contract).sort());
    for (const name of ["PATH", "HOME", "AFK_SLOT"]) expect(env[name]).toBe(contract[name] ?? "");
  });

  test("a PWD the spec passes through reaches the command as the host had it, not the leader's directory", async () => {
    const pwd = "/srv/it's here";
    const h = use(makeJobHome({ run: ["env"], env: { PWD: pwd }, job: { env: ["PWD"] } }));
    expect((await envOfJob(h)).PWD).toBe(pwd);
  });

  test("its argv[0], its own group led by the recorded pid, fds 0-2 only with stdin /dev/null", async () => {
    const h = use(makeJobHome({ run: ["sh", "-c", SELF_REPORT] }));
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
    expect(s.status).toBe("ok");
    const text = readFileSync(join(h.dir, s.outPath ?? ""), "utf8");
    const got = Object.fromEntries(
      text
        .split("\n")
        .filter((l) => /^[a-z0-9]+ /.test(l))
        .map((l) => [l.slice(0, l.indexOf(" ")), l.slice(l.indexOf(" ") + 1).trim()]),
    );
    const pid = eventsNamed(traceOf(h, s), "job")[0]?.attrs.pid;
    expect(got.argv0).toBe("sh");
    expect(Number(got.pid)).toBe(Number(pid));
    expect(got.pgid).toBe(got.pid);
    const fds = Object.fromEntries([...text.matchAll(/ (\d+) -> (.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(Object.keys(fds).sort()).toEqual(["0", "1", "2", "3"]);
    expect(fds["0"]).toBe("/dev/null");
    expect(fds["3"]).toBe(`/proc/${pid}/fd`);
  });
});

describe("the leader shell puts the environment back as afk built it, whichever sh the host has", () => {
  const shells = ["/bin/sh", "/bin/dash", "/bin/bash"].filter((s) => existsSync(s));
  const cases: [string, Record<string, string>][] = [
    ["none of its own names", { PATH: "/usr/bin:/bin", LINES: "a b\nc'd", EMPTY: "" }],
    ["PWD and SHLVL given", { PATH: "/usr/bin:/bin", PWD: "/srv/it's here", SHLVL: "7" }],
  ];
  for (const shell of shells)
    for (const [what, env] of cases)
      test(`${shell}, ${what}: env -0 prints exactly the environment given`, async () => {
        const p = Bun.spawn(heldArgv(["env", "-0"], env, shell), {
          cwd: "/tmp",
          env,
          stdio: ["ignore", "pipe", "pipe", "pipe"],
        });
        const gate = p.stdio[3] as number;
        writeFileSync(gate, GO_LINE);
        closeSync(gate);
        const [code, out] = await Promise.all([p.exited, new Response(p.stdout).text()]);
        expect(code).toBe(0);
        expect(parseEnv0(out)).toEqual(env);
      });

  test("without the go line (afk gone: EOF) the command never runs and the leader exits", async () => {
    const h = use(makeJobHome({ run: ["true"] }));
    const marker = join(h.dir, "ran.marker");
    const p = Bun.spawn(heldArgv(["sh", "-c", `echo ran > "${marker}"`], {}), {
      cwd: h.dir,
      env: {},
      stdio: ["ignore", "pipe", "pipe", "pipe"],
    });
    closeSync(p.stdio[3] as number);
    expect(await p.exited).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });
});

describe("a command that cannot start fails the tick in Bun.spawn's words, as before, and runs nothing", () => {
  /** Each case: the job's argv, files written into the spec's folder first, and the reason expected. */
  const cases: [string, string[], (dir: string) => void, string][] = [
    [
      "a name not on PATH",
      ["no-such-program-afk"],
      () => {},
      'Executable not found in $PATH: "no-such-program-afk"',
    ],
    [
      "a path that is not there",
      ["./missing.sh"],
      () => {},
      "ENOENT: no such file or directory, posix_spawn './missing.sh'",
    ],
    [
      "a file without the execute bit",
      ["./plain.sh"],
      (dir) => writeFileSync(join(dir, "plain.sh"), "#!/bin/sh\necho ran > ran.marker\n"),
      "EACCES: permission denied, posix_spawn './plain.sh'",
    ],
    [
      "a directory",
      ["./sub"],
      (dir) => mkdirSync(join(dir, "sub")),
      "EACCES: permission denied, posix_spawn './sub'",
    ],
    [
      "an executable without a #! line (a shell would run it as a script)",
      ["./bare.sh"],
      (dir) => {
        writeFileSync(join(dir, "bare.sh"), "echo ran > ran.marker\n");
        chmodSync(join(dir, "bare.sh"), 0o755);
      },
      "ENOEXEC: unknown error, posix_spawn './bare.sh'",
    ],
  ];
  for (const [what, run, prepare, words] of cases)
    test(`${what}: failed, "job could not start: ${words}"`, async () => {
      const h = use(makeJobHome({ run: ["true"] }));
      prepare(h.dir);
      // The spec as loaded, its run swapped for one made after the home (a program is looked for at start, not at load).
      const loaded = { ...h.loaded, spec: { ...h.loaded.spec, job: { ...jobOf(h), run } } };
      const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor({ ...h, loaded }));
      expect(s.status).toBe("failed");
      expect(s.reason).toBe(`job could not start: ${words}`);
      expect(existsSync(join(h.dir, "ran.marker"))).toBe(false);
    });
});

describe("a group that cannot be recorded is never let run", () => {
  test("runs/job-groups not writable: the tick fails naming it, the command never ran, nothing of the group is left", async () => {
    const h = use(makeJobHome({ run: ["sh", "-c", "echo ran > ran.marker; exec sleep 300"] }));
    // A file where the records' folder should be: the record's write fails.
    mkdirSync(join(h.dir, "runs"), { recursive: true });
    writeFileSync(jobGroupDir(h.dir), "not a folder\n");
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
    expect(s.status).toBe("failed");
    expect(s.reason).toStartWith("job could not start: its process group could not be recorded (");
    expect(s.reason).toEndWith("), so it was not let run");
    const trace = traceOf(h, s);
    expect(eventsNamed(trace, "job.group_unrecorded")).toHaveLength(1);
    const pid = Number(eventsNamed(trace, "job")[0]?.attrs.pid);
    expect(pid).toBeGreaterThan(1);
    expect(groupAlive(pid)).toBe(false);
    expect(existsSync(join(h.dir, "ran.marker"))).toBe(false);
  });
});

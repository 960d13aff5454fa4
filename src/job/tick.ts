import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { realDelayMs } from "../core/clock.ts";
import { usdToMicros } from "../core/money.ts";
import { TickStop } from "../harness/abort.ts";
import { createShapeMemory } from "../models/openai-shape.ts";
import type { JobSpec } from "../spec/job.ts";
import { jobCwd } from "../spec/job-cwd.ts";
import type { LoadedSpec } from "../spec/load.ts";
import type { Span } from "../trace/tracer.ts";
import { clearJobGroup, recordJobGroup } from "./group-record.ts";
import { JOB_GRACE_MS, type JobRun, runJobProcess } from "./process.ts";
import { startProxy } from "./proxy.ts";
import { readUnit, unitFile } from "./unit.ts";
import type { ProxyContext } from "./upstream.ts";

/** How often the kill flag is looked at while the job runs. */
const FLAG_POLL_MS = 250;
const STDERR_LINES = 20;

export interface JobTickInput {
  job: JobSpec;
  loaded: LoadedSpec;
  /** AFK_HOME: the running group is recorded under it (runs/job-groups/) for the next start to end. */
  home: string;
  /** The proxy's ledger, cap and trace parts (its `signal` is the tick's). */
  proxy: Omit<ProxyContext, "shapes">;
  /** The tick's `job` step span. */
  span: Span;
  slot: Date;
  /** Throws a TickStop when the kill flag appears (the harness's checkpoint). */
  checkpoint: () => void;
}

/** How the job ended, for the harness to deliver or close the row with. */
export type JobResult =
  | { ok: true; file: string; title: string; items: number; valueMicros: number; form: "json" | "markdown" }
  | { ok: false; status: "failed" | "killed" | "timeout"; reason: string };

/** The environment the job starts with: nothing of afk's own, no paid key, only what the contract names. */
export function jobEnv(
  host: Readonly<Record<string, string | undefined>>,
  job: JobSpec,
  afk: {
    tickId: string;
    slot: Date;
    outDir: string;
    ollamaHost: string;
    openaiBaseUrl: string;
    token: string;
  },
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "LANG", ...job.env]) {
    const v = host[name];
    if (v !== undefined) env[name] = v;
  }
  return {
    ...env,
    AFK_TICK_ID: afk.tickId,
    AFK_SLOT: afk.slot.toISOString(),
    AFK_OUT_DIR: afk.outDir,
    OLLAMA_HOST: afk.ollamaHost,
    OPENAI_BASE_URL: afk.openaiBaseUrl,
    OPENAI_API_KEY: afk.token,
  };
}

/**
 * Runs the spec's job once: the proxy up, the command in its own process group with the
 * contract's environment, the kill flag watched, `job.timeout_s` and the tick's signal
 * enforced (proxy stopped first, then the group ended), and its stdout read as a unit.
 */
export async function runJob(input: JobTickInput): Promise<JobResult> {
  const { job, span } = input;
  const stop = new AbortController();
  // On the injected clock, like limits.max_tick_seconds: a soak's compressed day compresses it too.
  const clock = input.proxy.deps.clock;
  const timer = setTimeout(
    () => stop.abort(new TickStop("timeout", `job ran past job.timeout_s (${job.timeout_s}s)`)),
    realDelayMs(clock, new Date(clock.now().getTime() + job.timeout_s * 1000)),
  );
  const watch = setInterval(() => {
    try {
      input.checkpoint();
    } catch (err) {
      stop.abort(err);
    }
  }, FLAG_POLL_MS);
  const signal = AbortSignal.any([input.proxy.signal, stop.signal]);
  const proxy = startProxy({ ...input.proxy, signal, shapes: createShapeMemory() }, span);
  // The proxy stops answering before the group is signalled.
  const groupStop = new AbortController();
  const onStop = () => {
    void proxy.stop();
    groupStop.abort(signal.reason);
  };
  signal.addEventListener("abort", onStop, { once: true });
  const outDir = mkdtempSync(join(tmpdir(), "afk-job-"));
  let run: JobRun;
  try {
    run = await runJobProcess({
      argv: job.run,
      cwd: jobCwd(job, input.loaded.dir),
      env: jobEnv(input.proxy.deps.env, job, {
        tickId: input.proxy.tickId,
        slot: input.slot,
        outDir,
        ollamaHost: proxy.ollamaHost,
        openaiBaseUrl: proxy.openaiBaseUrl,
        token: proxy.token,
      }),
      maxOutputBytes: job.max_output_bytes,
      signal: groupStop.signal,
      graceMs: JOB_GRACE_MS,
      onStart: (pid) => started(input, pid),
    });
  } catch (err) {
    // The program could not be started (not found, not executable), or its group not recorded.
    return { ok: false, status: "failed", reason: `job could not start: ${(err as Error).message}` };
  } finally {
    clearTimeout(timer);
    clearInterval(watch);
    signal.removeEventListener("abort", onStop);
    await proxy.stop();
    rmSync(outDir, { recursive: true, force: true });
    // Nothing of the group runs now (runJobProcess ended it): its record goes.
    clearGroupRecord(input);
  }
  return judge(run, input);
}

/**
 * The group's leader runs (the command not yet): its pid in the span, and its group recorded for
 * the next start should afk die from here on. Only then may the command begin: a group that could
 * not be recorded is not let run (nothing could end it after a crash of afk), and the tick fails.
 */
async function started(input: JobTickInput, pid: number): Promise<void> {
  input.span.set({ pid, argv: [...input.job.run] });
  await input.proxy.deps.holdJobStart?.(pid);
  try {
    recordJobGroup(input.home, input.proxy.tickId, pid, input.job.run);
  } catch (err) {
    input.span.event("job.group_unrecorded", {}, err);
    throw new Error(
      `its process group could not be recorded (${(err as Error).message}), so it was not let run`,
    );
  }
}

/**
 * The group's record is the next start's way to end a job afk could not (afk SIGKILLed): a
 * failure to remove it once the group has ended is a trace event (the next start finds the group
 * gone and removes it).
 */
function clearGroupRecord(input: JobTickInput): void {
  try {
    clearJobGroup(input.home, input.proxy.tickId);
  } catch (err) {
    input.span.event("job.group_record_left", {}, err);
  }
}

function judge(run: JobRun, input: JobTickInput): JobResult {
  const { span, loaded } = input;
  const tail = run.stderrTail.trimEnd().split("\n").slice(-STDERR_LINES).join("\n");
  span.set({ stdout_bytes: Buffer.byteLength(run.stdout), forced_kill: run.forced });
  if (tail) span.event("job.stderr", { tail });
  const lastErr = tail.split("\n").at(-1) ?? "";
  const withErr = (why: string) => (lastErr ? `${why}; stderr: ${lastErr.slice(0, 300)}` : why);
  const e = run.exit;
  switch (e.kind) {
    case "stopped": {
      const stop =
        e.reason instanceof TickStop ? e.reason : new TickStop("killed", `stopped: ${String(e.reason)}`);
      span.event(`job.${stop.status}`, { reason: stop.message, forced_kill: run.forced });
      return { ok: false, status: stop.status, reason: stop.message };
    }
    case "flooded":
      return {
        ok: false,
        status: "failed",
        reason: `job stdout passed job.max_output_bytes (${input.job.max_output_bytes} bytes); killed`,
      };
    case "exited": {
      if (e.code !== 0)
        return {
          ok: false,
          status: "failed",
          reason: withErr(`job exited with code ${e.code}${e.signal ? ` (${e.signal})` : ""}`),
        };
      const v = readUnit(run.stdout, `${loaded.spec.name} — ${input.slot.toISOString().slice(0, 10)}`);
      if (!v.ok) return { ok: false, status: "failed", reason: withErr(v.reason) };
      const { unit } = v;
      const rate = usdToMicros(loaded.spec.value.usd_per_unit);
      const valueMicros =
        unit.valueUsd !== null
          ? usdToMicros(unit.valueUsd)
          : unit.items === null || unit.items >= loaded.spec.value.min_items
            ? rate
            : 0;
      span.set({ unit_form: unit.form, items: unit.items, value_micros: valueMicros });
      return {
        ok: true,
        file: unitFile(unit),
        title: unit.title,
        items: unit.items ?? 0,
        valueMicros,
        form: unit.form,
      };
    }
    default: {
      const never: never = e;
      return never;
    }
  }
}

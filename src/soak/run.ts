import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { realDelayMs, ScaledClock } from "../core/clock.ts";
import { microsToUsd } from "../core/money.ts";
import { DELIVERED_SQL } from "../core/status.ts";
import { sleep } from "../core/wait.ts";
import { type OllamaDouble, ollamaPresets, startOllamaDouble } from "../evidence/doubles/ollama-double.ts";
import { type OpenAiDouble, startOpenAiDouble } from "../evidence/doubles/openai-double.ts";
import { worstCaseTickMicros } from "../models/budget.ts";
import { handedOverSince } from "../models/calls.ts";
import { loadSpecFile, parseSpec } from "../spec/load.ts";
import type { Spec } from "../spec/schema.ts";
import { nextSlot } from "../spec/slots.ts";
import { specHash } from "../spec/text.ts";
import { type Child, probe, runAfk, spawnAfk } from "./child.ts";
import { type FeedServer, startFeedServer } from "./feed-server.ts";
import {
  brokenInvariants,
  checkInvariants,
  type InvariantReport,
  type KillWindow,
  type Sample,
} from "./invariants.ts";
import { type JobDayReport, jobDayReport, type SpecSwitch, switchPlan } from "./job-days.ts";
import { dayOf, defaultJobDays, type Fault, type FaultKind, isPassive, planFaults } from "./plan.ts";
import {
  JOB_FEEDS_ENV,
  JOB_PAID_COMPLETION,
  PAID_KEY_ENV,
  PAID_USAGE,
  PRIMARY_MODEL,
  SOAK_JOB,
  type SoakSpecInput,
  soakCapMicros,
  soakJobSpecText,
  soakSpecText,
  writeSoakSpec,
} from "./spec.ts";

export interface SoakOptions {
  days: number;
  cadence: string;
  seed: number;
  /** Clock seconds per real second. */
  scale: number;
  faults: readonly FaultKind[];
  home: string;
  /** Day 0, 00:00 UTC. */
  day0: Date;
  /** The days the job spec runs (each switched in at 00:40, out the next day at 00:40); default plan.ts `defaultJobDays`. */
  jobDays?: readonly number[];
  log?: (line: string) => void;
}

export interface FaultRecord {
  kind: FaultKind;
  at: string;
  /** Which spec ran the day it was injected. */
  day: "digest" | "job";
  hours: number;
  injected: boolean;
  observed: boolean;
  note: string;
}

export interface SoakResult {
  ok: boolean;
  broken: string[];
  invariants: InvariantReport;
  jobs: JobDayReport;
  faults: FaultRecord[];
  restarts: number;
  unexpectedExits: number;
  /** The shipped ops file whose semantics the soak modelled. */
  supervisor: string;
  wallSeconds: number;
  home: string;
  options: Omit<SoakOptions, "log" | "day0" | "home" | "jobDays"> & { day0: string; jobDays: number[] };
}

const HOUR = 3_600_000;
const PAID_KEY = "sk-soak-0000";

interface World {
  o: SoakOptions;
  clock: ScaledClock;
  feeds: FeedServer;
  ollama: OllamaDouble;
  openai: OpenAiDouble;
  specPath: string;
  specs: { digest: string; job: string };
  /** Which spec SPEC.md holds now. */
  running: "digest" | "job";
  switches: number;
  /** When each switch actually happened (it waits for the day's first delivery). */
  switchedAt: { to: "job" | "digest"; at: Date }[];
  env: Record<string, string>;
  logPath: string;
  child: Child | null;
  generation: number;
  restarts: number;
  unexpectedExits: number;
  /** Exits the orchestrator caused or expects; anything else is unexpected and restarted (Restart=always). */
  expectingExit: boolean;
  samples: Sample[];
  kills: KillWindow[];
  /** Aborted when the run ends: every pending wait returns. */
  stop: AbortController;
}

/**
 * Waits until the virtual clock shows `at`, or the soak stops (the soak's only timer: it is
 * the schedule being driven).
 */
function until(w: World, at: Date): Promise<void> {
  return sleep(realDelayMs(w.clock, at), w.stop.signal);
}

function hoursAfter(at: Date, h: number): Date {
  return new Date(at.getTime() + h * HOUR);
}

/**
 * One read on a fresh connection: a connection kept open across serve restarts can miss the
 * new process's WAL (the old one is removed when the last writer closes).
 */
function read<T>(w: World, fn: (db: Database) => T): T {
  const db = new Database(join(w.o.home, "ledger.sqlite"), { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function maxRowid(w: World): number {
  return read(
    w,
    (db) => db.query<{ m: number | null }, []>("SELECT max(rowid) AS m FROM ticks").get()?.m ?? 0,
  );
}

/**
 * The ticks a fault injected now can touch are above this rowid: those opened from now on and any
 * still running (a job's tick runs for virtual hours, and its hand-over to the paid tier, or a
 * digest's fallback, can happen well after its row was opened — a 45-day soak's primary_down fell
 * inside a job tick opened 20 virtual minutes before the fault, and was judged as leaving no trace).
 */
export function rowidBeforeInFlight(db: Database): number {
  return (
    db
      .query<{ m: number }, []>(
        `SELECT coalesce((SELECT min(rowid) FROM ticks WHERE status = 'running') - 1,
                         (SELECT max(rowid) FROM ticks), 0) AS m`,
      )
      .get()?.m ?? 0
  );
}

function count(w: World, sql: string, ...params: (string | number)[]): number {
  return read(w, (db) => db.query<{ n: number }, (string | number)[]>(sql).get(...params)?.n ?? 0);
}

function childEnv(w: World): Record<string, string> {
  return { ...w.env, AFK_CLOCK_START: w.clock.now().toISOString(), AFK_CLOCK_SCALE: String(w.o.scale) };
}

/**
 * The shipped supervisor the soak models, and only what it does: ops/systemd/afk.service restarts
 * any exit after RestartSec, except exit 2 (bad spec or environment). Nothing else starts serve:
 * no daily timer, no person. A cap halt and the kill flag are not exits.
 */
export const SUPERVISOR =
  "ops/systemd/afk.service (Restart=always, RestartSec=30s, RestartPreventExitStatus=2)";
const RESTART_SEC_MS = 30_000;
const NO_RESTART_EXIT = 2;

/** Starts `afk serve` with the clock where the soak's clock is now, as systemd would (re)start it. */
function startServe(w: World): Child {
  const child = spawnAfk(["serve", "--spec", w.specPath], childEnv(w), w.logPath);
  const generation = ++w.generation;
  w.child = child;
  if (generation > 1) w.restarts++;
  child.exited.then((code) => {
    if (w.child !== child) return;
    w.child = null;
    if (w.expectingExit) return;
    // An exit the soak did not cause is a finding, counted; the unit's Restart= decides what follows.
    w.unexpectedExits++;
    if (code === NO_RESTART_EXIT) {
      w.o.log?.(`serve (generation ${generation}) exited ${code}: RestartPreventExitStatus keeps it down`);
      return;
    }
    w.o.log?.(`serve (generation ${generation}) exited ${code} unexpectedly; restarting after RestartSec`);
    until(w, new Date(w.clock.now().getTime() + RESTART_SEC_MS)).then(() => {
      if (!w.child && !w.stop.signal.aborted) startServe(w);
    });
  });
  return child;
}

async function stopServe(w: World, signal: "SIGTERM" | "SIGKILL"): Promise<number | null> {
  const child = w.child;
  if (!child) return null;
  w.expectingExit = true;
  child.kill(signal);
  const code = await child.exited;
  w.expectingExit = false;
  return code;
}

/** The paid double bills as each spec's calls expect (spec.ts): the digest's forced usage, the job's whole max tokens. */
function billFor(w: World): void {
  w.openai.setBehavior(
    "*",
    w.running === "job"
      ? { kind: "reply", completionTokens: JOB_PAID_COMPLETION }
      : { kind: "reply", ...PAID_USAGE },
  );
}

/**
 * Polls (bounded by 6 clock hours) until the running serve has delivered a slot of the new day:
 * the operator switches after the day's first unit landed, so a capped day is resumed by the
 * process that halted. A late switch loses no slot: the new serve's catch-up accounts for the
 * slots of its cadence that passed.
 */
async function dayDelivered(w: World, day: Date): Promise<void> {
  const deadline = w.clock.now().getTime() + 6 * HOUR;
  const pid = w.child?.pid ?? -1;
  const delivered = () =>
    count(
      w,
      `SELECT count(*) AS n FROM ticks WHERE slot >= ? AND pid = ? AND status IN ${DELIVERED_SQL}`,
      day.toISOString(),
      pid,
    ) > 0;
  while (!delivered() && w.clock.now().getTime() < deadline && !w.stop.signal.aborted) await Bun.sleep(10);
}

/**
 * The operator's spec switches, as on a host: a new SPEC.md, then a restart of the unit
 * (`systemctl restart afk`: SIGTERM, then start), after the day's first slot has run, so a
 * capped day is still resumed by the process that halted.
 */
async function switcher(w: World, plan: readonly SpecSwitch[]): Promise<void> {
  for (const sw of plan) {
    await until(w, sw.at);
    if (w.stop.signal.aborted) return;
    await dayDelivered(w, sw.after);
    w.switchedAt.push({ to: sw.to, at: w.clock.now() });
    await stopServe(w, "SIGTERM");
    writeFileSync(w.specPath, w.specs[sw.to]);
    w.running = sw.to;
    billFor(w);
    w.switches++;
    startServe(w);
    w.o.log?.(`${sw.at.toISOString()} SPEC.md switched to the ${sw.to} spec; serve restarted`);
  }
}

function startSampler(w: World): () => void {
  const every = Math.max(50, realDelayMs(w.clock, hoursAfter(w.clock.now(), 2)));
  const t = setInterval(() => {
    const c = w.child;
    const p = c ? probe(c.pid) : null;
    // Not while a job's command runs: serve then holds its pipes and the proxy's sockets by design.
    if (p && p.children === 0)
      w.samples.push({
        generation: w.generation,
        at: w.clock.now().toISOString(),
        rssMb: p.rssMb,
        fds: p.fds,
      });
  }, every);
  return () => clearInterval(t);
}

/** Injects a passive fault at its time; returns how to judge it at the end of the run. */
async function passive(w: World, f: Fault, rec: FaultRecord): Promise<() => boolean> {
  await until(w, f.at);
  if (w.stop.signal.aborted) return () => false;
  rec.injected = true;
  if (f.kind === "source_503") {
    w.feeds.setMode("alpha", "unavailable");
    rec.note = `alpha answered 503 for ${f.hours} h; ticks record it as a failed required source`;
    await until(w, hoursAfter(f.at, f.hours));
    w.feeds.setMode("alpha", "rss");
    return () =>
      count(
        w,
        'SELECT count(*) AS n FROM ticks WHERE started_at >= ? AND detail LIKE \'%"id":"alpha"%\'',
        rec.at,
      ) > 0;
  }
  if (f.kind === "feed_shape") {
    const before = w.feeds.served("gamma");
    w.feeds.setMode("gamma", "atom");
    rec.note = "gamma switched from RSS to Atom for good; it kept being read";
    return () =>
      w.feeds.served("gamma") > before &&
      count(
        w,
        `SELECT count(*) AS n FROM ticks WHERE started_at > ? AND status IN ${DELIVERED_SQL}`,
        rec.at,
      ) > 0;
  }
  const before = w.feeds.served("beta-new");
  w.feeds.setMode("beta", "gone");
  rec.note = "beta renamed (404 for good); the spec's backup beta-new serves it";
  return () => w.feeds.served("beta-new") > before;
}

type Judge = () => boolean;

/** What an active fault's injector is given: when it ends, and the ledger rows written since it began. */
interface ActiveCtx {
  end: Date;
  from: number;
  rowsSince: (where: string) => () => boolean;
}

type Injector = (w: World, f: Fault, rec: FaultRecord, c: ActiveCtx) => Promise<Judge>;

/** The primary model answers 500 for the fault's hours: the chain falls over to the paid tier. */
const primaryDown: Injector = async (w, f, rec, c) => {
  w.ollama.setBehavior(PRIMARY_MODEL, ollamaPresets.loadTimeout);
  rec.injected = true;
  await until(w, c.end);
  w.ollama.setBehavior(PRIMARY_MODEL, undefined);
  rec.note = `primary answered 500 for ${f.hours} h; the chain fell over to the paid tier`;
  // A digest tick names the fallback in its reason; a job's request hands over inside the proxy.
  const handedOver = () => read(w, (db) => handedOverSince(db, c.from, "primary", "paid"));
  const named = c.rowsSince("reason LIKE '%fallback primary%'");
  return () => named() || handedOver();
};

/** The paid key revoked while the primary is down: paid answers 401, extractive writes the digest. */
const paidKeyRevoked: Injector = async (w, f, rec, c) => {
  const before = w.openai.requests.filter((r) => r.auth === "invalid").length;
  w.openai.revokeKey(PAID_KEY);
  w.ollama.setBehavior(PRIMARY_MODEL, ollamaPresets.loadTimeout);
  rec.injected = true;
  await until(w, c.end);
  w.ollama.setBehavior(PRIMARY_MODEL, undefined);
  w.openai.addKey(PAID_KEY);
  rec.note = `paid key revoked for ${f.hours} h while the primary was down; paid answered 401, extractive wrote the digest`;
  return () => w.openai.requests.filter((r) => r.auth === "invalid").length > before;
};

/** SIGKILL while a tick waits on the model; the supervisor's Restart=always brings serve back. */
const sigkillMidTick: Injector = async (w, f, rec) => {
  const n = w.ollama.requests.length;
  w.ollama.queueBehaviors(PRIMARY_MODEL, { kind: "hang" });
  const arrived = await Promise.race([
    w.ollama.waitForRequests(n + 1).then(() => true),
    until(w, hoursAfter(f.at, 6)).then(() => false),
  ]);
  const victim = w.child;
  if (!arrived || !victim) {
    rec.note = "no tick reached the model within 6 h; not injected";
    return () => false;
  }
  await stopServe(w, "SIGKILL");
  rec.injected = true;
  // Restart=always: back up after RestartSec, the clock where it is then.
  await until(w, new Date(w.clock.now().getTime() + RESTART_SEC_MS));
  startServe(w);
  rec.note = `serve (pid ${victim.pid}) SIGKILLed while its tick waited on the model; restarted after RestartSec`;
  return () =>
    count(w, "SELECT count(*) AS n FROM ticks WHERE status = 'crashed' AND pid = ?", victim.pid) > 0;
};

/** The host down for the fault's hours (SIGTERM, restarted later): one catch-up tick. */
const hostDown: Injector = async (w, f, rec, c) => {
  await stopServe(w, "SIGTERM");
  rec.injected = true;
  await until(w, c.end);
  const back = w.clock.now().toISOString();
  startServe(w);
  rec.note = `host down ${f.hours} h (SIGTERM, restarted later): one catch-up tick for the missed slots`;
  return () => count(w, "SELECT count(*) AS n FROM runner_catchups WHERE decided_at >= ?", back) > 0;
};

/** The kill flag for the fault's hours; `afk arm` resumes the serve that stayed up. */
const killFlag: Injector = async (w, f, rec, c) => {
  writeFileSync(w.env.AFK_KILL_FLAG as string, "soak\n");
  const setAfterRowid = maxRowid(w);
  const holder = w.child;
  rec.injected = true;
  await until(w, c.end);
  const removedAfterRowid = maxRowid(w);
  // The one documented action that resumes it under every supervisor: afk arm.
  await runAfk(["arm"], childEnv(w), w.logPath);
  const stayedUp = holder !== null && w.child === holder;
  w.kills.push({ setAfterRowid, removedAfterRowid, stayedUp });
  rec.note = `kill flag for ${f.hours} h: serve ${stayedUp ? "stayed up, stopped" : "did not stay up"}; afk arm resumed it (no restart)`;
  return () =>
    count(
      w,
      // Refused at the next guard, or stopped at the next step boundary if a tick was in flight.
      `SELECT count(*) AS n FROM ticks WHERE (status = 'refused_kill' AND rowid > ?)
          OR (status = 'killed' AND reason LIKE '%kill flag%' AND rowid >= ?)`,
      setAfterRowid,
      setAfterRowid,
    ) > 0;
};

/** The primary down until the day's end: the paid tier spends until the cap halts the ticks. */
const capCrossed: Injector = async (w, f, rec, c) => {
  w.ollama.setBehavior(PRIMARY_MODEL, ollamaPresets.loadTimeout);
  rec.injected = true;
  const holder = w.child;
  const dayEnd = new Date(Math.floor(f.at.getTime() / (24 * HOUR) + 1) * 24 * HOUR);
  await until(w, dayEnd);
  w.ollama.setBehavior(PRIMARY_MODEL, undefined);
  rec.note = `primary down from ${f.at.toISOString().slice(11, 16)}; the paid tier spent until the cap halted the ticks; serve stayed up and resumed the next day by itself`;
  const halted = c.rowsSince("status = 'halted_cap'");
  const resumed = c.rowsSince(`status IN ${DELIVERED_SQL} AND day > '${f.at.toISOString().slice(0, 10)}'`);
  return () => halted() && resumed() && holder !== null;
};

const INJECTORS: Partial<Record<Fault["kind"], Injector>> = {
  primary_down: primaryDown,
  paid_key_revoked: paidKeyRevoked,
  sigkill_mid_tick: sigkillMidTick,
  host_down: hostDown,
  kill_flag: killFlag,
  cap_crossed: capCrossed,
};

/**
 * Injects an active fault (process, model, money) and undoes it; returns how to judge it at
 * the end, when the serve processes (whose clocks trail the soak's by their start-up time)
 * have written everything down.
 */
async function active(w: World, f: Fault, rec: FaultRecord): Promise<Judge> {
  await until(w, f.at);
  const from = read(w, rowidBeforeInFlight);
  const rowsSince = (where: string) => () =>
    count(w, `SELECT count(*) AS n FROM ticks WHERE rowid > ? AND ${where}`, from) > 0;
  const inject = INJECTORS[f.kind];
  if (!inject) {
    rec.note = `${f.kind} is passive`;
    return () => false;
  }
  return inject(w, f, rec, { end: hoursAfter(f.at, f.hours), from, rowsSince });
}

/** The stretches the job spec ran: from each switch into it to the switch out (or past the run's end). */
function jobPeriods(
  switches: readonly { to: "job" | "digest"; at: Date }[],
  end: Date,
  spec: Spec,
): { from: Date; to: Date; spec: Spec }[] {
  return switches.flatMap((sw, i) =>
    sw.to === "job" ? [{ from: sw.at, to: switches[i + 1]?.at ?? hoursAfter(end, 1), spec }] : [],
  );
}

/** Polls (bounded) until serve has written its pidfile: it is up and about to plan its catch-up. */
async function pidfileWritten(w: World): Promise<void> {
  for (let i = 0; i < 1500 && !existsSync(join(w.o.home, "afk.pid")); i++) await Bun.sleep(20);
}

/**
 * The slot the first serve caught up: the run's first, read from its row. Not the clock when the
 * pidfile appeared: serve plans its catch-up a moment after writing it, and on a loaded machine
 * that moment can pass a slot (an hour is 0.4 s at the short soak's scale) — a slot before the
 * serve existed, which the run then counted with no row (the short soak's "1 of 89 unaccounted").
 * Polls (bounded); `fallback` (the slot serve was started after) if no row comes.
 */
async function firstServedSlot(w: World, fallback: Date): Promise<Date> {
  const first = () =>
    read(w, (db) => db.query<{ s: string | null }, []>("SELECT min(slot) AS s FROM ticks").get()?.s ?? null);
  for (let i = 0; i < 1500; i++) {
    const s = existsSync(join(w.o.home, "ledger.sqlite")) ? first() : null;
    if (s) return new Date(s);
    await Bun.sleep(20);
  }
  return fallback;
}

/** Polls (bounded) until the ledger has a row for `slot` and the run log has its Day line. */
async function settleEnd(w: World, slot: Date, days: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const log = join(w.o.home, "runs", "run-log.md");
    const text = existsSync(log) ? await Bun.file(log).text() : "";
    if (
      count(w, "SELECT count(*) AS n FROM ticks WHERE slot >= ?", slot.toISOString()) > 0 &&
      text.includes(`Day ${days}:`)
    )
      return;
    await Bun.sleep(50);
  }
}

/** The run's world (the doubles started, the specs written) and the specs it judges by. */
interface Setup {
  w: World;
  spec: Spec;
  jobSpec: Spec;
  onJob: number[];
  capMicros: number;
}

/** Starts the feed server and the model doubles, writes the digest spec, and builds the world around them. */
async function setUp(o: SoakOptions): Promise<Setup> {
  mkdirSync(join(o.home, "runs"), { recursive: true });
  const feeds = startFeedServer();
  const ollama = await startOllamaDouble();
  const openai = await startOpenAiDouble({ keys: [PAID_KEY] });
  openai.setBehavior("*", { kind: "reply", ...PAID_USAGE });
  const specInput: SoakSpecInput = {
    cadence: o.cadence,
    feedUrl: feeds.feedUrl,
    paidBaseUrl: openai.baseUrl,
  };
  const specPath = writeSoakSpec(o.home, specInput);
  const specs = { digest: soakSpecText(specInput), job: soakJobSpecText(specInput) };
  const spec = loadSpecFile(specPath).spec;
  const jobSpec = parseSpec(specs.job, specPath, `file:${specPath}`, o.home).spec;
  const capMicros = soakCapMicros(worstCaseTickMicros(spec));
  const w: World = {
    o,
    clock: new ScaledClock(new Date(o.day0.getTime() + 5 * 60_000), o.scale),
    feeds,
    ollama,
    openai,
    specPath,
    specs,
    running: "digest",
    switches: 0,
    switchedAt: [],
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: o.home,
      AFK_HOME: o.home,
      AFK_KILL_FLAG: join(o.home, "afk.kill"),
      OLLAMA_HOST: ollama.url,
      [PAID_KEY_ENV]: PAID_KEY,
      [JOB_FEEDS_ENV]: [feeds.feedUrl("alpha"), feeds.feedUrl("gamma")].join(","),
      SPEND_CAP_USD: String(microsToUsd(capMicros)),
      AFK_STATUS_ADDR: "127.0.0.1:0",
      AFK_EXIT_WITH_PARENT: "1",
    },
    logPath: join(o.home, "runs", "soak-serve.log"),
    child: null,
    generation: 0,
    restarts: 0,
    unexpectedExits: 0,
    expectingExit: false,
    samples: [],
    kills: [],
    stop: new AbortController(),
  };
  return { w, spec, jobSpec, onJob: [...(o.jobDays ?? defaultJobDays(o.days))], capMicros };
}

/** One record per planned fault, not yet injected nor observed. */
function faultRecords(o: SoakOptions, plan: readonly Fault[], onJob: readonly number[]): FaultRecord[] {
  return plan.map((f) => ({
    kind: f.kind,
    at: f.at.toISOString(),
    day: onJob.includes(dayOf(o.day0.getTime(), f.at)) ? "job" : "digest",
    hours: f.hours,
    injected: false,
    observed: false,
    note: "",
  }));
}

/** Sets the clock, starts the first serve just after a slot, and returns the run's first slot. */
async function startFirstServe(w: World, spec: Spec): Promise<Date> {
  await runAfk(["clock", "start", "--spec", w.specPath], childEnv(w), w.logPath);
  // Start serve just after a slot, so its own start-up (virtual minutes at this scale) cannot pass the next one.
  const slot = nextSlot(spec, w.clock.now()) ?? w.clock.now();
  await until(w, new Date(slot.getTime() + 2 * 60_000));
  startServe(w);
  // On a loaded machine start-up can take seconds, i.e. virtual hours: the run's slots begin at
  // the one the first serve catches up, not before it existed.
  await pidfileWritten(w);
  return await firstServedSlot(w, slot);
}

type Judged = Promise<{ rec: FaultRecord; judge: Judge }>;

/** The passive faults watched in the background, the active ones injected in order; how to judge each. */
async function injectFaults(
  w: World,
  plan: readonly Fault[],
  records: readonly FaultRecord[],
): Promise<Judged[]> {
  const pairs = plan.map((f, i) => ({ f, rec: records[i] as FaultRecord }));
  const judges: Judged[] = pairs
    .filter((p) => isPassive(p.f.kind))
    .map((p) => passive(w, p.f, p.rec).then((judge) => ({ rec: p.rec, judge })));
  for (const p of pairs.filter((x) => !isPassive(x.f.kind))) {
    const judge = await active(w, p.f, p.rec);
    judges.push(Promise.resolve({ rec: p.rec, judge }));
    w.o.log?.(`${p.rec.at} ${p.f.kind}: ${p.rec.note}`);
  }
  return judges;
}

/** Runs past the end slot, stops the last serve, then judges every fault and keeps the samples. */
async function windDown(
  w: World,
  endSlot: Date,
  switching: Promise<unknown>,
  judges: Judged[],
  stopSampler: () => void,
) {
  await until(w, hoursAfter(endSlot, 0.5));
  await switching;
  await settleEnd(w, endSlot, w.o.days);
  stopSampler();
  const code = await stopServe(w, "SIGTERM");
  if (code !== null && code !== 0) w.o.log?.(`final serve exited ${code}`);
  w.stop.abort();
  for (const { rec, judge } of await Promise.all(judges)) rec.observed = judge();
  writeFileSync(join(w.o.home, "runs", "soak-samples.json"), `${JSON.stringify(w.samples)}\n`);
}

/** What the run reads off the ledger at the end: the invariants and the job days' report. */
function readReports(w: World, s: Setup, firstSlot: Date, endSlot: Date) {
  const invariants = read(w, (db) =>
    checkInvariants({
      db,
      home: w.o.home,
      spec: s.spec,
      capMicros: s.capMicros,
      firstSlot,
      lastSlot: nextSlot(s.spec, new Date(endSlot.getTime() - 1)) ?? endSlot,
      days: w.o.days,
      kills: w.kills,
      samples: w.samples,
      jobPeriods: jobPeriods(w.switchedAt, endSlot, s.jobSpec),
    }),
  );
  const jobs = read(w, (db) =>
    jobDayReport(db, {
      home: w.o.home,
      jobHash: specHash(w.specs.job),
      jobDays: s.onJob.length,
      switches: w.switches,
      script: SOAK_JOB,
    }),
  );
  return { invariants, jobs };
}

/** Every broken promise in words: the invariants', the process's, the job days' and each fault's. */
function brokenOf(
  w: World,
  invariants: InvariantReport,
  jobs: JobDayReport,
  records: readonly FaultRecord[],
): string[] {
  const broken = brokenInvariants(invariants);
  if (w.unexpectedExits) broken.push(`${w.unexpectedExits} unexpected serve exits`);
  if (jobs.job_processes_left) broken.push(`${jobs.job_processes_left} job processes outlived their tick`);
  if (jobs.job_days && !jobs.job_units_delivered) broken.push("the job days delivered no unit");
  for (const r of records) {
    if (!r.injected) broken.push(`fault ${r.kind} at ${r.at} was not injected: ${r.note}`);
    else if (!r.observed) broken.push(`fault ${r.kind} at ${r.at} left no trace in the ledger: ${r.note}`);
  }
  return broken;
}

/** Runs the soak: real `afk serve` processes through `days` compressed days, faults injected, invariants checked. */
export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const wallStart = performance.now();
  const s = await setUp(o);
  const { w, onJob } = s;
  const plan = planFaults(o.day0, o.days + 1, o.faults, o.seed, onJob);
  const records = faultRecords(o, plan, onJob);
  const endSlot = new Date(o.day0.getTime() + (o.days + 1) * 24 * HOUR);
  let stopSampler = () => {};
  let reports: ReturnType<typeof readReports>;
  try {
    const firstSlot = await startFirstServe(w, s.spec);
    stopSampler = startSampler(w);
    const switching = switcher(w, switchPlan(o.day0, o.days + 1, onJob));
    const judges = await injectFaults(w, plan, records);
    await windDown(w, endSlot, switching, judges, stopSampler);
    reports = readReports(w, s, firstSlot, endSlot);
  } finally {
    w.stop.abort();
    stopSampler();
    if (w.child) await stopServe(w, "SIGKILL");
    await Promise.all([w.feeds.stop(), w.ollama.stop(), w.openai.stop()]);
  }
  const { invariants, jobs } = reports;
  const broken = brokenOf(w, invariants, jobs, records);
  return {
    ok: broken.length === 0,
    broken,
    invariants,
    jobs,
    faults: records,
    restarts: w.restarts,
    unexpectedExits: w.unexpectedExits,
    supervisor: SUPERVISOR,
    wallSeconds: Math.round((performance.now() - wallStart) / 100) / 10,
    home: o.home,
    options: {
      days: o.days,
      cadence: o.cadence,
      seed: o.seed,
      scale: o.scale,
      faults: o.faults,
      day0: o.day0.toISOString(),
      jobDays: onJob,
    },
  };
}

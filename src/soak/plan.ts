/**
 * The soak's fault plan: which faults happen when, from a seed. Pure: the same seed and days
 * give the same plan, so a failing soak can be replayed exactly.
 */

/** Every kind of fault the soak can inject. */
export const FAULT_KINDS = [
  "source_503",
  "feed_shape",
  "source_renamed",
  "primary_down",
  "paid_key_revoked",
  "sigkill_mid_tick",
  "host_down",
  "kill_flag",
  "cap_crossed",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Faults that only switch a loopback server's behaviour; they may overlap anything. */
const PASSIVE: readonly FaultKind[] = ["source_503", "feed_shape", "source_renamed"];

export interface Fault {
  kind: FaultKind;
  /** Virtual start. */
  at: Date;
  /** Virtual hours it lasts (0: once, or for good). */
  hours: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** mulberry32: a tiny seeded PRNG, enough to spread faults reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
  }
  return xs;
}

const int = (rand: () => number, lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

/**
 * The window of days a soak of `days` days (Day 0 … Day days) runs its `job: command` spec by
 * default: from the day after the middle to two days before the end (14 days: Days 8–12). One
 * window, not scattered days, so each spec's serve lives days on end (its memory is judged over
 * a long life) with two switches only.
 */
export function defaultJobDays(days: number): number[] {
  const from = Math.max(1, Math.floor(days / 2) + 1);
  const to = Math.max(from, days - 2);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** `--job-days`: `8-12`, `1,4,7`, or `none`; null when it is none of these or names a day outside Day 1 … Day days. */
export function parseJobDays(text: string, days: number): number[] | null {
  if (text === "none") return [];
  const range = /^(\d+)-(\d+)$/.exec(text);
  const list = range
    ? Array.from(
        { length: Math.max(0, Number(range[2]) - Number(range[1]) + 1) },
        (_, i) => Number(range[1]) + i,
      )
    : text.split(",").map(Number);
  return list.length > 0 && list.every((d) => Number.isInteger(d) && d >= 1 && d <= days) ? list : null;
}

/**
 * Places the faults on a run that starts at `day0` (00:00 of Day 0) and lasts `days` days.
 * Active faults (process, model, money) get one half-day cell each — the cap takes a whole
 * day, as it halts the runner until the next day — so they never overlap; passive ones get a
 * random hour anywhere after the first quarter day. Throws when the active faults do not fit.
 *
 * With `jobDays` (the days the job spec runs) each active kind is placed on a digest day, the
 * cap on a job day, and then, where cells are left, once more on the other kind of day (the
 * cap a second whole day, every other kind a job-day cell); passive faults start on digest days
 * only (they judge the digest's sources).
 */
export function planFaults(
  day0: Date,
  days: number,
  kinds: readonly FaultKind[],
  seed: number,
  jobDayList: readonly number[] = [],
): Fault[] {
  const rand = seededRandom(seed);
  const start = day0.getTime();
  const faults: Fault[] = [];
  const active = kinds.filter((k) => !PASSIVE.includes(k));
  const onJob = new Set(jobDayList);
  // Cells: (day, half). Day 0's morning is left clean (a baseline), so is the last afternoon.
  const cells: { day: number; half: number }[] = [];
  for (let d = 0; d < days; d++)
    for (let h = 0; h < 2; h++)
      if (!(d === 0 && h === 0) && !(d === days - 1 && h === 1)) cells.push({ day: d, half: h });
  const free = new Set(cells.map((c) => `${c.day}:${c.half}`));
  const take = (cell: { day: number; half: number }) => free.delete(`${cell.day}:${cell.half}`);
  const freeCells = (job: boolean) =>
    cells.filter((c) => free.has(`${c.day}:${c.half}`) && onJob.has(c.day) === job);
  const wholeDays = (job: boolean) =>
    [...new Set(cells.map((c) => c.day))].filter(
      (d) => onJob.has(d) === job && free.has(`${d}:0`) && free.has(`${d}:1`),
    );
  const placeCap = (job: boolean): boolean => {
    const whole = shuffle(wholeDays(job), rand)[0];
    if (whole === undefined) return false;
    take({ day: whole, half: 0 });
    take({ day: whole, half: 1 });
    // The primary goes down late morning, so the paid tier spends until the pre-flight halts.
    faults.push({
      kind: "cap_crossed",
      at: new Date(start + whole * DAY + int(rand, 9, 11) * HOUR + 20 * 60_000),
      hours: 0,
    });
    return true;
  };
  const placeCell = (kind: FaultKind, job: boolean): boolean => {
    const cell = shuffle(freeCells(job), rand)[0];
    if (!cell) return false;
    take(cell);
    const at = new Date(start + cell.day * DAY + (cell.half * 12 + int(rand, 1, 4)) * HOUR + 20 * 60_000);
    // Outages of 2–4 h: the paid tier then spends less than a day's cap (soak spec: six paid calls).
    const hours = kind === "sigkill_mid_tick" ? 0 : int(rand, 2, 4);
    faults.push({ kind, at, hours });
    return true;
  };
  const jobs = onJob.size > 0;
  const ordered = [...active].sort((a, b) => Number(b === "cap_crossed") - Number(a === "cap_crossed"));
  for (const kind of ordered) {
    if (kind === "cap_crossed") {
      if (!placeCap(jobs) && !(jobs && placeCap(false)))
        throw new Error(`soak plan: no whole free day for cap_crossed in ${days} days`);
      continue;
    }
    if (!placeCell(kind, false) && !(jobs && placeCell(kind, true)))
      throw new Error(`soak plan: no free half-day left for ${kind} in ${days} days`);
  }
  if (jobs)
    for (const kind of ordered) {
      if (kind === "cap_crossed") placeCap(false);
      else if (!faults.some((f) => f.kind === kind && onJob.has(dayOf(start, f.at)))) placeCell(kind, true);
    }
  const hours = Array.from({ length: days * 24 - 12 }, (_, i) => 6 + i).filter(
    (h) => !onJob.has(Math.floor(h / 24)),
  );
  for (const kind of kinds.filter((k) => PASSIVE.includes(k))) {
    const hour = hours[Math.floor(rand() * hours.length)] ?? 6;
    const at = new Date(start + hour * HOUR + 20 * 60_000);
    faults.push({ kind, at, hours: kind === "source_503" ? 24 : 0 });
  }
  return faults.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** The run's day (0-based) a time falls on. */
export function dayOf(day0Ms: number, at: Date): number {
  return Math.floor((at.getTime() - day0Ms) / DAY);
}

export function isPassive(kind: FaultKind): boolean {
  return PASSIVE.includes(kind);
}

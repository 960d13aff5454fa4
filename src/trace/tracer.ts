import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Clock } from "../core/clock.ts";
import { describeError } from "../core/errors.ts";

export type Attrs = Record<string, string | number | boolean | null | undefined | string[]>;

/** One line of runs/YYYY-MM-DD/trace.jsonl. */
export interface TraceRecord {
  tick: string;
  id: string;
  parent: string | null;
  kind: "span" | "event";
  name: string;
  start: string;
  duration_ms: number;
  status: string;
  attrs: Attrs;
  error?: string;
}

export type TraceSink = (record: TraceRecord) => void;

/**
 * Appends each record as one JSON line the moment it ends, so a crash keeps what happened before it.
 * `redact` removes secret values from the line as it is written (core/redact.ts).
 */
export function fileSink(path: string, redact: (text: string) => string = (t) => t): TraceSink {
  mkdirSync(dirname(path), { recursive: true });
  return (record) => appendFileSync(path, `${redact(JSON.stringify(record))}\n`);
}

/** Keys that must never reach a trace even if a caller passes them by mistake. */
const SECRET_KEY = /key|token|secret|password|authorization/i;

function scrub(attrs: Attrs): Attrs {
  const out: Attrs = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    out[k] = SECRET_KEY.test(k) && !/^tokens?_|_tokens?$/.test(k) ? "[redacted]" : v;
  }
  return out;
}

/**
 * A span of one tick. Parents are passed explicitly (no ambient context), so the tree is
 * exactly what the code says. `end` is idempotent: the first call wins.
 */
export class Span {
  readonly id: string;
  #attrs: Attrs = {};
  #ended = false;
  readonly #startMs: number;

  constructor(
    readonly tick: string,
    readonly name: string,
    readonly parent: string | null,
    private readonly sink: TraceSink,
    private readonly clock: Clock,
    private readonly ids: () => string,
  ) {
    this.id = ids();
    this.#startMs = clock.now().getTime();
  }

  child(name: string, attrs: Attrs = {}): Span {
    const s = new Span(this.tick, name, this.id, this.sink, this.clock, this.ids);
    s.set(attrs);
    return s;
  }

  set(attrs: Attrs): this {
    Object.assign(this.#attrs, attrs);
    return this;
  }

  /** A point-in-time fact: a caught error, a fallback, a hand-over. */
  event(name: string, attrs: Attrs = {}, error?: unknown): void {
    const now = this.clock.now();
    this.sink({
      tick: this.tick,
      id: this.ids(),
      parent: this.id,
      kind: "event",
      name,
      start: now.toISOString(),
      duration_ms: 0,
      status: error === undefined ? "info" : "error",
      attrs: scrub(attrs),
      ...(error === undefined ? {} : { error: describeError(error) }),
    });
  }

  end(status: string, error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    const now = this.clock.now().getTime();
    this.sink({
      tick: this.tick,
      id: this.id,
      parent: this.parent,
      kind: "span",
      name: this.name,
      start: new Date(this.#startMs).toISOString(),
      duration_ms: now - this.#startMs,
      status,
      attrs: scrub(this.#attrs),
      ...(error === undefined ? {} : { error: describeError(error) }),
    });
  }

  /** Runs `fn` inside a child span, ending it `ok` or `error` (the error is rethrown). */
  async run<T>(name: string, fn: (span: Span) => Promise<T>, attrs: Attrs = {}): Promise<T> {
    const span = this.child(name, attrs);
    try {
      const result = await fn(span);
      span.end("ok");
      return result;
    } catch (err) {
      span.end("error", err);
      throw err;
    }
  }
}

export function rootSpan(tick: string, sink: TraceSink, clock: Clock, name = "tick"): Span {
  // A tick may have several roots (the tick, its after-tick hook): a per-root prefix keeps ids unique.
  const prefix = `${tick.slice(-6)}.${crypto.randomUUID().slice(0, 4)}`;
  let n = 0;
  return new Span(tick, name, null, sink, clock, () => `${prefix}.${++n}`);
}

/** Path of the trace file a tick starting on `day` writes to, relative to AFK_HOME. */
export function tracePath(day: string): string {
  return `runs/${day}/trace.jsonl`;
}

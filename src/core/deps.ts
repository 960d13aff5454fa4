import type { Clock } from "./clock.ts";

/** What afk needs from the outside world; built once in main with the real things, replaced in tests. */
export interface Deps {
  clock: Clock;
  fetch: typeof fetch;
  /** The process environment, read once in main. */
  env: Readonly<Record<string, string | undefined>>;
  /** AFK_HOME: where ledger.sqlite, runs/ and out/ live. */
  home: string;
  /** Human output (stdout). */
  print: (line: string) => void;
  /** Diagnostics (stderr). */
  warn: (line: string) => void;
  /** This process's id, recorded on ticks so a dead holder can be told from a live one. */
  pid: number;
  /**
   * Redacts secret values (core/redact.ts) at a sink's write: trace files and notices use it; print,
   * warn and the ledger are already redacting once a command has built its context. Default: none.
   */
  redact?: (text: string) => string;
}

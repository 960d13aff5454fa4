import type { Clock } from "./clock.ts";

/** What afk needs from the outside world; built once in main with the real things, replaced in tests. */
export interface Deps {
  clock: Clock;
  fetch: typeof fetch;
  /** The process environment, read once in main. */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * The directory afk was started in (process.cwd()): AFK_HOME, --spec and other relative paths
   * resolve against it. AFK_HOME itself (where ledger.sqlite, runs/ and out/ live) is
   * `HostConfig.home`, read from the environment once (core/host.ts).
   */
  cwd: string;
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
  /**
   * Told each redactor a command builds (createAppContext), so an error that escapes the command
   * is redacted as its own output was when `run` reports it (cli/unexpected.ts). Default: none.
   */
  adoptRedactor?: (redact: (text: string) => string) => void;
  /**
   * Awaited once a job's group leader runs, before its group is recorded and its command may
   * begin (job/tick.ts): a test holds afk there to SIGKILL it inside that window. Default: none.
   */
  holdJobStart?: (pid: number) => Promise<void>;
}

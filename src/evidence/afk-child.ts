import { constants } from "node:os";
import { join } from "node:path";
import { processTree, stillListed } from "../runner/proctable.ts";

/**
 * afk as a real child process, the one way the tests, the soak and the demo start it: with its
 * arguments, environment and home, its output collected line by line, its exit awaited and
 * signals sent to it (or to it and everything it started).
 */

/** The repo root: children run `bun src/main.ts`, exactly what `bun run afk` runs. */
export const REPO_ROOT = join(import.meta.dir, "..", "..");
export const AFK_MAIN = join(REPO_ROOT, "src", "main.ts");

/** Where a child's stdout or stderr goes: read here (`pipe`), dropped, or a file descriptor. */
export type AfkSink = "pipe" | "ignore" | number;

export interface AfkChildOptions {
  /**
   * With `home`: PATH, HOME, AFK_HOME and AFK_KILL_FLAG (`<home>/afk.kill`) set for it, then
   * `env` on top. Without: `env` is the child's whole environment.
   */
  home?: string;
  env?: Record<string, string | undefined>;
  /** The working directory; the repo root unless told. */
  cwd?: string;
  stdout?: AfkSink;
  stderr?: AfkSink;
  /** What runs afk: `bun src/main.ts` unless told (`["bun", "run", "afk"]`, a compiled binary). */
  launcher?: readonly string[];
}

/** A child's output stream, read once, here: its lines as they come and its whole text. */
export interface AfkLines {
  readonly lines: readonly string[];
  /** Resolves once the stream has ended (at once for an unpiped stream). */
  readonly done: Promise<void>;
  /** Everything the stream carried, once it has ended. */
  text(): Promise<string>;
  /**
   * The n-th line matching `re` (default the first), at once if it has come already; rejects,
   * naming the pattern, when the stream ends without it.
   */
  waitFor(re: RegExp, n?: number): Promise<string>;
}

export interface AfkResult {
  code: number;
  out: string;
  err: string;
}

export interface AfkChild {
  readonly pid: number;
  /** Resolves with the exit code (128 + n for signal n), once the process is gone. */
  readonly exited: Promise<number>;
  /** The exit code once it has exited, else null. */
  readonly exitCode: number | null;
  /** The signal that ended it, once it has exited by one, else null. */
  readonly signalCode: NodeJS.Signals | null;
  readonly out: AfkLines;
  readonly err: AfkLines;
  kill(signal?: NodeJS.Signals): void;
  /** SIGKILL to the child and every process below it still alive (a test's clean-up). */
  killTree(): void;
  /** Awaits the exit and both streams' end. */
  result(): Promise<AfkResult>;
}

/** The environment `options` describe (see {@link AfkChildOptions.home}). */
export function afkChildEnv(options: Pick<AfkChildOptions, "home" | "env">): Record<string, string> {
  const env: Record<string, string> = options.home
    ? {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: options.home,
        AFK_HOME: options.home,
        AFK_KILL_FLAG: join(options.home, "afk.kill"),
      }
    : {};
  for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v;
  return env;
}

/** Starts `afk <args>` as a real child process. */
export function startAfk(args: readonly string[], options: AfkChildOptions = {}): AfkChild {
  const proc = Bun.spawn([...(options.launcher ?? [process.execPath, AFK_MAIN]), ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: afkChildEnv(options),
    stdin: "ignore",
    stdout: options.stdout ?? "pipe",
    stderr: options.stderr ?? "pipe",
  });
  const out = readLines(proc.stdout, "stdout");
  const err = readLines(proc.stderr, "stderr");
  return {
    pid: proc.pid,
    exited: proc.exited,
    get signalCode() {
      return (proc.signalCode as NodeJS.Signals | null) ?? null;
    },
    get exitCode() {
      const signal = proc.signalCode as keyof typeof constants.signals | null;
      if (signal) return 128 + constants.signals[signal];
      return proc.exitCode;
    },
    out,
    err,
    kill: (signal = "SIGTERM") => proc.kill(signal),
    killTree: () => {
      for (const pid of stillListed(processTree(proc.pid))) process.kill(pid, "SIGKILL");
    },
    result: async () => {
      const [code, o, e] = await Promise.all([proc.exited, out.text(), err.text()]);
      return { code, out: o, err: e };
    },
  };
}

/** Runs `afk <args>` to its end: exit code, stdout and stderr. */
export function runAfk(args: readonly string[], options: AfkChildOptions = {}): Promise<AfkResult> {
  return startAfk(args, options).result();
}

function readLines(stream: ReadableStream<Uint8Array> | number | undefined, name: string): AfkLines {
  const lines: string[] = [];
  let text = "";
  let ended = false;
  let waiters: { re: RegExp; n: number; resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  const nth = (re: RegExp, n: number) => lines.filter((l) => re.test(l))[n - 1];
  const settle = () => {
    waiters = waiters.filter((w) => {
      const hit = nth(w.re, w.n);
      if (hit !== undefined) w.resolve(hit);
      else if (ended) w.reject(new Error(`afk's ${name} ended without line ${w.n} matching ${w.re}`));
      return hit === undefined && !ended;
    });
  };
  const done = (async () => {
    if (!(stream instanceof ReadableStream)) return;
    const decoder = new TextDecoder();
    let buf = "";
    const reader = stream.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      const piece = decoder.decode(r.value, { stream: true });
      text += piece;
      buf += piece;
      const parts = buf.split("\n");
      buf = parts.pop() ?? "";
      lines.push(...parts);
      if (parts.length > 0) settle();
    }
    if (buf !== "") lines.push(buf);
  })().finally(() => {
    ended = true;
    settle();
  });
  return {
    lines,
    done,
    text: () => done.then(() => text),
    waitFor: (re, n = 1) =>
      new Promise<string>((resolve, reject) => {
        waiters.push({ re, n, resolve, reject });
        settle();
      }),
  };
}

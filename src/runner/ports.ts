/**
 * What the runner needs from the process and the wall clock, behind one small interface so
 * the scheduler and the guarded tick stay plain, testable TypeScript. The real implementation
 * is in process.ts; tests pass their own.
 */
export interface RunnerPorts {
  /** Whether a process with this id exists (a lock or a running row's holder). */
  isAlive(pid: number): boolean;
  /** Sends a signal; false when there is no such process. */
  signal(pid: number, sig: "SIGTERM" | "SIGINT" | "SIGKILL"): boolean;
  /** Calls `fn` on SIGTERM/SIGINT (and when the parent script runner dies); returns a disposer. */
  onStop(fn: (why: string) => void): () => void;
  /** Resolves at `at`, or as soon as `signal` aborts. */
  waitUntil(at: Date, signal: AbortSignal): Promise<void>;
  /** Calls `fn` after `ms` unless cancelled; the returned function cancels. */
  after(ms: number, fn: () => void): () => void;
  /** Makes sure the process ends within `ms` with `code`, even if a handle lingers. */
  exitWithin(code: number, ms: number): void;
}

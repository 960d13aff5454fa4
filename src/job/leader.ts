import { accessSync, closeSync, constants, openSync, readSync, statSync, writeSync } from "node:fs";
import { resolve } from "node:path";

/**
 * A job's command must not begin before its group's record is on disk: a SIGKILLed afk would leave
 * it running with nothing to end it. So the group's leader is first a shell blocked on a read of
 * fd 3 (a socket whose other end only afk holds, close-on-exec there); afk sends the go line once
 * the record is written, and the shell execs the command in place: same pid, so the same group
 * and start time as recorded. If afk dies first, the read sees EOF and the shell exits without
 * ever running the command. `/bin/sh` is on every target afk builds for (Linux, macOS).
 */
export const LEADER_SHELL = "/bin/sh";

/** The line afk sends when the command may begin. */
export const GO_LINE = "go\n";

/** Quotes `s` as one word for a POSIX shell. */
function shQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * What the shell runs before its exec: the go line read (EOF, or anything else → exit, the command
 * never runs), fd 3 closed (the command inherits only 0, 1 and 2, as before), and the environment
 * put back as afk built it. A shell sets PWD to its working directory on start; bash (macOS's sh)
 * also exports SHLVL again on exec, so there env(1) makes the last step.
 */
function leaderScript(env: Readonly<Record<string, string>>): string {
  const pwd = env.PWD === undefined ? "unset PWD" : `PWD=${shQuote(env.PWD)}`;
  const shlvl = env.SHLVL === undefined ? "-u SHLVL" : `SHLVL=${shQuote(env.SHLVL)}`;
  return [
    'read -r go <&3 && [ "$go" = go ] || exit 0',
    "exec 3<&-",
    pwd,
    `[ -z "\${BASH_VERSION-}" ] || exec /usr/bin/env ${shlvl} "$@"`,
    'exec "$@"',
  ].join("\n");
}

/**
 * The argv that starts `argv` held: the leader shell, its script, `afk-job` as its $0 (the name
 * in its own messages) and the command's words unchanged (so argv[0] is the one given).
 */
export function heldArgv(
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
  shell: string = LEADER_SHELL,
): string[] {
  return [shell, "-c", leaderScript(env), "afk-job", ...argv];
}

/**
 * Starts `argv` held, as the leader of a new process group, its stdin /dev/null and its stdout and
 * stderr piped to afk; `gate` is afk's end of fd 3 (close-on-exec), afk's to close through
 * {@link release}. Throws, as Bun.spawn did, when the program cannot start.
 */
export function spawnHeld(argv: readonly string[], cwd: string, env: Record<string, string>) {
  checkStartable(argv[0] ?? "", cwd, env.PATH);
  const proc = Bun.spawn(heldArgv(argv, env), {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe", "pipe"],
    detached: true,
  });
  // Reading it hands the fd over to the caller (Bun no longer closes it).
  return { proc, gate: proc.stdio[3] as number };
}

/** Sends the go line (unless `go` is false) and closes afk's end of the gate: the leader reads EOF. */
export function release(gate: number, go: boolean): void {
  try {
    if (go) writeSync(gate, GO_LINE);
  } catch {
    // The leader is gone already (stopped, or killed from outside): its exit says how.
  } finally {
    closeSync(gate);
  }
}

/** First bytes of a file the kernel executes: `#!`, ELF, Mach-O (32/64 bit, both byte orders), fat Mach-O. */
const RUNNABLE = ["2321", "7f454c46", "feedface", "feedfacf", "cefaedfe", "cffaedfe", "cafebabe", "bebafeca"];

function runnableFormat(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    // Executable but not readable (mode --x): only execve can tell; let the leader try.
    return true;
  }
  try {
    const head = Buffer.alloc(4);
    const n = readSync(fd, head, 0, 4, 0);
    const hex = head.subarray(0, n).toString("hex");
    return RUNNABLE.some((m) => hex.startsWith(m));
  } finally {
    closeSync(fd);
  }
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

class SpawnError extends Error {
  constructor(
    readonly code: "ENOENT" | "EACCES" | "ENOEXEC",
    message: string,
  ) {
    super(message);
  }
}

/**
 * Throws, in Bun.spawn's own words, where Bun.spawn threw when it started the command itself:
 * a name not on PATH, a path that is not there, not an executable file, or not a format the kernel
 * runs. The leader's exec would instead exit 127 or 126 (indistinguishable from the command's own
 * exit), or run a file without a `#!` line as a shell script.
 */
export function checkStartable(argv0: string, cwd: string, path: string | undefined): void {
  let file = resolve(cwd, argv0);
  if (!argv0.includes("/")) {
    // Bun.spawn looks up PATH as Bun.which does; without one, the usual directories.
    const found = Bun.which(argv0, { PATH: path || "/usr/local/bin:/usr/bin:/bin", cwd });
    if (found === null) throw new SpawnError("ENOENT", `Executable not found in $PATH: "${argv0}"`);
    file = found;
  }
  const named = argv0.includes("/") ? argv0 : file;
  let isFile = false;
  try {
    isFile = statSync(file).isFile();
  } catch {
    throw new SpawnError("ENOENT", `ENOENT: no such file or directory, posix_spawn '${named}'`);
  }
  if (!isFile || !executable(file))
    throw new SpawnError("EACCES", `EACCES: permission denied, posix_spawn '${named}'`);
  if (!runnableFormat(file))
    throw new SpawnError("ENOEXEC", `ENOEXEC: unknown error, posix_spawn '${named}'`);
}

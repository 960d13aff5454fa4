import { type AfkErrorCode, describeError } from "./errors.ts";

/** A failure of the disk or the ledger, told apart so the operator gets its fix, not a stack. */
export interface Fault {
  /** The exit code's kind: `io` (5) for the disk and the ledger, `internal` (1) otherwise. */
  code: AfkErrorCode;
  /** What failed, in one line. */
  what: string;
  /** What to do about it; empty for an internal error. */
  fix: string;
}

function errCode(err: unknown): string {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === "string" ? c : "";
}

/** The first error in a `cause` chain whose code names a disk or ledger failure, else the error itself. */
function rootCause(err: unknown): unknown {
  let e: unknown = err;
  for (let i = 0; i < 8 && e; i++) {
    if (/^(SQLITE_|E[A-Z]+$)/.test(errCode(e))) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return err;
}

const FAULTS: Record<string, { what: string; fix: string }> = {
  SQLITE_FULL: {
    what: "the disk holding the ledger is full",
    fix: "free space on that filesystem (df -h AFK_HOME), then start again",
  },
  ENOSPC: {
    what: "the disk is full",
    fix: "free space on that filesystem (df -h AFK_HOME), then start again",
  },
  EDQUOT: { what: "the disk quota is used up", fix: "raise the quota or free space, then start again" },
  SQLITE_CORRUPT: {
    what: "the ledger file is corrupt",
    fix: "move ledger.sqlite aside and restore it from a backup (or start a new one: afk recreates it)",
  },
  SQLITE_NOTADB: {
    what: "the ledger file is not an SQLite database",
    fix: "move ledger.sqlite aside and restore it from a backup (or start a new one: afk recreates it)",
  },
  SQLITE_READONLY: {
    what: "the ledger is read-only",
    fix: "make AFK_HOME and ledger.sqlite (and its -wal/-shm files) writable by this user",
  },
  SQLITE_CANTOPEN: {
    what: "the ledger cannot be opened",
    fix: "check that AFK_HOME exists and is writable by this user",
  },
  SQLITE_IOERR: {
    what: "the disk failed a ledger read or write",
    fix: "check the disk (dmesg), then start again",
  },
  SQLITE_BUSY: {
    what: "the ledger stayed locked by another process",
    fix: "find what holds ledger.sqlite open (fuser ledger.sqlite) and try again",
  },
  EROFS: { what: "the filesystem is read-only", fix: "remount it read-write or point AFK_HOME elsewhere" },
  EACCES: { what: "permission denied", fix: "make AFK_HOME writable by this user" },
  EPERM: { what: "operation not permitted", fix: "make AFK_HOME writable by this user" },
  EXDEV: {
    what: "a rename crossed filesystems",
    fix: "report it: afk makes its temporary files beside their target",
  },
  EIO: { what: "the disk failed a read or write", fix: "check the disk (dmesg), then start again" },
};

/** Classifies anything thrown: a known disk or ledger fault with its fix (exit 5), else internal (exit 1). */
export function classifyFault(err: unknown): Fault {
  const root = rootCause(err);
  const code = errCode(root);
  const known = FAULTS[code] ?? FAULTS[code.replace(/_[A-Z]+$/, "")];
  if (known) return { code: "io", what: `${known.what} (${code})`, fix: known.fix };
  return { code: "internal", what: describeError(err), fix: "" };
}

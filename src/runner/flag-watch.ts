import { type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";
import { flagPresent } from "./flag.ts";

/** The poll behind the file watch: the longest the flag can go unseen where a watch misses it. */
export const FLAG_POLL_MS = 500;

export interface FlagWatchOptions {
  /** Whether the flag exists; default a stat of the path (tests inject their own). */
  present?: (path: string) => boolean;
  pollMs?: number;
}

/**
 * Calls `onFlag` once, as soon as the kill flag exists: at once if it already does; on a file
 * watch of its folder (the flag is noticed the moment it is created); and on a poll every
 * FLAG_POLL_MS behind the watch, for what a watch misses (a network file system, a folder that
 * did not exist yet). Returns the disposer; nothing is left running after it.
 */
export function watchFlag(path: string, onFlag: () => void, o: FlagWatchOptions = {}): () => void {
  const present = o.present ?? flagPresent;
  let done = false;
  let watcher: FSWatcher | null = null;
  let poll: ReturnType<typeof setInterval> | undefined;
  const stop = () => {
    done = true;
    clearInterval(poll);
    watcher?.close();
    watcher = null;
  };
  const check = () => {
    if (done || !present(path)) return;
    stop();
    onFlag();
  };
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, name) => {
      if (name === null || name === basename(path)) check();
    });
    watcher.on("error", () => {
      watcher?.close();
      watcher = null; // the poll goes on
    });
  } catch {
    watcher = null; // no folder yet, or no watch here: the poll alone
  }
  poll = setInterval(check, o.pollMs ?? FLAG_POLL_MS);
  poll.unref?.();
  check();
  return stop;
}

import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** Whether the kill flag exists: checked before every tick and between pipeline steps. */
export function flagPresent(path: string): boolean {
  return existsSync(path);
}

/** Creates the kill flag (and its directory), recording who and when inside it. */
export function createFlag(path: string, note: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${note}\n`);
}

/** Removes the kill flag; true when there was one. */
export function removeFlag(path: string): boolean {
  const had = existsSync(path);
  rmSync(path, { force: true });
  return had;
}

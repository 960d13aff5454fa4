import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** Creates the kill flag (the same file `touch ~/afk.kill` makes); its text says who and when. */
export function raiseKillFlag(path: string, now: Date, by: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `killed ${now.toISOString()} by ${by}\n`);
}

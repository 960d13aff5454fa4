import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../core/write-atomic.ts";

import { ALERT_FILE } from "./alert.ts";

export { ALERT_FILE };

/**
 * The alerts that share out/ALERT.txt, in the order they appear in it: the watchdog's (no value,
 * or quiet for days) and delivery's (a sink whose newest digest failed for good). Each is raised
 * and cleared by its own rule; the file holds the parts that are up and is gone when none is.
 */
export const ALERT_PARTS = ["watchdog", "delivery"] as const;
export type AlertPart = (typeof ALERT_PARTS)[number];

/** The line between two parts of the file (a part's own text never holds it). */
const SEPARATOR = "----------------------------------------------------------------";

/** Delivery's part says so on its first line; anything else in the file is the watchdog's. */
function partOf(text: string): AlertPart {
  return /^afk ALERT: .* could not deliver to /.test(text) ? "delivery" : "watchdog";
}

/** The parts in the file now (none when it is absent). */
export function readAlertParts(home: string): Partial<Record<AlertPart, string>> {
  const path = join(home, ALERT_FILE);
  if (!existsSync(path)) return {};
  const out: Partial<Record<AlertPart, string>> = {};
  for (const chunk of readFileSync(path, "utf8").split(`\n${SEPARATOR}\n\n`)) {
    if (chunk.trim() === "") continue;
    out[partOf(chunk)] = chunk.endsWith("\n") ? chunk : `${chunk}\n`;
  }
  return out;
}

/**
 * Sets one part of out/ALERT.txt (`null` clears it) and leaves the other as it is. The file is
 * written atomically — never half a file — and removed when no part is left. Returns whether the
 * file changed.
 */
export function setAlertPart(home: string, part: AlertPart, text: string | null): boolean {
  const parts = readAlertParts(home);
  if ((parts[part] ?? null) === text) return false;
  if (text === null) delete parts[part];
  else parts[part] = text.endsWith("\n") ? text : `${text}\n`;
  const present = ALERT_PARTS.flatMap((p) => (parts[p] ? [parts[p]] : []));
  const path = join(home, ALERT_FILE);
  if (present.length === 0) rmSync(path, { force: true });
  else writeFileAtomic(path, present.join(`\n${SEPARATOR}\n\n`));
  return true;
}

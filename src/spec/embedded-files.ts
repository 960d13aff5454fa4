import { existsSync } from "node:fs";
import { isAbsolute, join, normalize } from "node:path";
import { writeFileAtomic } from "../core/write-atomic.ts";
import { embeddedFiles } from "./embedded-define.ts";

export { embeddedFiles };

export interface Materialised {
  written: string[];
  kept: string[];
  failed: { path: string; error: string }[];
}

/**
 * Writes each embedded file under `home` when it is missing, never over an operator's copy, so a
 * binary copied alone into an empty folder finds the feeds its embedded spec names. A file that
 * cannot be written is returned, not thrown: the source that reads it then fails with the path,
 * which the tick records as a source failure.
 */
export function materialiseEmbeddedFiles(home: string, files = embeddedFiles()): Materialised {
  const out: Materialised = { written: [], kept: [], failed: [] };
  for (const [rel, text] of Object.entries(files)) {
    const clean = normalize(rel);
    if (isAbsolute(clean) || clean.startsWith("..")) {
      out.failed.push({ path: rel, error: "outside AFK_HOME" });
      continue;
    }
    const path = join(home, clean);
    if (existsSync(path)) {
      out.kept.push(path);
      continue;
    }
    try {
      writeFileAtomic(path, text);
      out.written.push(path);
    } catch (err) {
      out.failed.push({ path, error: (err as Error).message });
    }
  }
  return out;
}

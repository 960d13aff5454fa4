import { existsSync } from "node:fs";
import { isAbsolute, join, normalize } from "node:path";
import { writeFileAtomic } from "../core/write-atomic.ts";

/** Replaced by `afk build` (bun build --define) with the JSON text of the spec's local files. */
declare const AFK_EMBEDDED_FILES: string | undefined;

/**
 * The local files (sample feeds) baked into this binary, by path relative to AFK_HOME. Checked by
 * hand (an object of strings): every command that reads the embedded spec passes here, and a cold
 * start should not build a schema for it.
 */
export function embeddedFiles(raw: string | undefined = readDefine()): Record<string, string> {
  if (raw === undefined) return {};
  const files: unknown = JSON.parse(raw);
  if (
    typeof files !== "object" ||
    files === null ||
    Array.isArray(files) ||
    !Object.values(files).every((v) => typeof v === "string")
  )
    throw new Error("AFK_EMBEDDED_FILES: expected an object of file texts by path");
  return files as Record<string, string>;
}

function readDefine(): string | undefined {
  return typeof AFK_EMBEDDED_FILES === "string" ? AFK_EMBEDDED_FILES : undefined;
}

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

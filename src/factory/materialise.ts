import { existsSync } from "node:fs";
import { isAbsolute, join, normalize } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../core/write-atomic.ts";

/** Replaced by `afk build` (bun build --define) with the JSON text of the spec's local files. */
declare const AFK_EMBEDDED_FILES: string | undefined;

const FilesSchema = z.record(z.string(), z.string());

/** The local files (sample feeds) baked into this binary, by path relative to AFK_HOME. */
export function embeddedFiles(raw: string | undefined = readDefine()): Record<string, string> {
  if (raw === undefined) return {};
  return FilesSchema.parse(JSON.parse(raw));
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

import { existsSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../core/write-atomic.ts";
import type { TickScope } from "./context.ts";
import { digestFileName } from "./digest-name.ts";
import type { Unit } from "./job.ts";

/**
 * Writes `text` to `out/<name>` atomically (a hidden temp file beside it, flushed, then
 * renamed): a crash leaves either no file or the whole file in out/, never half of one.
 */
export function deliverAtomically(home: string, name: string, text: string): string {
  writeFileAtomic(join(home, "out", name), text);
  return join("out", name);
}

/**
 * The first of `name`, `<base>.v2.md`, `<base>.v3.md`, … not yet in `outDir`: a re-run of a
 * slot (`--force`, catch-up) never replaces an earlier digest, whose tick row still points at it.
 * One tick runs at a time in a home (the runner's lock), so the name stays free until the rename.
 */
export function freeDigestName(outDir: string, name: string): string {
  if (!existsSync(join(outDir, name))) return name;
  const base = name.replace(/\.md$/, "");
  for (let v = 2; ; v++) {
    const candidate = `${base}.v${v}.md`;
    if (!existsSync(join(outDir, candidate))) return candidate;
  }
}

/** A slot's digest into out/, atomically, under its name or the next free version of it. */
export function deliverDigest(home: string, wanted: string, text: string): string {
  return deliverAtomically(home, freeDigestName(join(home, "out"), wanted), text);
}

/**
 * The deliver step, the same for every job: the unit's file for the slot into out/, atomically,
 * or its next free version when a re-run finds an earlier one there (kept). Returns its path.
 */
export function deliverStep(t: TickScope, unit: Unit): Promise<string> {
  return t.step("deliver", async (span) => {
    const name = digestFileName(t.ctx.loaded, t.req.slot);
    const path = deliverDigest(t.ctx.home, name, unit.markdown);
    const kept = path.endsWith(`/${name}`) ? {} : { earlier_kept: name };
    span.set({ path, bytes: unit.markdown.length, ...kept, ...unit.attrs });
    return path;
  });
}

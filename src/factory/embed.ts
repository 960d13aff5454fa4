import { readFileSync } from "node:fs";
import { relative, sep } from "node:path";
import { AfkError } from "../core/errors.ts";
import type { LoadedSpec } from "../spec/load.ts";
import { classifyLocation } from "../spec/location.ts";

/** Files a spec reads from its own folder, by path relative to it (posix separators). */
export type EmbeddedFiles = Record<string, string>;

/**
 * Linux caps one argv string at 128 KiB (MAX_ARG_STRLEN) and `bun build --define` takes the value
 * on the command line; stay well under it. Production specs name http(s) feeds, which embed nothing.
 */
export const MAX_DEFINE_BYTES = 120_000;

/**
 * The local files a spec's sources name (url and backup), read from the spec's folder so the
 * binary can recreate them under AFK_HOME: a binary copied alone to a host has no spec/feeds.
 */
export function collectSpecFiles(loaded: LoadedSpec): EmbeddedFiles {
  const files: EmbeddedFiles = {};
  for (const source of loaded.spec.sources) {
    for (const raw of [source.url, source.backup]) {
      if (raw === undefined) continue;
      const where = classifyLocation(raw, loaded.dir);
      if ("code" in where) throw new AfkError("build_failed", `build: source ${source.id}: ${where.message}`);
      if (where.kind !== "file") continue;
      const rel = relative(loaded.dir, where.path).split(sep).join("/");
      try {
        files[rel] = readFileSync(where.path, "utf8");
      } catch (err) {
        throw new AfkError(
          "build_failed",
          `build: source ${source.id}: cannot read ${where.path}: ${(err as Error).message}`,
        );
      }
    }
  }
  return files;
}

/** The `--define` arguments that bake the spec text and its local files into the binary. */
export function defineArgs(loaded: LoadedSpec, files: EmbeddedFiles): string[] {
  const spec = JSON.stringify(loaded.text);
  const filesJson = JSON.stringify(JSON.stringify(files));
  for (const [name, value] of [
    ["spec", spec],
    ["spec's local files", filesJson],
  ] as const) {
    const bytes = Buffer.byteLength(value);
    if (bytes > MAX_DEFINE_BYTES)
      throw new AfkError(
        "build_failed",
        `build: the ${name} take ${bytes} bytes once encoded, over the ${MAX_DEFINE_BYTES}-byte limit of one ` +
          "command-line argument; point large sources at http(s) URLs instead of local files",
      );
  }
  return ["--define", `AFK_EMBEDDED_SPEC=${spec}`, "--define", `AFK_EMBEDDED_FILES=${filesJson}`];
}

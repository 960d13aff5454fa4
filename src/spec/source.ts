import { resolve } from "../core/path-light.ts";

/** Replaced by `afk build` (bun build --define) with the SPEC.md text the binary was built from. */
declare const AFK_EMBEDDED_SPEC: string | undefined;

/** The repo's default spec, found beside the source tree (works from any working directory). */
export const REPO_SPEC_PATH = resolve(import.meta.dir, "../../spec/SPEC.md");

/** Which spec runs, before it is read: a file (as named, and absolute) or the embedded text. */
export type SpecSource = { kind: "file"; file: string; abs: string } | { kind: "embedded"; text: string };

/**
 * `--spec PATH` when given; else the spec embedded at build time (relative sources then resolve
 * against AFK_HOME); else the repo's spec/SPEC.md.
 */
export function specSource(specFlag: string | undefined): SpecSource {
  if (specFlag) return { kind: "file", file: specFlag, abs: resolve(specFlag) };
  if (typeof AFK_EMBEDDED_SPEC === "string") return { kind: "embedded", text: AFK_EMBEDDED_SPEC };
  return { kind: "file", file: REPO_SPEC_PATH, abs: REPO_SPEC_PATH };
}

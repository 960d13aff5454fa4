import { readFileSync } from "node:fs";
import { AfkError } from "../core/errors.ts";

/** A SPEC.md file's text; unreadable → a spec error naming the path as given. */
export function readSpecText(file: string, abs: string): string {
  try {
    return readFileSync(abs, "utf8");
  } catch (err) {
    throw new AfkError("spec_invalid", `spec: cannot read ${file}: ${(err as Error).message}`);
  }
}

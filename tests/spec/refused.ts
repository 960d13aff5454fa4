import { expect } from "bun:test";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/cli/run.ts";
import { testDeps } from "../support/home.ts";

/** Runs `afk tick` on a bad spec: exit 2, the field and its line named, nothing written in `dir`. */
export async function expectSpecRefused(
  dir: string,
  text: string,
  field: string,
  line: number,
  env: Record<string, string> = {},
): Promise<void> {
  const path = join(dir, `bad-${line}-${field.replace(/\W/g, "").slice(0, 40)}.md`);
  writeFileSync(path, text);
  const before = readdirSync(dir).sort();
  const t = testDeps(dir, env);
  const code = await run(["tick", "--spec", path], t.deps);
  expect(code).toBe(2);
  const msg = t.err.join("\n");
  expect(msg).toContain(field);
  expect(msg).toContain(`line ${line}:`);
  expect(readdirSync(dir).sort()).toEqual(before);
  expect(existsSync(join(dir, "ledger.sqlite"))).toBe(false);
}

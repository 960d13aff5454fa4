import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { existsLight, readTextLight } from "../../src/core/fs-light.ts";
import { tempHome } from "../support/home.ts";

const home = tempHome("afk-fs-light-");
afterAll(home.cleanup);

const at = (name: string) => join(home.dir, name);
writeFileSync(at("plain.md"), "---\nname: café — ✓\n---\nprose\n");
writeFileSync(at("bom.md"), "\uFEFF---\nname: x\n---\n");
writeFileSync(at("empty"), "");
writeFileSync(at("latin1"), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])); // not UTF-8: replacement char
mkdirSync(at("dir"));

describe("reads without node:fs", () => {
  test.each(["plain.md", "bom.md", "empty", "latin1"])(
    "readTextLight(%s) is readFileSync(…, 'utf8') to the byte (a byte-order mark kept)",
    (name) => {
      expect(readTextLight(at(name))).toBe(readFileSync(at(name), "utf8"));
    },
  );

  test("readTextLight is null for no file and for a directory", () => {
    expect(readTextLight(at("missing"))).toBeNull();
    expect(readTextLight(at("dir"))).toBeNull();
  });

  test.each(["plain.md", "empty", "dir", "missing", "plain.md/below"])(
    "existsLight(%s) is existsSync's answer",
    (name) => {
      expect(existsLight(at(name))).toBe(existsSync(at(name)));
    },
  );
});

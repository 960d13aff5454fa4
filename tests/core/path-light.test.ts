import { describe, expect, test } from "bun:test";
import * as node from "node:path";
import * as light from "../../src/core/path-light.ts";
import { rng as generator } from "../support/rng.ts";

/** Segments that exercise every branch of the normaliser: empty, `.`, `..`, dot-names and plain names. */
const SEGMENTS = ["", ".", "..", "...", ".a", "a.", "a", "bc", "..b", " "];

function paths(count: number, seed: number): string[] {
  const next = generator(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] as T;
  const out = [
    "",
    "/",
    "//",
    "///",
    ".",
    "..",
    "./",
    "../",
    "a/..",
    "/..",
    "/a/../..",
    "a//b",
    "//a",
    "//a/b",
  ];
  while (out.length < count) {
    const n = 1 + Math.floor(next() * 6);
    const body = Array.from({ length: n }, () => pick(SEGMENTS)).join("/");
    out.push(`${pick(["", "/", "//"])}${body}${pick(["", "/", "//"])}`);
  }
  return out;
}

const CASES = paths(3_000, 18);

describe("path-light is node:path (POSIX) for the paths afk builds", () => {
  test("normalize and dirname agree on every generated path", () => {
    const differ = CASES.filter(
      (p) => light.normalize(p) !== node.normalize(p) || light.dirname(p) !== node.dirname(p),
    );
    expect(differ).toEqual([]);
  });

  test("join agrees on every pair and triple, empty parts included", () => {
    const differ: string[][] = [];
    for (let i = 0; i + 2 < CASES.length; i += 3) {
      const parts = CASES.slice(i, i + 3) as [string, string, string];
      for (const args of [parts, parts.slice(0, 2), parts.slice(1)])
        if (light.join(...args) !== node.join(...args)) differ.push(args);
    }
    expect(light.join()).toBe(node.join());
    expect(differ).toEqual([]);
  });

  test("resolve agrees, relative paths against the working directory", () => {
    const differ: string[][] = [];
    for (let i = 0; i + 1 < CASES.length; i += 2) {
      const args = CASES.slice(i, i + 2);
      if (light.resolve(...args) !== node.resolve(...args)) differ.push(args);
      if (light.resolve(args[0] as string) !== node.resolve(args[0] as string))
        differ.push([args[0] as string]);
    }
    expect(light.resolve()).toBe(process.cwd());
    expect(differ).toEqual([]);
  });

  test("the calls afk makes on its cold paths", () => {
    expect(light.join("/home/afk", ".cache", "afk")).toBe("/home/afk/.cache/afk");
    expect(light.resolve("/srv/app", "../afk.kill")).toBe("/srv/afk.kill");
    expect(light.dirname("/srv/app/SPEC.md")).toBe("/srv/app");
    expect(light.join("/h", light.normalize("feeds/../feeds/./local.xml"))).toBe("/h/feeds/local.xml");
  });
});

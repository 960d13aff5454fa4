import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../src/soak/child.ts";
import { specCacheDir } from "../../src/spec/cache.ts";
import { statusHome, tickAndHook } from "../status/helpers.ts";

/**
 * A cold `afk status` on a spec in Europe/Berlin, its spec cached, answers its wall-clock and slot
 * questions from the cached zone table: no Intl.DateTimeFormat is built (ICU's first one costs a
 * compiled cold start ~7 ms), and it prints what the validating path prints. Each run is a fresh
 * process (a test process has long started ICU), its clock set and all but stopped through
 * AFK_CLOCK_START / AFK_CLOCK_SCALE, its Intl.DateTimeFormat constructions counted by a preload.
 */
const h = statusHome({}, "2026-11-24T07:00:00Z", "Europe/Berlin");
const spy = join(h.home, "intl-spy.ts");
const counted = join(h.home, "intl-count");
afterAll(h.cleanup);

beforeAll(async () => {
  writeFileSync(
    spy,
    [
      'import { writeFileSync } from "node:fs";',
      "let built = 0;",
      "const Real = Intl.DateTimeFormat;",
      "Intl.DateTimeFormat = new Proxy(Real, {",
      "  construct: (t, a) => (built++, Reflect.construct(t, a)),",
      "  apply: (t, self, a) => (built++, Reflect.apply(t, self, a)),",
      "});",
      'process.on("exit", () => writeFileSync(process.env.INTL_COUNT_FILE ?? "", String(built)));',
    ].join("\n"),
  );
  await tickAndHook(h.app("value"));
  h.clock.advance(60 * 60_000);
  await tickAndHook(h.app("empty"));
});

function status(json: boolean): { code: number; out: string; err: string; built: number } {
  rmSync(counted, { force: true });
  const r = Bun.spawnSync(
    [
      process.execPath,
      "--preload",
      spy,
      join(REPO_ROOT, "src", "main.ts"),
      "status",
      "--spec",
      h.specs.value,
      ...(json ? ["--json"] : []),
    ],
    {
      env: {
        ...process.env,
        ...h.deps.env,
        AFK_CLOCK_START: "2026-11-24T08:30:00Z",
        AFK_CLOCK_SCALE: "0.000001",
        INTL_COUNT_FILE: counted,
      },
      cwd: h.home,
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  return {
    code: r.exitCode,
    out: r.stdout.toString(),
    err: r.stderr.toString(),
    built: Number(readFileSync(counted, "utf8")),
  };
}

describe("a cold afk status in a zone other than UTC", () => {
  test.each([false, true])(
    "(json: %p) builds no Intl.DateTimeFormat from a cached spec and prints what the validating path prints",
    (json) => {
      rmSync(specCacheDir(h.home), { recursive: true, force: true });
      const validating = status(json);
      expect(validating.code).toBe(0);
      expect(validating.err).toBe("");
      // the validating path does use ICU (the zone is checked, the slots asked of croner): the spy sees it
      expect(validating.built).toBeGreaterThan(0);
      expect(validating.out).toContain("Europe/Berlin");
      const app = h.app();
      app.db(); // opened for writing, as tick and serve do: the spec and its zone table are cached
      app.close();
      const cold = status(json);
      expect({ ...cold, built: 0 }).toEqual({ ...validating, built: 0 });
      expect(cold.built).toBe(0);
    },
  );
});

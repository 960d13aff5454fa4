import { afterAll, describe, expect, test } from "bun:test";
import { afkChildEnv, runAfk, startAfk } from "../../src/evidence/afk-child.ts";
import { tempHome } from "../support/home.ts";

const home = tempHome("afk-child-");
afterAll(home.cleanup);

/** A stand-in launcher that prints two lines, then waits for a signal (for the signal path). */
const WAITER = [
  process.execPath,
  "-e",
  'console.log("first"); console.log("ready " + process.env.AFK_HOME); setInterval(() => {}, 1000);',
];

describe("one helper starts afk as a child", () => {
  test("the real afk runs to its end in the home it is given: exit code and both streams", async () => {
    const r = await runAfk(["status", "--json"], { home: home.dir, env: { AFK_STATUS_ADDR: "127.0.0.1:0" } });
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toHaveProperty("kill");
  });

  test("a bad environment reaches the child: exit 2 and one line on stderr", async () => {
    const r = await runAfk(["status"], { home: home.dir, env: { AFK_CLOCK_SCALE: "-1" } });
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.out).toBe("");
  });

  test("lines are awaited as they come, and a signal ends the child with 128 + n", async () => {
    const child = startAfk([], { launcher: WAITER, home: home.dir });
    expect(await child.out.waitFor(/^ready /)).toBe(`ready ${home.dir}`);
    expect(child.exitCode).toBeNull();
    child.kill("SIGTERM");
    expect(await child.exited).toBe(143);
    expect(child.exitCode).toBe(143);
    expect(child.out.lines).toEqual(["first", `ready ${home.dir}`]);
  });

  test("waiting for a line that never comes fails once the stream ends, naming the pattern", async () => {
    const child = startAfk([], { launcher: [process.execPath, "-e", 'console.log("only")'] });
    await expect(child.out.waitFor(/^never/)).rejects.toThrow(
      "stdout ended without line 1 matching /^never/",
    );
    expect(await child.out.waitFor(/^only$/)).toBe("only");
    expect(await child.exited).toBe(0);
  });

  test("with a home the child sees only PATH, HOME, AFK_HOME, AFK_KILL_FLAG and what is passed", () => {
    const env = afkChildEnv({ home: "/h", env: { X: "1", HOME: "/other", DROP: undefined } });
    expect(Object.keys(env).sort()).toEqual(["AFK_HOME", "AFK_KILL_FLAG", "HOME", "PATH", "X"]);
    expect(env).toMatchObject({ HOME: "/other", AFK_HOME: "/h", AFK_KILL_FLAG: "/h/afk.kill" });
    expect(afkChildEnv({ env: { ONLY: "this" } })).toEqual({ ONLY: "this" });
  });
});

import { afterAll, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { runAfk } from "../../src/evidence/afk-child.ts";
import { tempHome } from "../support/home.ts";

const home = tempHome();
afterAll(home.cleanup);

test("serve refuses to start, writing nothing, when asked to bind beyond loopback with no token", async () => {
  const { code, err } = await runAfk(["serve"], {
    env: {
      ...process.env,
      AFK_HOME: home.dir,
      AFK_KILL_FLAG: join(home.dir, "afk.kill"),
      AFK_STATUS_ADDR: "0.0.0.0:0",
      AFK_STATUS_TOKEN: "",
    },
  });
  expect(code).toBe(2);
  expect(err).toContain("refusing to bind 0.0.0.0:0 beyond loopback without AFK_STATUS_TOKEN");
  expect(readdirSync(home.dir)).toEqual([]);
});

import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase } from "../../src/ledger/db.ts";
import { REPO, tempHome } from "../support/home.ts";

const home = tempHome();
afterAll(home.cleanup);

test("eight processes opening one fresh ledger at once migrate it exactly once, and none fails", async () => {
  const path = join(home.dir, "ledger.sqlite");
  const script = `import { openDatabase } from ${JSON.stringify(join(REPO, "src/ledger/db.ts"))}; openDatabase(process.env.LEDGER_PATH ?? "").close();`;
  const kids = Array.from({ length: 8 }, () =>
    Bun.spawn(["bun", "-e", script], {
      env: { ...process.env, LEDGER_PATH: path },
      stdout: "ignore",
      stderr: "pipe",
    }),
  );
  const codes = await Promise.all(kids.map((k) => k.exited));
  const errors = await Promise.all(kids.map((k) => new Response(k.stderr).text()));
  expect({ codes, errors: errors.filter(Boolean) }).toEqual({ codes: Array(8).fill(0), errors: [] });
  const db = openDatabase(path);
  try {
    const ids = db
      .query<{ id: string }, []>("SELECT id FROM schema_migrations ORDER BY id")
      .all()
      .map((r) => r.id);
    expect(ids).toContain("core-001");
    expect(new Set(ids).size).toBe(ids.length);
  } finally {
    db.close();
  }
});

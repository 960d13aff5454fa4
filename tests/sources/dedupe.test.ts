import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase } from "../../src/ledger/db.ts";
import { pruneDelivered, readSourceHealth } from "../../src/sources/index.ts";
import { tempDir } from "./helpers.ts";

describe("pruneDelivered", () => {
  test("deletes delivered identities older than the retention window and keeps the rest", () => {
    const db = openDatabase(join(tempDir(), "ledger.sqlite"));
    const insert = db.prepare(
      "INSERT INTO delivered_items (identity, tick_id, delivered_at) VALUES (?, ?, ?)",
    );
    insert.run("old", "t1", "2026-08-01T07:00:00.000Z");
    insert.run("edge", "t2", "2026-08-26T07:00:00.000Z");
    insert.run("new", "t3", "2026-11-20T07:00:00.000Z");
    const now = new Date("2026-11-24T07:00:00.000Z");
    expect(pruneDelivered(db, now)).toBe(1);
    const left = db
      .query<{ identity: string }, []>("SELECT identity FROM delivered_items ORDER BY identity")
      .all();
    expect(left.map((r) => r.identity)).toEqual(["edge", "new"]);
    expect(pruneDelivered(db, now, 7)).toBe(1);
    expect(pruneDelivered(db, now, 0)).toBe(1);
    expect(() => pruneDelivered(db, now, -1)).toThrow(RangeError);
  });

  test("the sources migration runs with the whole ledger and starts with no health rows", () => {
    const db = openDatabase(join(tempDir(), "ledger.sqlite"));
    expect(readSourceHealth(db)).toEqual([]);
    const ids = db
      .query<{ id: string }, []>("SELECT id FROM schema_migrations WHERE id LIKE 'sources-%'")
      .all();
    expect(ids.map((r) => r.id)).toEqual(["sources-001"]);
  });
});

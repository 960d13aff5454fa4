import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { SRC, sourceFiles } from "./source-files.ts";

/**
 * The `calls` table has one owner: `src/models/calls.ts` writes and reads its rows. The schema
 * (`src/ledger/schema/`) creates it, its views and triggers. Everyone else reads spend through
 * the `call_spend` view or the owner's functions.
 */
const OWNERS = ["models/calls.ts"];
const SCHEMA = "ledger/schema/";

/** SQL that names the `calls` table: a read, a write or a join (not `call_spend`, not `calls_day`). */
export function namesCallsTable(text: string): boolean {
  return /\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+calls\b(?!_)/i.test(text);
}

describe("one owner of the calls table", () => {
  test("the checker sees a read, a join, an insert and an update, and leaves the view and the indexes alone", () => {
    expect(namesCallsTable("SELECT day FROM calls WHERE x")).toBe(true);
    expect(namesCallsTable("FROM ticks t JOIN calls c ON c.tick_id = t.id")).toBe(true);
    expect(namesCallsTable("INSERT INTO calls (tick_id) VALUES (?)")).toBe(true);
    expect(namesCallsTable("UPDATE calls SET outcome = ?")).toBe(true);
    expect(namesCallsTable("SELECT sum(spend_micros) FROM call_spend WHERE day = ?")).toBe(false);
    expect(namesCallsTable("SELECT * FROM calls_archive")).toBe(false);
    expect(namesCallsTable("/** the day's model calls, free and paid */")).toBe(false);
  });

  test("no SQL on calls outside models/calls.ts and the ledger's schema", () => {
    const outside = sourceFiles(SRC)
      .map((f) => relative(SRC, f))
      .filter((f) => !OWNERS.includes(f) && !f.startsWith(SCHEMA))
      .filter((f) => namesCallsTable(readFileSync(join(SRC, f), "utf8")));
    expect(outside).toEqual([]);
  });
});

import { expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { deliveryId } from "../../src/deliver/ids.ts";

test("delivery ids are the sha256 prefix they always were (rows in the field keep their ids)", () => {
  for (const [spec, slot, sink] of [
    ["digest", "2026-03-01T07:00:00.000Z", "chat"],
    ["a b", "2026-12-31T23:59:00.000Z", "mail-1"],
    ["ünïcode", "", "x"],
  ] as const) {
    const was = createHash("sha256").update(`${spec}\n${slot}\n${sink}`).digest("hex").slice(0, 32);
    expect(deliveryId(spec, slot, sink)).toBe(`afk-${was}`);
  }
});

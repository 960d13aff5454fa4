import { describe, expect, test } from "bun:test";
import { zonedParts } from "../../src/core/clock.ts";
import { loadSpecFile } from "../../src/spec/load.ts";
import { REPO_SPEC_PATH } from "../../src/spec/resolve.ts";
import { latestSlot, nextSlot, slotsBetween } from "../../src/spec/slots.ts";

/** UTC skips Intl (ICU's cold start); Etc/UTC takes the Intl path, so the two must agree. */

const base = loadSpecFile(REPO_SPEC_PATH).spec;
const instants = [
  "2026-01-01T00:00:00.000Z",
  "2026-03-29T00:59:59.999Z",
  "2026-03-29T01:00:00.000Z",
  "2026-06-30T23:59:30.000Z",
  "2026-10-25T07:00:00.000Z",
  "2026-12-31T23:59:59.999Z",
  "2028-02-29T12:34:56.000Z",
].map((s) => new Date(s));

describe("the UTC fast path", () => {
  test.each(instants.map((d) => [d.toISOString(), d] as const))(
    "zonedParts(%s) in UTC is what Intl gives for Etc/UTC",
    (_, at) => {
      expect(zonedParts(at, "UTC")).toEqual(zonedParts(at, "Etc/UTC"));
    },
  );

  test.each(["0 7 * * *", "*/5 * * * *", "30 23 * * 1-5", "0 0 1 * *", "0 12 29 2 *", "15 */3 * * *"])(
    "cadence %s: next, latest and in-between slots match Etc/UTC's",
    (cadence) => {
      const utc = { ...base, cadence, timezone: "UTC" };
      const etc = { ...base, cadence, timezone: "Etc/UTC" };
      for (const at of instants) {
        expect(nextSlot(utc, at)).toEqual(nextSlot(etc, at));
        expect(latestSlot(utc, at)).toEqual(latestSlot(etc, at));
      }
      const [from, to] = [new Date("2026-01-01T00:00:00Z"), new Date("2028-03-01T00:00:00Z")];
      const slots = slotsBetween(utc, from, to, 300);
      expect(slots.length).toBeGreaterThan(0);
      expect(slots).toEqual(slotsBetween(etc, from, to, 300));
    },
  );
});

import { expect, test } from "bun:test";
import { runSlots } from "../../src/soak/invariants.ts";
import { soakJobSpecText, soakSpecText } from "../../src/soak/spec.ts";
import { parseSpec } from "../../src/spec/load.ts";

const input = {
  cadence: "0 * * * *",
  feedUrl: (id: string) => `http://127.0.0.1:9/feed/${id}`,
  paidBaseUrl: "http://127.0.0.1:9/v1",
};
const parse = (text: string) => parseSpec(text, "SPEC.md", "file:SPEC.md", import.meta.dir).spec;

test("a run accounts for the digest's hourly slots, and inside a job period for the job spec's two-hourly ones instead", () => {
  const slots = runSlots({
    spec: parse(soakSpecText(input)),
    firstSlot: new Date("2026-03-02T22:00:00Z"),
    lastSlot: new Date("2026-03-03T07:00:00Z"),
    jobPeriods: [
      {
        from: new Date("2026-03-03T00:40:00Z"),
        to: new Date("2026-03-03T04:40:00Z"),
        spec: parse(soakJobSpecText(input)),
      },
    ],
  });
  expect(slots.map((s) => s.slice(11, 16))).toEqual([
    "22:00",
    "23:00",
    "00:00",
    "02:00",
    "04:00",
    "05:00",
    "06:00",
    "07:00",
  ]);
});

import { afterAll, describe, expect, test } from "bun:test";
import { run } from "../../src/cli/run.ts";
import { createStatusApp } from "../../src/status/app.tsx";
import type { StatusSnapshot } from "../../src/status/snapshot-view.ts";
import { VERDICTS } from "../../src/status/snapshot-view.ts";
import { SCENARIOS, type Scenario } from "./scenarios.ts";

const built = new Map<string, Scenario>();
afterAll(async () => {
  for (const s of built.values()) await s.cleanup();
});

/** The glance test without a browser: one verdict, rendered the same by the JSON, the CLI and /metrics. */
describe("one verdict, everywhere", () => {
  test.each([...VERDICTS])(
    "%s: /status.json, afk status and /metrics agree",
    async (verdict) => {
      const s = await SCENARIOS[verdict]();
      built.set(verdict, s);
      const web = createStatusApp({ app: s.app, handle: s.handle });
      const json = (await (await web.request("/status.json")).json()) as StatusSnapshot;
      expect(json.verdict.verdict).toBe(verdict);

      const metrics = await (await web.request("/metrics")).text();
      expect(metrics).toContain(`afk_verdict{verdict="${verdict}"} 1`);
      for (const other of VERDICTS.filter((v) => v !== verdict))
        expect(metrics).toContain(`afk_verdict{verdict="${other}"} 0`);

      const out: string[] = [];
      const deps = { ...s.app.deps, print: (l: string) => out.push(l) };
      expect(await run(["status", "--spec", s.app.loaded.origin.replace(/^file:/, "")], deps)).toBe(0);
      const cli = s.cli ?? verdict;
      expect(out[0]).toStartWith(`${cli} — `);
      if (cli === verdict) {
        expect(out[0]).toContain(json.verdict.reasons[0]?.text ?? "last digest 3 min ago");
        for (const words of s.says) expect(out.join("\n")).toContain(words);
      }
    },
    60_000,
  );
});

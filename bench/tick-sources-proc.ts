/**
 * The 100-source tick figures in a process of their own: `bun bench/tick-sources-proc.ts DIR`
 * prints them as one JSON line. `bun run bench` runs the figures before them in its own process
 * (10,000 ticks' worth of child output, a 1M-row ledger), and a tick measured there pays for that
 * heap's collections: source_cpu_ms read 0.44 in a full run against 0.29–0.36 alone. A serve's tick
 * carries no such heap, so the figure is measured as it would be.
 */
import { benchTickSources } from "./tick-sources.ts";

const dir = process.argv[2];
if (!dir) throw new Error("usage: bun bench/tick-sources-proc.ts DIR");
process.stdout.write(`${JSON.stringify(await benchTickSources(dir))}\n`);

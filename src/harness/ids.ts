/** Tick ids sort by time and stay unique across processes: `t<yyyymmddhhmmss>-<random>`. */
export function newTickId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return `t${stamp}-${crypto.randomUUID().slice(0, 8)}`;
}

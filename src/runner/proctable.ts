/**
 * The live processes, read with `ps` (kill-test's evidence that nothing outlives the runner).
 * Zombies are left out: they have exited and only wait for their parent (or init) to reap them.
 */
export function processTable(): Map<number, { ppid: number; cmd: string }> {
  const out = Bun.spawnSync(["ps", "-e", "-o", "pid=,ppid=,stat=,args="]).stdout.toString();
  const table = new Map<number, { ppid: number; cmd: string }>();
  for (const line of out.split("\n")) {
    const m = line.trim().match(/^(\d+)\s+(\d+)\s+(\S+)\s*(.*)$/);
    if (m && !m[3]?.startsWith("Z")) table.set(Number(m[1]), { ppid: Number(m[2]), cmd: m[4] ?? "" });
  }
  return table;
}

/** `pid` and every process below it. */
export function processTree(pid: number, table = processTable()): number[] {
  const out = table.has(pid) ? [pid] : [];
  for (let i = 0; i < out.length; i++)
    for (const [p, row] of table) if (row.ppid === out[i] && !out.includes(p)) out.push(p);
  return out;
}

/** Those of `pids` still in the process table. */
export function stillListed(pids: readonly number[], table = processTable()): number[] {
  return pids.filter((p) => table.has(p));
}

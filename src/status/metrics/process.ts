import { readdirSync, readFileSync } from "node:fs";
import { counter, gauge, type MetricFamily } from "./expose.ts";

/** Open file descriptors and their limit, from /proc (Linux); null where there is no /proc. */
function fds(): { open: number; max: number | null } | null {
  try {
    // the listing's own directory handle is among the entries
    const open = readdirSync("/proc/self/fd").length - 1;
    const limit = readFileSync("/proc/self/limits", "utf8").match(/^Max open files\s+(\d+)/m)?.[1];
    return { open, max: limit ? Number(limit) : null };
  } catch {
    return null;
  }
}

/**
 * The standard process families (the names every Prometheus client uses), read live at each
 * scrape: memory and file descriptors are what a long unattended run leaks first.
 */
export function processFamilies(): MetricFamily[] {
  const cpu = process.cpuUsage();
  const fd = fds();
  return [
    gauge("process_resident_memory_bytes", "Resident memory size in bytes.", [
      { value: process.memoryUsage.rss() },
    ]),
    gauge("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds.", [
      { value: Math.floor(performance.timeOrigin / 1000) },
    ]),
    counter("process_cpu_seconds_total", "User and system CPU time spent, in seconds.", [
      { value: (cpu.user + cpu.system) / 1e6 },
    ]),
    ...(fd
      ? [
          gauge("process_open_fds", "Open file descriptors.", [{ value: fd.open }]),
          ...(fd.max !== null
            ? [gauge("process_max_fds", "Limit on open file descriptors.", [{ value: fd.max }])]
            : []),
        ]
      : []),
  ];
}

/**
 * The process's clocks a step reads: its CPU time (every thread) and the
 * load average. In the base layer: the sweep and the inline step both read them.
 *
 * @module
 */
import process from "node:process";

/** The 1-minute load average, when the program may read it (`--allow-sys=loadavg`). */
export function loadAverageNow(): number | undefined {
  if (Deno.permissions.querySync({ name: "sys", kind: "loadavg" }).state !== "granted") {
    return undefined;
  }
  return Deno.loadavg()[0];
}

/** The process's CPU time so far (every thread), when it can be read. */
function cpuUsageNow(): { user: number; system: number } | undefined {
  try {
    return process.cpuUsage();
  } catch {
    return undefined;
  }
}

/**
 * Starts reading the process's CPU time (every thread, user + system).
 *
 * @returns A function giving the CPU seconds used since, or `undefined` when they cannot be read.
 */
export function startCpuClock(): () => number | undefined {
  const before = cpuUsageNow();
  return () => {
    const after = cpuUsageNow();
    return before && after
      ? (after.user - before.user + after.system - before.system) / 1e6
      : undefined;
  };
}

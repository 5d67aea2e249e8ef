// deno-lint-ignore-file no-console
// How promptly the WASM Chudnovsky kernel can be cancelled: the gaps between two of its
// cancellation polls (host.shouldStop(), through PiKernel's shouldStop option), measured with
// performance.now() over one whole computation per size. Cancellation waits at most one gap, so
// the largest gap is the promptness; the target is a poll at least every ~10 ms of work.
// On a loaded machine a wall-clock gap also holds the time the thread was not scheduled, so each
// gap is also measured in CPU time (process.cpuUsage(): user + system, of the whole process, whose
// only busy thread is this one): that is the work between two polls.
//
// Run: deno run -A bench/pi_poll_gaps.ts [sizes...]   (default 1000000 10000000)
// Prints one line per size, then one line of JSON with the Deno version, CPU count, load average
// (before and after) and the WASM build's SHA-256.
import { cpuUsage } from "node:process";
import { loadPiModule, PiKernel } from "../src/pi/mod.ts";
import { benchEnvironment } from "./_environment.ts";

const sizes = Deno.args.map(Number);
if (sizes.length === 0) sizes.push(1_000_000, 10_000_000);
const loadBefore = Deno.loadavg();
const piModule = await loadPiModule();

interface Row {
  digits: number;
  totalMs: number;
  polls: number;
  maxGapMs: number;
  p99GapMs: number;
  medianGapMs: number;
  maxCpuGapMs: number;
  p99CpuGapMs: number;
  wasmMemoryMiB: number;
}

const rows: Row[] = [];
for (const digits of sizes) {
  const kernel = new PiKernel(piModule);
  for (let i = 0; i < 5; i++) kernel.compute(10_000); // let V8 optimise the hot functions first
  const gaps: number[] = [];
  const cpuGaps: number[] = [];
  const cpuMs = () => {
    const { user, system } = cpuUsage();
    return (user + system) / 1000;
  };
  const start = performance.now();
  let last = start;
  let lastCpu = cpuMs();
  kernel.compute(digits, {
    shouldStop: () => {
      const now = performance.now();
      const nowCpu = cpuMs();
      gaps.push(now - last);
      cpuGaps.push(nowCpu - lastCpu);
      last = now;
      lastCpu = nowCpu;
      return false;
    },
  });
  const end = performance.now();
  gaps.push(end - last);
  cpuGaps.push(cpuMs() - lastCpu);
  gaps.sort((a, b) => a - b);
  cpuGaps.sort((a, b) => a - b);
  const quantile = (sorted: number[], fraction: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
  const at = (fraction: number) => quantile(gaps, fraction);
  const row: Row = {
    digits,
    totalMs: end - start,
    polls: gaps.length - 1,
    maxGapMs: gaps[gaps.length - 1],
    p99GapMs: at(0.99),
    medianGapMs: at(0.5),
    maxCpuGapMs: cpuGaps[cpuGaps.length - 1],
    p99CpuGapMs: quantile(cpuGaps, 0.99),
    wasmMemoryMiB: kernel.memoryBytes / 2 ** 20,
  };
  rows.push(row);
  console.log(
    [
      `${digits.toLocaleString("en-US").padStart(10)} digits`,
      `${row.totalMs.toFixed(0)} ms`,
      `${row.polls} polls`,
      `wall gap max ${row.maxGapMs.toFixed(1)} ms`,
      `p99 ${row.p99GapMs.toFixed(2)} ms`,
      `median ${row.medianGapMs.toFixed(3)} ms`,
      `CPU gap max ${row.maxCpuGapMs.toFixed(1)} ms`,
      `p99 ${row.p99CpuGapMs.toFixed(2)} ms`,
      `${row.wasmMemoryMiB.toFixed(0)} MiB`,
    ].join(" | "),
  );
}

console.log(JSON.stringify({ ...await benchEnvironment(loadBefore), rows }));

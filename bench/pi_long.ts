// deno-lint-ignore-file no-console
// The pi kernels at long sizes, side by side in one process: WASM Chudnovsky, V8 BigInt
// Chudnovsky (to 1,000,000 digits), WASM Machin (to --machin-max, default 100,000: it is O(n²),
// 1,000,000 digits take about a minute) and a native GMP Chudnovsky anchor when gcc and GMP are
// available (bench/gmp_chudnovsky.c, compiled into a temp dir; skipped with a message otherwise).
//
// Run: deno run -A bench/pi_long.ts [sizes...] [--machin-max=N] [--repeats=N]
// Default sizes 10000 100000 1000000 10000000. Times are medians of 15 runs at 10,000 digits and
// below, 7 to 100,000, 3 to 1,000,000 and 1 above (--repeats=N sets one count for all; Machin
// gets 1 from 1,000,000), after warm-up runs of every kernel, so that V8 has tiered the WASM and
// the BigInt code up before the clock starts. WASM and BigInt runs alternate.
// Prints a table, then one line of JSON with the Deno version, CPU count, load average (before
// and after) and the WASM build's SHA-256, so runs can be compared later.
import { loadPiModule, MachinKernel, piDigitsBigInt, PiKernel } from "../src/pi/mod.ts";
import { benchEnvironment } from "./_environment.ts";

const flags = new Map<string, string>();
const sizes: number[] = [];
for (const arg of Deno.args) {
  const match = /^--([a-z-]+)=(.*)$/.exec(arg);
  if (match) flags.set(match[1], match[2]);
  else sizes.push(Number(arg));
}
if (sizes.length === 0) sizes.push(10_000, 100_000, 1_000_000, 10_000_000);
const machinMax = Number(flags.get("machin-max") ?? 100_000);
const repeatsFlag = flags.get("repeats");
/** How many timed runs a size gets. */
function repeatsFor(digits: number): number {
  if (repeatsFlag !== undefined) return Number(repeatsFlag);
  return digits <= 10_000 ? 15 : digits <= 100_000 ? 7 : digits <= 1_000_000 ? 3 : 1;
}
/** Untimed runs before the timed ones: enough calls for V8 to optimise the hot functions. */
const WARM_UP_RUNS = 5;
const loadBefore = Deno.loadavg();
const BIGINT_MAX = 1_000_000;
const GMP_MAX = 10_000_000;

const piModule = await loadPiModule();

/** The median of `repeats` timed runs of `fn`, in milliseconds, and the last result. */
function timeMs<T>(repeats: number, fn: () => T): { ms: number; result: T } {
  return timeAlternating(repeats, [fn])[0];
}

/**
 * The median times of `repeats` rounds that each run every function once, in turn: a change in
 * the machine's load during the rounds then weighs on all of them alike, so their ratios stay
 * fair on a shared machine.
 */
function timeAlternating<T>(
  repeats: number,
  fns: (() => T)[],
): { ms: number; result: T }[] {
  const times = fns.map((): number[] => []);
  const results: T[] = [];
  for (let i = 0; i < repeats; i++) {
    fns.forEach((fn, k) => {
      const start = performance.now();
      results[k] = fn();
      times[k].push(performance.now() - start);
    });
  }
  return times.map((list, k) => {
    list.sort((a, b) => a - b);
    return { ms: list[Math.floor(list.length / 2)], result: results[k] };
  });
}

/** Compiles the GMP anchor, or says why not. */
async function compileGmp(): Promise<string | { skipped: string }> {
  const dir = await Deno.makeTempDir({ prefix: "pi_gmp_" });
  // Removed when the bench exits, whether the anchor compiled or not.
  globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
  const source = new URL("./gmp_chudnovsky.c", import.meta.url).pathname;
  try {
    const { code, stderr } = await new Deno.Command("gcc", {
      args: ["-O2", "-o", `${dir}/gmp_chudnovsky`, source, "-lgmp"],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (code !== 0) {
      return {
        skipped: `gcc failed (is libgmp-dev installed?): ${new TextDecoder().decode(stderr)}`,
      };
    }
    return `${dir}/gmp_chudnovsky`;
  } catch (error) {
    return { skipped: `no gcc: ${(error as Error).message}` };
  }
}

/** Runs the GMP anchor once: its own timing (computation and decimal text) and last decimals. */
async function runGmp(binary: string, digits: number): Promise<{ ms: number; tail: string }> {
  const { stdout } = await new Deno.Command(binary, { args: [String(digits)] }).output();
  const [, ms, tail] = new TextDecoder().decode(stdout).trim().split(" ");
  return { ms: Number(ms), tail };
}

const gmp = await compileGmp();
if (typeof gmp !== "string") console.log(`GMP anchor skipped: ${gmp.skipped}`);

interface Row {
  digits: number;
  wasmMs: number;
  wasmMemoryMiB: number;
  bigintMs?: number;
  machinMs?: number;
  gmpMs?: number;
  wasmOverBigInt?: number;
  wasmOverGmp?: number;
  agree: boolean;
}

const rows: Row[] = [];
for (const digits of sizes) {
  const repeats = repeatsFor(digits);
  // A fresh kernel per size, so that its memory is this size's high-water mark.
  const kernel = new PiKernel(piModule);
  for (let i = 0; i < WARM_UP_RUNS; i++) kernel.compute(Math.min(digits, 10_000));
  const withBigInt = digits <= BIGINT_MAX;
  if (withBigInt) {
    for (let i = 0; i < WARM_UP_RUNS; i++) piDigitsBigInt(Math.min(digits, 10_000));
  }
  // WASM and BigInt in alternation: their ratio is the bench's main figure.
  const [wasm, bigint] = timeAlternating(
    repeats,
    withBigInt
      ? [() => kernel.compute(digits), () => piDigitsBigInt(digits)]
      : [() => kernel.compute(digits)],
  );
  const tail = wasm.result.slice(-10);
  const row: Row = {
    digits,
    wasmMs: wasm.ms,
    wasmMemoryMiB: kernel.memoryBytes / 2 ** 20,
    agree: true,
  };
  if (bigint) {
    row.bigintMs = bigint.ms;
    row.wasmOverBigInt = wasm.ms / bigint.ms;
    row.agree &&= bigint.result === wasm.result;
  }
  if (digits <= machinMax) {
    const machin = new MachinKernel(piModule);
    // O(n²): a minute at 1,000,000 digits, so one run there.
    const result = timeMs(digits >= 1_000_000 ? 1 : repeats, () => machin.compute(digits));
    row.machinMs = result.ms;
    row.agree &&= result.result === wasm.result;
  }
  if (typeof gmp === "string" && digits <= GMP_MAX) {
    const runs: { ms: number; tail: string }[] = [];
    for (let i = 0; i < repeats; i++) runs.push(await runGmp(gmp, digits));
    runs.sort((a, b) => a.ms - b.ms);
    const median = runs[Math.floor(runs.length / 2)];
    row.gmpMs = median.ms;
    row.wasmOverGmp = wasm.ms / median.ms;
    row.agree &&= median.tail === tail;
  }
  rows.push(row);
  const cell = (ms?: number) => ms === undefined ? "-" : `${ms.toFixed(1)} ms`;
  console.log(
    [
      `${digits.toLocaleString("en-US").padStart(10)} digits`,
      `WASM Chudnovsky ${cell(row.wasmMs)} (${row.wasmMemoryMiB.toFixed(0)} MiB)`,
      `BigInt ${cell(row.bigintMs)}`,
      `Machin ${cell(row.machinMs)}`,
      `GMP ${cell(row.gmpMs)}`,
      `WASM/BigInt ${row.wasmOverBigInt?.toFixed(2) ?? "-"}`,
      `WASM/GMP ${row.wasmOverGmp?.toFixed(2) ?? "-"}`,
      row.agree ? "digits agree" : "DIGITS DIFFER",
    ].join(" | "),
  );
}

console.log(JSON.stringify({ ...await benchEnvironment(loadBefore), rows }));
if (rows.some((row) => !row.agree)) Deno.exitCode = 1;

// The WASM pi kernels against the TypeScript BigInt Chudnovsky reference, and the price of one
// call into the kernel. Run: deno bench -A bench/pi_bench.ts (about 30 s). Each group prints the
// kernels' times relative to the BigInt baseline (the issue's targets: Chudnovsky WASM / BigInt
// <= 1.0 at 10,000 digits and <= 0.5 at 100,000). Longer sizes: deno run -A bench/pi_long.ts.
import { loadPiModule, MachinKernel, piDigitsBigInt, PiKernel } from "../src/pi/mod.ts";
import { SIZES } from "./_params.ts";

const piModule = await loadPiModule();
const kernel = new PiKernel(piModule);
const machin = new MachinKernel(piModule);
const digitCounts = SIZES.piBenchDigitCounts;

for (const digits of digitCounts) {
  const group = `pi ${digits.toLocaleString("en-US")} digits`;
  // The big sizes take ~0.1–0.5 s an iteration: a fixed count keeps the file around half a minute.
  const iterations = SIZES.piBenchIterations ?? (digits >= 50_000 ? { n: 10, warmup: 2 } : {});
  Deno.bench({
    name: "TypeScript BigInt Chudnovsky",
    group,
    baseline: true,
    ...iterations,
    fn: () => {
      piDigitsBigInt(digits);
    },
  });
  Deno.bench({
    name: "WASM Chudnovsky (NTT)",
    group,
    ...iterations,
    fn: () => {
      kernel.compute(digits);
    },
  });
  Deno.bench({
    name: "WASM f64x2 Machin",
    group,
    ...iterations,
    fn: () => {
      machin.compute(digits);
    },
  });
}

// Prices one JavaScript-to-WASM call (through the facade's method, as callers make it); an
// empty JavaScript function is no baseline here, since V8 inlines it away.
Deno.bench({
  name: "empty WASM export",
  group: "interop",
  ...SIZES.piBenchIterations,
  fn: () => {
    kernel.noop();
  },
});

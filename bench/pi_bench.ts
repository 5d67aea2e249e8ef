// WASM Machin kernel against the TypeScript BigInt Chudnovsky reference, and the price of one
// call into the kernel. Run: deno bench -A bench/pi_bench.ts (about 10 s).
import { loadPiModule, piDigitsBigInt, PiKernel } from "../mod.ts";
import { SIZES } from "./_params.ts";

const kernel = new PiKernel(await loadPiModule());
const digitCounts = SIZES.piBenchDigitCounts;

for (const digits of digitCounts) {
  const group = `pi ${digits.toLocaleString("en-US")} digits`;
  // The big sizes take ~0.1 s an iteration: a fixed count keeps the file well under a minute.
  const iterations = SIZES.piBenchIterations ?? (digits >= 50_000 ? { n: 20, warmup: 3 } : {});
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
    name: "WASM f64x2 Machin",
    group,
    ...iterations,
    fn: () => {
      kernel.compute(digits);
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

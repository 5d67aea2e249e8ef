import assert from "node:assert/strict";
import { JobCancelledError } from "../mod.ts";
import { piDigitsBigInt } from "../src/pi/mod.ts";
import {
  loadPiModule,
  MACHIN_DIGITS_MAX,
  MachinKernel,
  PI_DIGITS_MAX,
  PI_DIGITS_MIN,
  piDigits,
  PiKernel,
} from "../src/pi/mod.ts";
import { PI_1000_DECIMALS } from "./fixtures/pi_1000_digits.ts";

/** A third, deliberately plain computation: Machin's formula on BigInt, one term at a time. */
function machinBigInt(digits: number): string {
  const scale = 10n ** BigInt(digits + 10);
  const arctanInverse = (x: bigint) => {
    let sum = 0n;
    let power = scale / x;
    for (let k = 0n; power > 0n; k++) {
      sum += (k % 2n === 0n ? power : -power) / (2n * k + 1n);
      power /= x * x;
    }
    return sum;
  };
  const text = (16n * arctanInverse(5n) - 4n * arctanInverse(239n)).toString();
  return `${text[0]}.${text.slice(1, digits + 1)}`;
}

Deno.test("the 1,000-digit fixture matches BigInt Machin and BigInt Chudnovsky", () => {
  assert.equal(PI_1000_DECIMALS.length, 1000);
  assert.match(PI_1000_DECIMALS, /^\d+$/);
  assert.equal(machinBigInt(1000), `3.${PI_1000_DECIMALS}`);
  assert.equal(piDigitsBigInt(1000), `3.${PI_1000_DECIMALS}`);
});

Deno.test("piDigits() returns 1,000 known digits", () => {
  assert.equal(piDigits(1000), `3.${PI_1000_DECIMALS}`);
});

Deno.test("piDigits() truncates rather than rounds", () => {
  // The decimals after 3.1415 are 9265...; after 3.14159265358979 comes 3.
  assert.equal(piDigits(4), "3.1415");
  assert.equal(piDigitsBigInt(4), "3.1415");
  // The Feynman point: six 9s from decimal 762 on, followed by 8.
  assert.equal(piDigits(767).slice(-7), "4999999");
  assert.equal(piDigitsBigInt(767).slice(-7), "4999999");
});

Deno.test("piDigits() is exact at small sizes and around every limb boundary", () => {
  // Nine decimals per limb: check each size around a limb edge, and the first sizes.
  const sizes = new Set([1, 2, 3, 8, 9, 10, 11]);
  for (const limbs of [2, 3, 4, 10, 11, 50, 84, 85, 111]) {
    for (const delta of [-1, 0, 1]) sizes.add(9 * limbs + delta);
  }
  for (const digits of sizes) {
    assert.equal(piDigits(digits), `3.${PI_1000_DECIMALS.slice(0, digits)}`, `${digits} digits`);
  }
});

Deno.test("piDigits() matches the BigInt Chudnovsky reference at 20,000 digits", () => {
  const reference = piDigitsBigInt(20_000);
  assert.equal(piDigits(20_000), reference);
  for (const digits of [8_999, 9_000, 9_001, 19_998]) {
    assert.equal(piDigits(digits), reference.slice(0, 2 + digits), `${digits} digits`);
  }
});

Deno.test("MachinKernel.compute() matches the reference where the kernel switches from paired to single terms", () => {
  // The paired arctan(1/5) kernel hands over to the single-term kernel at term 320,000, once its
  // divisor 25·(2k+15) passes 16e6: that term lies about 447,330 decimals down. About 10 s.
  const digits = 450_000;
  assert.equal(new MachinKernel(piModuleForTests).compute(digits), piDigitsBigInt(digits));
});

Deno.test("MachinKernel.compute() returns the same digits as piDigits()", () => {
  const kernel = new MachinKernel(piModuleForTests);
  assert.equal(kernel.compute(1000), `3.${PI_1000_DECIMALS}`);
  assert.equal(kernel.compute(767).slice(-7), "4999999");
  for (const digits of [1, 9, 10, 8_999, 20_000]) {
    assert.equal(kernel.compute(digits), piDigits(digits), `${digits} digits`);
  }
});

Deno.test("piDigits() rejects digit counts that are not integers from 1 to 10,000,000", () => {
  assert.equal(PI_DIGITS_MIN, 1);
  assert.equal(PI_DIGITS_MAX, 10_000_000);
  assert.throws(() => piDigits(0), {
    name: "RangeError",
    message: "Cannot compute pi: digits must be an integer from 1 to 10000000, received 0",
  });
  const kernel = new PiKernel(piModuleForTests);
  for (const digits of [0, -1, 1.5, PI_DIGITS_MAX + 1, Number.NaN, Infinity]) {
    assert.throws(() => piDigits(digits), RangeError, `piDigits(${digits})`);
    assert.throws(() => kernel.compute(digits), RangeError, `compute(${digits})`);
  }
});

Deno.test("MachinKernel.compute() and piDigitsBigInt() reject digit counts above 1,000,000", () => {
  assert.equal(MACHIN_DIGITS_MAX, 1_000_000);
  const machin = new MachinKernel(piModuleForTests);
  assert.throws(() => machin.compute(MACHIN_DIGITS_MAX + 1), {
    name: "RangeError",
    message: "Cannot compute pi: digits must be an integer from 1 to 1000000, received 1000001",
  });
  for (const digits of [0, -1, 1.5, MACHIN_DIGITS_MAX + 1, Number.NaN, Infinity]) {
    assert.throws(() => machin.compute(digits), RangeError, `compute(${digits})`);
    assert.throws(() => piDigitsBigInt(digits), RangeError, `piDigitsBigInt(${digits})`);
  }
});

const piModuleForTests = await loadPiModule();

Deno.test("loadPiModule() returns one module, importing only the cancel poll, that kernels instantiate separately", async () => {
  assert.equal(await loadPiModule(), piModuleForTests);
  assert.deepEqual(WebAssembly.Module.imports(piModuleForTests), [
    { module: "host", name: "shouldStop", kind: "function" },
  ]);
  const first = new PiKernel(piModuleForTests);
  const second = new PiKernel(piModuleForTests);
  // Interleave the two: each instance has its own memory, so neither disturbs the other.
  const firstDigits = first.compute(2_000, { shouldStop: () => second.compute(100) === "" });
  assert.equal(firstDigits, piDigitsBigInt(2_000));
  assert.equal(first.noop(), 0);
});

Deno.test("new MachinKernel() and new PiKernel() reject a module without the kernel's exports", () => {
  // (module (func (export "piStart")))
  const bytes = new Uint8Array([
    0,
    97,
    115,
    109,
    1,
    0,
    0,
    0,
    1,
    4,
    1,
    96,
    0,
    0,
    3,
    2,
    1,
    0,
    7,
    11,
    1,
    7,
    112,
    105,
    83,
    116,
    97,
    114,
    116,
    0,
    0,
    10,
    4,
    1,
    2,
    0,
    11,
  ]);
  assert.throws(() => new MachinKernel(new WebAssembly.Module(bytes)), {
    name: "TypeError",
    message: "Cannot create MachinKernel: the module does not export function piStep",
  });
  assert.throws(() => new PiKernel(new WebAssembly.Module(bytes)), {
    name: "TypeError",
    message: "Cannot create PiKernel: the module does not export function chudnovskyPi",
  });
});

Deno.test("PiKernel.compute() stops with JobCancelledError when shouldStop() turns true", () => {
  const kernel = new PiKernel(piModuleForTests);
  let calls = 0;
  assert.throws(
    () => kernel.compute(100_000, { shouldStop: () => ++calls === 3 }),
    {
      name: "JobCancelledError",
      message: "Cannot compute 100000 digits of pi: it was cancelled",
    },
  );
  assert.equal(calls, 3);
  // The kernel starts afresh after a cancelled computation.
  assert.equal(kernel.compute(1_000), `3.${PI_1000_DECIMALS}`);
});

Deno.test("PiKernel.compute() with the flag already set throws before any work", () => {
  const kernel = new PiKernel(piModuleForTests);
  let calls = 0;
  assert.throws(
    () => kernel.compute(PI_DIGITS_MAX, { shouldStop: () => ++calls > 0 }),
    JobCancelledError,
  );
  assert.equal(calls, 1);
});

Deno.test("MachinKernel.compute() polls shouldStop() in chunks much smaller than the job", () => {
  const kernel = new MachinKernel(piModuleForTests);
  let calls = 0;
  const digits = kernel.compute(50_000, { shouldStop: () => ++calls < 0 });
  assert.equal(digits.length, 50_002);
  // About 26 chunks of ~5 ms on the test machine; the bound only has to show that it is chunked.
  assert.ok(calls >= 10, `shouldStop() was called ${calls} times`);
});

Deno.test("MachinKernel.compute() stops with JobCancelledError when shouldStop() turns true", () => {
  const kernel = new MachinKernel(piModuleForTests);
  let calls = 0;
  assert.throws(() => kernel.compute(100_000, { shouldStop: () => ++calls === 3 }), {
    name: "JobCancelledError",
    message: "Cannot compute 100000 digits of pi: it was cancelled",
  });
  assert.equal(calls, 3);
  assert.equal(kernel.compute(1_000), `3.${PI_1000_DECIMALS}`);
});

Deno.test("PiKernel.compute() polls shouldStop() from inside the kernel, every few milliseconds", () => {
  const kernel = new PiKernel(piModuleForTests);
  let calls = 0;
  const digits = kernel.compute(300_000, { shouldStop: () => ++calls < 0 });
  assert.equal(digits.length, 300_002);
  // One poll per 2 million units of work (limb products, butterflies): about 70 here. The bound
  // only has to show that the kernel polls while it works, not just before it starts.
  assert.ok(calls >= 20, `shouldStop() was called ${calls} times`);
});

Deno.test("piDigitsBigInt() stops with JobCancelledError when shouldStop() turns true", () => {
  let calls = 0;
  assert.throws(
    () => piDigitsBigInt(20_000, { shouldStop: () => ++calls === 5 }),
    JobCancelledError,
  );
  assert.equal(calls, 5);
  let presetCalls = 0;
  assert.throws(
    () => piDigitsBigInt(1_000_000, { shouldStop: () => ++presetCalls > 0 }),
    JobCancelledError,
  );
  assert.equal(presetCalls, 1);
  let allCalls = 0;
  piDigitsBigInt(20_000, { shouldStop: () => ++allCalls < 0 });
  assert.ok(allCalls >= 10, `shouldStop() was called ${allCalls} times`);
});

/**
 * Loads the WebAssembly pi kernels once, on the thread that imports this module, and computes
 * digits of pi on that thread with the fastest of them (Chudnovsky). Workers do not import this file: the main thread posts them the
 * compiled module.
 *
 * @module
 */
import { assertPiDigits, PiKernel } from "./kernel.ts";

// Source phase import: the graph loader fetches and compiles the .wasm once, with no read or net
// permission, from a local path or a remote URL (as when this package is imported from JSR).
// Why not `import source piModule from "..."`: Deno runs that syntax, but TypeScript cannot parse
// it yet, so `deno check` fails; the dynamic form parses and is statically analysable.
// @ts-ignore: TypeScript does not know the `import.source()` meta-property yet
const piModule: WebAssembly.Module = await import.source("../../wasm/build/pi.wasm");
const piModulePromise: Promise<WebAssembly.Module> = Promise.resolve(piModule);

/**
 * Returns the compiled pi kernel. It is compiled once, when this module loads; the promise is
 * kept for callers that post the module to workers and for a future lazily loaded build.
 *
 * @returns The compiled `pi.wasm`; its one import, `host.shouldStop`, is the cancellation poll
 * that {@linkcode PiKernel} supplies.
 * @throws Never: a module that fails to load or compile fails the import of this file instead.
 *
 * @example Instantiate the kernel from the shared module
 * ```ts
 * import { loadPiModule } from "./loader.ts";
 * import { PiKernel } from "./kernel.ts";
 * import assert from "node:assert/strict";
 *
 * const module = await loadPiModule();
 * assert.deepEqual(WebAssembly.Module.imports(module).map(({ module, name }) => `${module}.${name}`), [
 *   "host.shouldStop",
 * ]);
 * assert.equal(new PiKernel(module).compute(5), "3.14159");
 * ```
 */
export function loadPiModule(): Promise<WebAssembly.Module> {
  return piModulePromise;
}

let sharedKernel: PiKernel | undefined;

/**
 * Computes pi truncated to `digits` decimals with the WebAssembly Chudnovsky kernel
 * ({@linkcode PiKernel}), synchronously on the calling thread (one kernel instance per thread,
 * created on first use).
 *
 * @param digits How many decimals, an integer from `PI_DIGITS_MIN` (1) to
 * `PI_DIGITS_MAX` (10,000,000).
 * @returns `"3."` followed by exactly `digits` decimals.
 * @throws {RangeError} When `digits` is not an integer in range.
 * @throws {WebAssembly.RuntimeError} When the kernel's memory cannot grow to the size needed.
 *
 * @example Print the first decimals of pi
 * ```ts
 * import { piDigits } from "./loader.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(piDigits(20), "3.14159265358979323846");
 * assert.throws(() => piDigits(0), RangeError);
 * ```
 */
export function piDigits(digits: number): string {
  assertPiDigits(digits);
  sharedKernel ??= new PiKernel(piModule);
  return sharedKernel.compute(digits);
}

/**
 * What the long-running bench scripts print next to their rows: the Deno and
 * V8 versions, the CPU count, the load average before and after, and the
 * WASM build's SHA-256 (the CLI's own `machineInfo`).
 *
 * @module
 */
import { machineInfo } from "../src/cli/machine.ts";

/** The run's environment as the bench scripts' JSON line carries it. */
export interface BenchEnvironment {
  deno: string;
  v8: string;
  cpus: number;
  loadavgBefore: number[];
  loadavg: number[];
  wasmSha256: string | null;
}

/**
 * Reads the environment at the end of a bench run.
 *
 * @param loadavgBefore `Deno.loadavg()` as the run began.
 * @returns The versions, CPU count, both load averages and the WASM hash.
 */
export async function benchEnvironment(loadavgBefore: number[]): Promise<BenchEnvironment> {
  return {
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    cpus: navigator.hardwareConcurrency,
    loadavgBefore,
    loadavg: Deno.loadavg(),
    wasmSha256: (await machineInfo()).wasmBuildHash,
  };
}

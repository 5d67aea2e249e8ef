import { runSweep, type SweepOptions, type SweepStep } from "../mod.ts";

/** Runs a sweep to its end and returns every step it yielded (a rejection if it stopped). */
export async function collectSteps(options: SweepOptions): Promise<SweepStep[]> {
  return await Array.fromAsync(runSweep(options));
}

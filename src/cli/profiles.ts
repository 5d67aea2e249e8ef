// deno-lint-ignore-file no-console
/**
 * Writes each step's CPU profiles and prints the top tables and worker memory.
 *
 * @module
 */
import { renderProfileTop } from "../profile/render.ts";
import { analyzeProfiles } from "../profile/top.ts";
import { type CpuProfile, validateCpuProfile } from "../profile/validate.ts";
import { renderAsciiTable } from "../report/format/table.ts";
import { nameWasmFunction, wasmExportNames } from "../profile/wasm_names.ts";
import type { SweepStep } from "../types.ts";
import { piWasmBytes } from "./machine.ts";
import type { Config } from "./settings.ts";
import { workersInFlight } from "../text.ts";

const PROFILE_TOP_LIMIT = 15;

/**
 * The one naming scheme of profile files: worker count (and jobs in flight when more than 1)
 * and run, then the thread.
 *
 * @param step The step the profile belongs to.
 * @param thread `main`, `worker-<k>`, or `*` for a glob of all of the step's files.
 * @returns The file name, e.g. `cpuprofile-2-workers-run-1-worker-1.cpuprofile`.
 */
export function profileFileName(
  step: Pick<SweepStep, "workers" | "repeat" | "concurrency">,
  thread: string,
): string {
  const inFlight = (step.concurrency ?? 1) > 1 ? `-${step.concurrency}-in-flight` : "";
  return `cpuprofile-${step.workers}-workers${inFlight}-run-${step.repeat}-${thread}.cpuprofile`;
}

async function piWasmExportNames(): Promise<Map<number, string>> {
  try {
    return wasmExportNames(await piWasmBytes());
  } catch {
    return new Map();
  }
}

/**
 * Makes this run's own subdirectory of `dir`, named by its UTC start time
 * (`run-20261205-160711`, then `-2`, `-3` within the same second), so that the
 * profiles of earlier runs are not mixed in with this run's.
 *
 * @param dir The directory given to `--profile` (made when missing).
 * @param now The run's time.
 * @returns The new subdirectory's path.
 */
export async function makeRunDir(dir: string, now: Date = new Date()): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
  for (let suffix = 1;; suffix++) {
    const path = `${dir}/run-${stamp}${suffix === 1 ? "" : `-${suffix}`}`;
    try {
      await Deno.mkdir(path);
      return path;
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
  }
}

/**
 * Writes each step's CPU profiles as `.cpuprofile` files, and a pprof `.pb.gz`
 * next to each; returns the `.cpuprofile` paths written.
 */
async function writeProfiles(
  dir: string,
  steps: readonly SweepStep[],
  wasmNames: ReadonlyMap<number, string>,
): Promise<string[]> {
  const written: { path: string; profile: CpuProfile }[] = [];
  const write = async (name: string, profile: unknown) => {
    if (profile === undefined) return;
    const path = `${dir}/${name}`;
    await Deno.writeTextFile(path, JSON.stringify(profile));
    written.push({ path, profile: validateCpuProfile(profile) });
  };
  for (const step of steps) {
    if (!step.profiles) continue;
    await write(profileFileName(step, "main"), step.profiles.main);
    for (const [index, profile] of step.profiles.workers.entries()) {
      await write(profileFileName(step, `worker-${index + 1}`), profile);
    }
  }
  // Loaded only when profiling: pprof.ts imports an npm package, and the sweep child of a run
  // that is not profiling has npm turned off (a job without a net grant must not fetch packages).
  // The specifier is a variable, not a literal: Deno puts a literal import() in the run's module
  // graph and then installs every npm package in deno.lock, even for `--version`.
  const pprofModule: string = "./pprof.ts";
  const pprof: typeof import("./pprof.ts") = await import(pprofModule);
  await pprof.writePprofFiles(written, wasmNames);
  return written.map((file) => file.path);
}

/**
 * Writes the profiles and prints the top table per step and the workers' memory.
 *
 * @param config The run's settings (`profileDir` is set).
 * @param steps Every step run, each repeat's apart.
 */
export async function reportProfiles(config: Config, steps: readonly SweepStep[]): Promise<void> {
  const dir = await makeRunDir(config.profileDir!);
  const wasmNames = await piWasmExportNames();
  const written = await writeProfiles(dir, steps, wasmNames);
  const print = config.format === "table" && !config.out ? console.log : console.error;
  for (const step of steps) {
    if (!step.profiles) continue;
    const profiles = step.profiles.workers.filter((p) => p !== undefined).map(validateCpuProfile);
    const top = analyzeProfiles(profiles, { limit: PROFILE_TOP_LIMIT });
    const entries = top.entries.map((entry) => ({
      ...entry,
      label: nameWasmFunction(entry.label, wasmNames),
    }));
    const run = config.repeat > 1 ? `, run ${step.repeat}` : "";
    const title = `CPU profile top, ${workersInFlight(step)}${run} (summed across workers; ${dir}/${
      profileFileName(step, "*")
    })`;
    print("");
    print(renderProfileTop(entries, { ...top, title }).trimEnd());
  }
  print(`\nWorker memory at the end of each step:\n${renderWorkerMemory(steps).trimEnd()}`);
  if (!config.quiet) {
    console.error(
      `deno-channels: wrote ${written.length} CPU profiles to ${dir} (.cpuprofile and pprof .pb.gz)`,
    );
  }
}

/** Heap, external and WebAssembly memory of every worker at the end of each step. */
function renderWorkerMemory(steps: readonly SweepStep[]): string {
  const mib = (bytes: number | undefined) =>
    bytes === undefined ? "-" : (bytes / (1024 * 1024)).toFixed(2);
  const rows = steps.flatMap((step) =>
    (step.workerMemory ?? []).map((memory, index) => [
      String(step.workers),
      String(index + 1),
      mib(memory?.heapUsed),
      mib(memory?.heapTotal),
      mib(memory?.external),
      mib(memory?.wasmMemoryBytes),
    ])
  );
  return renderAsciiTable(
    ["WORKERS", "WORKER", "HEAP USED MIB", "HEAP TOTAL MIB", "EXTERNAL MIB", "WASM MEMORY MIB"],
    rows,
  );
}

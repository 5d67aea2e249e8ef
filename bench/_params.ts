/**
 * What the benches measure and how often: the sweep's settings read from the same keys as the CLI,
 * and the sizes that `DENO_CHANNELS_BENCH_SMOKE=1` shrinks so the whole bench run takes seconds.
 *
 * @module
 */
import { parseEnv } from "node:util";
import { type Config, parseConfig } from "../src/cli/settings.ts";

/** The environment variable that switches every bench file to tiny sizes. */
export const SMOKE_ENV = "DENO_CHANNELS_BENCH_SMOKE";

/** Whether this run is a smoke run (`DENO_CHANNELS_BENCH_SMOKE=1`). */
export const SMOKE: boolean = Deno.env.get(SMOKE_ENV) === "1";

/** Iteration bounds for `Deno.bench`: each bench runs its fn `n + 2` times in Deno 2.9. */
export interface Iterations {
  n: number;
  warmup: number;
}

/** Sizes used by the bench files, full or smoke. */
export interface BenchSizes {
  /** Sweep bench defaults, as `.env`-style keys: the lowest layer under `.env`, env and flags. */
  sweepDefaults: Record<string, string>;
  /** Iterations per sweep bench, by job kind (`other` for the rest). */
  sweepIterations: { sleep: Iterations; pi: Iterations; other: Iterations };
  /** How many no-op jobs (and bare round trips) one dispatch iteration runs. */
  dispatchJobCount: number;
  /** Worker counts of the dispatch group; the first is the baseline. */
  dispatchWorkerCounts: readonly number[];
  /** Iterations per dispatch bench. */
  dispatchIterations: Iterations;
  /** How many no-op jobs one iteration of the group against the Go anchor runs. */
  dispatchAnchorJobCount: number;
  /** Iterations per bench of the group against the Go anchor. */
  dispatchAnchorIterations: Iterations;
  /** Digit counts of pi_bench.ts's kernel groups. */
  piBenchDigitCounts: readonly number[];
  /** Iterations of pi_bench.ts's benches; `undefined` leaves them to deno bench. */
  piBenchIterations?: Iterations;
}

/** Defaults suited to a bench run of under a minute or so on 2 cores. */
export const FULL_SIZES: BenchSizes = {
  sweepDefaults: { TOTALJOBCOUNT: "8", SLEEPMS: "100", PIDIGITS: "20000" },
  sweepIterations: {
    sleep: { n: 5, warmup: 1 },
    pi: { n: 10, warmup: 1 },
    other: { n: 10, warmup: 1 },
  },
  dispatchJobCount: 2_000,
  dispatchWorkerCounts: [1, 2],
  dispatchIterations: { n: 50, warmup: 3 },
  dispatchAnchorJobCount: 1_000_000,
  dispatchAnchorIterations: { n: 5, warmup: 1 },
  piBenchDigitCounts: [10_000, 100_000],
};

/** Tiny sizes: every bench runs its fn about three times, on at most 2 workers. */
export const SMOKE_SIZES: BenchSizes = {
  sweepDefaults: {
    TOTALJOBCOUNT: "2",
    SLEEPMS: "1",
    PIDIGITS: "200",
    MAXWORKERCOUNT: "2",
  },
  sweepIterations: {
    sleep: { n: 1, warmup: 0 },
    pi: { n: 1, warmup: 0 },
    other: { n: 1, warmup: 0 },
  },
  dispatchJobCount: 50,
  dispatchWorkerCounts: [1, 2],
  dispatchIterations: { n: 1, warmup: 0 },
  dispatchAnchorJobCount: 1_000,
  dispatchAnchorIterations: { n: 1, warmup: 0 },
  piBenchDigitCounts: [200],
  piBenchIterations: { n: 1, warmup: 0 },
};

/** The sizes of this run. */
export const SIZES: BenchSizes = SMOKE ? SMOKE_SIZES : FULL_SIZES;

/**
 * How long a bench waits after its workers are ready, outside the timed region. Just-spawned
 * workers (and the ones the previous iteration terminated) still use the CPU for a few ms: measured
 * here, 2,000 ping-pong round trips took a median 101 ms timed at once and 33 ms after 30 ms.
 */
export const SETTLE_MS = 30;

/** Waits {@linkcode SETTLE_MS}; call it between `ready()` and `b.start()`. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

/** The job kinds the sweep bench runs when no job is given. */
export const DEFAULT_SWEEP_JOBS: readonly string[] = ["sleep", "pi"];

/** What the sweep bench runs. */
export interface SweepBenchSettings {
  /** The resolved settings (the bench's defaults fill what no source sets). */
  config: Config;
  /** The job kinds to bench: the one given, or {@linkcode DEFAULT_SWEEP_JOBS}. */
  jobs: readonly string[];
}

/** Where {@linkcode sweepBenchSettings} reads from; the bench passes the real ones. */
export interface SweepBenchSources {
  /** Arguments after `--` (`Deno.args`). */
  args: readonly string[];
  /** The environment. */
  env: Readonly<Record<string, string | undefined>>;
  /** The text of `./.env`, when there is one. */
  dotenv?: string;
  /** The bench's own defaults, as keys. */
  defaults: Readonly<Record<string, string>>;
}

const isSet = (value: string | undefined): boolean => value !== undefined && value.trim() !== "";

/**
 * Resolves the sweep bench's settings with `parseConfig`, so flags, environment and `.env` mean
 * what they mean to the CLI. The bench's smaller defaults (e.g. 100 ms sleeps instead of 1 s) go
 * in as the lowest layer: appended to the `.env` text for each key it leaves blank or missing
 * (the last value of a key wins), so every source still beats them.
 *
 * @param sources Arguments, environment, `.env` text and the bench's defaults.
 * @returns The settings and the job kinds to bench.
 * @throws {ConfigError} For a value the CLI would reject, with the CLI's message.
 */
export function sweepBenchSettings(sources: SweepBenchSources): SweepBenchSettings {
  const dotenvValues = parseEnv(sources.dotenv ?? "");
  const fills = Object.entries(sources.defaults)
    .filter(([key]) => !isSet(dotenvValues[key]))
    .map(([key, value]) => `${key}=${value}`);
  const dotenv = [sources.dotenv ?? "", ...fills].join("\n");
  const config = parseConfig({ args: sources.args, env: sources.env, dotenv });
  // parseConfig fills in "sleep" when no source names a job; the bench then runs its own list.
  const jobGiven = isSet(sources.env.JOBNAME) || isSet(dotenvValues.JOBNAME) ||
    sources.args.some((arg) => arg === "--job" || arg.startsWith("--job="));
  return { config, jobs: jobGiven ? [config.job] : DEFAULT_SWEEP_JOBS };
}

async function readDotenv(): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(".env");
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/**
 * Reads the sweep bench's settings from `./.env`, the environment and `Deno.args`, over this
 * run's defaults ({@linkcode SIZES}).
 *
 * @returns The settings and the job kinds to bench.
 * @throws {ConfigError} For a value the CLI would reject.
 */
export async function readSweepBenchSettings(): Promise<SweepBenchSettings> {
  return sweepBenchSettings({
    args: Deno.args,
    env: Deno.env.toObject(),
    dotenv: await readDotenv(),
    defaults: SIZES.sweepDefaults,
  });
}

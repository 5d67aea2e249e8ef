// The sweep as benchmarks: one group per job kind, one bench per worker count, the first count
// as the baseline, so deno bench's summary reads "N× faster than baseline". Settings come from
// the CLI's keys: ./.env, the environment and the arguments after `--`, e.g.
//   deno bench -A bench/sweep_bench.ts -- --job pi --max-workers 4 --jobs 8
// Defaults: sleep (100 ms) and pi (20,000 digits), 8 jobs, 1 … CPU-count workers.
import { type JobParams, runStep, sweepWorkerCounts, WorkerPool } from "../mod.ts";
import type { JobKind } from "../src/jobs/job.ts";
import { findJobKind } from "../src/jobs/registry.ts";
import { type Iterations, readSweepBenchSettings, settle, SIZES } from "./_params.ts";

const { config, jobs } = await readSweepBenchSettings();
const params: JobParams = {
  sleepMs: config.sleepMs,
  digits: config.digits,
  ioLines: config.ioLines,
};
const workerCounts = sweepWorkerCounts({
  startWorkers: config.startWorkers,
  maxWorkers: config.maxWorkers,
});

function jobKind(name: string): JobKind {
  const kind = findJobKind(name);
  if (!kind || kind.name === "module") {
    throw new TypeError(
      `Cannot bench job "${name}": the sweep bench runs built-in job kinds only; time a job module with deno run -A mod.ts --job ${name}`,
    );
  }
  return kind;
}

function groupName(kind: JobKind): string {
  const jobCount = `${config.jobCount.toLocaleString("en-US")} jobs`;
  const each = kind.describeParams?.(params);
  return `${kind.name}: ${jobCount}${each ? ` × ${each}` : ""}`;
}

function iterations(kind: JobKind): Iterations {
  const table: Readonly<Record<string, Iterations>> = SIZES.sweepIterations;
  return table[kind.name] ?? SIZES.sweepIterations.other;
}

for (const name of jobs) {
  const kind = jobKind(name);
  for (const [index, workers] of workerCounts.entries()) {
    Deno.bench({
      name: `${kind.name}, ${workers} worker${workers === 1 ? "" : "s"}`,
      group: groupName(kind),
      baseline: index === 0,
      ...iterations(kind),
      async fn(b) {
        // Setup, spawning and teardown stay outside the timed region. Set up per iteration, not
        // once as runSweep does: a bench has no end-of-group hook for `teardown` (the io kind
        // removes its temp dir there), and pi's setup reuses its compiled WebAssembly.Module.
        const setup = await kind.setup?.(params);
        try {
          await using pool = new WorkerPool({
            size: workers,
            jobKind: kind.name,
            params,
            setup,
            permissions: kind.permissions?.(params, setup),
          });
          await pool.ready();
          await settle();
          b.start();
          const step = await runStep(pool, {
            jobCount: config.jobCount,
            jobName: kind.name,
            jobTimeoutMs: config.jobTimeoutMs,
          });
          b.end();
          if (step.completed !== step.jobCount) {
            const failure = [...step.jobs].find((job) => job.error)?.error?.message ??
              "no error given";
            throw new Error(
              `Cannot bench ${kind.name} on ${workers} workers: ${step.completed} of ${step.jobCount} jobs completed: ${failure}`,
            );
          }
        } finally {
          await kind.teardown?.(setup);
        }
      },
    });
  }
}

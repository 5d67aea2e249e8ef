// deno-lint-ignore-file no-console
/**
 * Dispatch throughput: a large batch of no-op jobs through runStep on 1 and 2 workers, a few
 * runs each, printed as a table (jobs/s and dispatch cost per job) and one line of JSON with the
 * Deno version and CPU count. Worker start-up is outside the timed step.
 *
 * Run: deno run -A bench/dispatch_throughput.ts [jobCount=1000000] [runs=3] [workers=1,2]
 *
 * @module
 */
import { runStep, WorkerPool } from "../mod.ts";

const jobCount = Number(Deno.args[0] ?? 1_000_000);
const runs = Number(Deno.args[1] ?? 3);
const workerCounts = (Deno.args[2] ?? "1,2").split(",").map(Number);

interface Row {
  workers: number;
  run: number;
  seconds: number;
  jobsPerSecond: number;
  nanosPerJob: number;
}

const rows: Row[] = [];
for (let run = 1; run <= runs; run++) {
  for (const workers of workerCounts) {
    await using pool = new WorkerPool({
      size: workers,
      jobKind: "noop",
      params: {},
    });
    await pool.ready();
    const step = await runStep(pool, { jobCount, jobName: "noop" });
    if (step.completed !== jobCount) {
      throw new Error(`Cannot bench dispatch: ${step.completed} of ${jobCount} jobs completed`);
    }
    rows.push({
      workers,
      run,
      seconds: step.seconds,
      jobsPerSecond: jobCount / step.seconds,
      nanosPerJob: (step.seconds * 1e9) / jobCount,
    });
  }
}

console.log(
  `${jobCount.toLocaleString("en-US")} noop jobs, ${runs} runs (best and median of runs):`,
);
console.log("| WORKERS | BEST JOBS/S | MEDIAN JOBS/S | BEST NS/JOB (wall) |");
console.log("|--------:|------------:|--------------:|-------------------:|");
for (const workers of workerCounts) {
  const rates = rows.filter((row) => row.workers === workers).map((row) => row.jobsPerSecond)
    .sort((a, b) => a - b);
  const best = rates.at(-1)!;
  const median = rates[Math.floor(rates.length / 2)];
  console.log(
    `| ${String(workers).padStart(7)} | ${
      Math.round(best).toLocaleString("en-US").padStart(11)
    } | ${Math.round(median).toLocaleString("en-US").padStart(13)} | ${
      (1e9 / best).toFixed(0).padStart(18)
    } |`,
  );
}
console.log(JSON.stringify({
  deno: Deno.version.deno,
  cpus: navigator.hardwareConcurrency,
  loadavg: Deno.loadavg(),
  jobCount,
  rows,
}));

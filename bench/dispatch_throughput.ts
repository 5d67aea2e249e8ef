// deno-lint-ignore-file no-console
/**
 * Dispatch throughput: a large batch of no-op jobs through runStep on 1 and 2 workers, a few
 * runs each, side by side with the Go original's channel pattern (bench/go_channels/main.go,
 * when `go` is on PATH) in the same process run, runs interleaved. Prints a table (jobs/s, wall
 * ns per job, our dispatch overhead per job, and the ratio to Go) and one line of JSON with the
 * Deno and Go versions, CPU count and load. Worker start-up is outside the timed step. A last
 * table shows the claim policy's effect: the same batch with claims capped at one job (one
 * contended `Atomics.add` per job, as a receive on a Go channel) against the adaptive claims.
 *
 * Run: deno run -A bench/dispatch_throughput.ts [jobCount=1000000] [runs=5] [workers=1,2]
 *
 * @module
 */
import { runStep, WorkerPool } from "../mod.ts";
import { medianMinMax } from "../src/report/analysis/stats.ts";
import { startGoAnchor } from "./_go_anchor.ts";

const jobCount = Number(Deno.args[0] ?? 1_000_000);
const runs = Number(Deno.args[1] ?? 5);
const workerCounts = (Deno.args[2] ?? "1,2").split(",").map(Number);

interface Row {
  engine: "deno-channels" | "deno-channels, claims of 1" | "go";
  workers: number;
  run: number;
  seconds: number;
  /** `(seconds × workers − Σ job run time) / jobs` (ours only: Go's jobs are not summed here). */
  overheadSeconds?: number;
}

const anchor = await startGoAnchor();
if (typeof anchor === "string") console.error(`dispatch_throughput: ${anchor}`);
const loadBefore = Deno.loadavg();
const rows: Row[] = [];
try {
  for (let run = 1; run <= runs; run++) {
    for (const workers of workerCounts) {
      await using pool = new WorkerPool({ size: workers, jobKind: "noop", params: {} });
      await pool.ready();
      const step = await runStep(pool, { jobCount, jobName: "noop", jobEvents: false });
      if (step.completed !== jobCount) {
        throw new Error(`Cannot bench dispatch: ${step.completed} of ${jobCount} jobs completed`);
      }
      let busy = 0;
      for (let index = 0; index < jobCount; index++) busy += step.jobs.elapsedSeconds(index);
      rows.push({
        engine: "deno-channels",
        workers,
        run,
        seconds: step.seconds,
        overheadSeconds: (step.seconds * workers - busy) / jobCount,
      });
      if (typeof anchor !== "string") {
        rows.push({ engine: "go", workers, run, seconds: await anchor.run(jobCount, workers) });
      }
      await using single = new WorkerPool({ size: workers, jobKind: "noop", params: {} });
      await single.ready();
      const one = await runStep(single, {
        jobCount,
        jobName: "noop",
        jobEvents: false,
        maxClaimJobs: 1,
      });
      rows.push({ engine: "deno-channels, claims of 1", workers, run, seconds: one.seconds });
    }
  }
} finally {
  if (typeof anchor !== "string") await anchor.close();
}

const median = (values: number[]) => medianMinMax(values).median;
const rate = (seconds: number) => Math.round(jobCount / seconds).toLocaleString("en-US");

console.log(
  `${jobCount.toLocaleString("en-US")} no-op jobs, ${runs} runs each, interleaved (medians; ` +
    `load average ${loadBefore.map((x) => x.toFixed(2)).join(" ")} before):`,
);
console.log(
  "| WORKERS | OURS JOBS/S | OURS NS/JOB | OVERHEAD NS/JOB | GO JOBS/S | GO NS/JOB | OURS/GO |",
);
console.log(
  "|--------:|------------:|------------:|----------------:|----------:|----------:|--------:|",
);
for (const workers of workerCounts) {
  const ours = rows.filter((row) => row.engine === "deno-channels" && row.workers === workers);
  const go = rows.filter((row) => row.engine === "go" && row.workers === workers);
  const oursSeconds = median(ours.map((row) => row.seconds));
  const overhead = median(ours.map((row) => row.overheadSeconds!));
  const goSeconds = go.length > 0 ? median(go.map((row) => row.seconds)) : undefined;
  console.log(
    `| ${String(workers).padStart(7)} | ${rate(oursSeconds).padStart(11)} | ${
      ((oursSeconds * 1e9) / jobCount).toFixed(0).padStart(11)
    } | ${(overhead * 1e9).toFixed(0).padStart(15)} | ${
      (goSeconds ? rate(goSeconds) : "-").padStart(9)
    } | ${(goSeconds ? ((goSeconds * 1e9) / jobCount).toFixed(0) : "-").padStart(9)} | ${
      (goSeconds ? `${(goSeconds / oursSeconds).toFixed(2)}x` : "-").padStart(7)
    } |`,
  );
}
console.log(
  "OURS/GO is Go's seconds over ours: above 1x we hand off no-op jobs faster than Go's channels.",
);
console.log("\nThe claim policy (same runs): adaptive claims against claims of one job each:");
console.log("| WORKERS | ADAPTIVE JOBS/S | CLAIMS OF 1 JOBS/S | ADAPTIVE / CLAIMS OF 1 |");
console.log("|--------:|----------------:|-------------------:|----------------------:|");
for (const workers of workerCounts) {
  const pick = (engine: Row["engine"]) =>
    median(
      rows.filter((row) => row.engine === engine && row.workers === workers).map((row) =>
        row.seconds
      ),
    );
  const adaptive = pick("deno-channels");
  const single = pick("deno-channels, claims of 1");
  console.log(
    `| ${String(workers).padStart(7)} | ${rate(adaptive).padStart(15)} | ${
      rate(single).padStart(18)
    } | ${`${(single / adaptive).toFixed(2)}x`.padStart(21)} |`,
  );
}
console.log(JSON.stringify({
  deno: Deno.version.deno,
  go: typeof anchor === "string" ? null : anchor.version,
  cpus: navigator.hardwareConcurrency,
  loadavgBefore: loadBefore,
  loadavgAfter: Deno.loadavg(),
  jobCount,
  rows,
}));

// deno-lint-ignore-file no-console
/**
 * Jobs in flight against threads (issue "Threads or concurrency"): three questions, each in one
 * table, all measured in this one process run (compare ratios, not absolute times across runs).
 *
 * 1. What a job in flight costs: 1,000,000 custom jobs on 1 worker, `async () => 1` with 64 in
 *    flight against `() => 1` one at a time, beside a plain 20-line in-flight loop on this thread.
 * 2. Many waits on one thread: 10,000 `sleep-async` jobs of 10 ms on 1 worker with all 10,000 in
 *    flight, against a plain `Promise.all` of the same timers here (and of timers each with an
 *    `AbortSignal`, as a cancellable job has); the process's peak RSS (run first, in a fresh
 *    process).
 * 3. The Go original's oversubscription (16 jobs of 1 s): 1 worker × 64 in flight against 64
 *    workers × 1 (start-up and RSS), and Go's 64 goroutines when `go` is on PATH.
 *
 * Run: deno run -A bench/in_flight.ts [noopJobs=1000000] [runs=3]
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { runSweep, type SweepOptions, type SweepStep } from "../mod.ts";
import { medianMinMax } from "../src/report/analysis/stats.ts";
import { benchEnvironment } from "./_environment.ts";

const noopJobs = Number(Deno.args[0] ?? 1_000_000);
const runs = Number(Deno.args[1] ?? 3);
const loadavgBefore = Deno.loadavg();
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

async function oneStep(options: SweepOptions): Promise<SweepStep> {
  const steps = await Array.fromAsync(runSweep({ jobEvents: false, ...options }));
  return steps[steps.length - 1];
}

/** The plain loop a user would write: `inFlight` promises pending, the next started as one settles. */
async function plainInFlight(jobs: number, inFlight: number, job: () => Promise<unknown>) {
  const start = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < jobs) {
      next++;
      await job();
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, jobs) }, lane));
  return (performance.now() - start) / 1000;
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const perSecond = (jobs: number, seconds: number) =>
  Math.round(jobs / seconds).toLocaleString("en-US");
const median = (values: number[]) => medianMinMax(values).median;

// 2. Many waits on one thread.
// First in the process: its peak RSS is then the product's own, not what part 1's million jobs
// left behind (the first run's RSS is the one reported).
const waits = {
  product: [] as number[],
  plain: [] as number[],
  plainSignal: [] as number[],
  rss: [] as number[],
};
/** A timer a job can cancel: the same work a cancellable job does (its own AbortSignal). */
const cancellableTimer = () =>
  new Promise<void>((resolve, reject) => {
    const controller = new AbortController();
    const onAbort = () => {
      clearTimeout(timer);
      reject(controller.signal.reason);
    };
    const timer = setTimeout(() => {
      controller.signal.removeEventListener("abort", onAbort);
      resolve();
    }, 10);
    controller.signal.addEventListener("abort", onAbort, { once: true });
  });
for (let run = 0; run < runs; run++) {
  const step = await oneStep({
    job: "sleep-async",
    params: { sleepMs: 10 },
    jobCount: 10_000,
    workerCounts: [1],
    concurrency: [10_000],
  });
  waits.product.push(step.seconds);
  waits.rss.push(step.peakRssBytes);
  waits.plain.push(
    await plainInFlight(10_000, 10_000, () => new Promise((resolve) => setTimeout(resolve, 10))),
  );
  waits.plainSignal.push(await plainInFlight(10_000, 10_000, cancellableTimer));
}
const product = median(waits.product);
const plain = median(waits.plain);
console.log(`\n2. 10,000 jobs awaiting a 10 ms timer (median of ${runs} runs)`);
console.log("| how | seconds | vs plain | peak RSS MiB (first run) |");
console.log("|--|--:|--:|--:|");
console.log(
  `| sleep-async, 1 worker × 10,000 in flight | ${product.toFixed(4)} | ${
    (product / plain).toFixed(2)
  }x | ${mib(waits.rss[0])} |`,
);
console.log(`| plain Promise.all here | ${plain.toFixed(4)} | 1.00x | - |`);
const plainSignal = median(waits.plainSignal);
console.log(
  `| plain, each timer with its own AbortSignal | ${plainSignal.toFixed(4)} | ${
    (plainSignal / plain).toFixed(2)
  }x | - |`,
);

// 1. What a job in flight costs.
const asyncNoop = new URL("./_async_noop_job.ts", import.meta.url);
const syncNoop = new URL("./_sync_noop_job.ts", import.meta.url);
const cost = { async64: [] as number[], sync1: [] as number[], plain64: [] as number[] };
for (let run = 0; run < runs; run++) {
  const base = { jobCount: noopJobs, workerCounts: [1] };
  cost.sync1.push((await oneStep({ ...base, job: syncNoop })).seconds);
  cost.async64.push((await oneStep({ ...base, job: asyncNoop, concurrency: [64] })).seconds);
  // deno-lint-ignore require-await
  cost.plain64.push(await plainInFlight(noopJobs, 64, async () => 1));
}
console.log(`\n1. ${noopJobs.toLocaleString("en-US")} no-op jobs (median of ${runs} runs)`);
console.log("| how | jobs/s | vs sync, 1 worker × 1 |");
console.log("|--|--:|--:|");
const sync1 = median(cost.sync1);
for (
  const [label, values] of [
    ["async () => 1, 1 worker × 64 in flight", cost.async64],
    ["() => 1, 1 worker × 1", cost.sync1],
    ["plain in-flight loop here (64), no worker", cost.plain64],
  ] as const
) {
  const seconds = median(values);
  console.log(`| ${label} | ${perSecond(noopJobs, seconds)} | ${(seconds / sync1).toFixed(2)}x |`);
}

// 3. The seed's oversubscription, both ways.
const inFlight = await oneStep({
  job: "sleep-async",
  params: { sleepMs: 1000 },
  jobCount: 16,
  workerCounts: [1],
  concurrency: [64],
});
const threads = await oneStep({
  job: "sleep",
  params: { sleepMs: 1000 },
  jobCount: 16,
  workerCounts: [64],
});
let go: { seconds: number; rssKib: number } | string;
try {
  const dir = here("./go_sleep/");
  const out = await new Deno.Command("go", {
    args: ["run", ".", "16", "64", "1000"],
    cwd: dir,
    stderr: "piped",
    env: { GOFLAGS: "-mod=mod", GO111MODULE: "off" },
  }).output();
  const [seconds, rssKib] = new TextDecoder().decode(out.stdout).trim().split("\t").map(Number);
  go = out.success ? { seconds, rssKib } : new TextDecoder().decode(out.stderr).trim();
} catch {
  go = "go is not on PATH (apt-get install golang-go)";
}
console.log("\n3. 16 jobs of 1 s: the Go original's 64-worker oversubscription");
console.log("| how | step seconds | start-up seconds | peak RSS MiB |");
console.log("|--|--:|--:|--:|");
console.log(
  `| sleep-async, 1 worker × 64 in flight | ${inFlight.seconds.toFixed(4)} | ${
    inFlight.startupSeconds.toFixed(3)
  } | ${mib(inFlight.peakRssBytes)} |`,
);
console.log(
  `| sleep, 64 workers × 1 | ${threads.seconds.toFixed(4)} | ${
    threads.startupSeconds.toFixed(3)
  } | ${mib(threads.peakRssBytes)} |`,
);
if (typeof go === "string") console.log(`| Go, 64 goroutines | ${go} | | |`);
else {console.log(
    `| Go, 64 goroutines | ${go.seconds.toFixed(4)} | - | ${(go.rssKib / 1024).toFixed(1)} |`,
  );}

console.log(
  "\n" + JSON.stringify({
    bench: "in_flight",
    noopJobs,
    runs,
    costSeconds: cost,
    waitsSeconds: waits,
    oversubscription: {
      inFlight: {
        seconds: inFlight.seconds,
        startupSeconds: inFlight.startupSeconds,
        rss: inFlight.peakRssBytes,
      },
      threads: {
        seconds: threads.seconds,
        startupSeconds: threads.startupSeconds,
        rss: threads.peakRssBytes,
      },
      go,
    },
    environment: await benchEnvironment(loadavgBefore),
  }),
);

// The dispatcher's price: a batch of no-op jobs through runStep (workers claim them from the
// shared-memory channel, src/channel/; no message per job) on 1 and 2 workers, next to a
// bare postMessage ping-pong with the same number of round trips (what the dispatcher paid per job
// before the shared channel). Per iteration: jobs/s = jobs / time. At this size the step's fixed
// costs (channel, UUIDs, wake-ups) weigh; bench/dispatch_throughput.ts runs a million jobs.
// With `go` on PATH (apt-get install golang-go) the same batch also runs through the Go original's
// pattern (bench/go_channels/main.go: buffered jobs channel, worker goroutines, results channel) in
// one long-lived Go process that times each batch itself; deno bench's group summary then prints
// our ratio to it. Smoke runs (DENO_CHANNELS_BENCH_SMOKE=1) leave Go out.
// Run: deno bench -A bench/dispatch_bench.ts
import { type JobParams, runStep, WorkerPool } from "../mod.ts";
import { findJobKind } from "../src/jobs/registry.ts";
import { startGoAnchor } from "./_go_anchor.ts";
import { settle, SIZES, SMOKE } from "./_params.ts";

const jobCount = SIZES.dispatchJobCount;
const counted = jobCount.toLocaleString("en-US");
const noop = findJobKind("noop")!;
const params: JobParams = {};
const PING_WORKER_URL = new URL("./_ping_worker.ts", import.meta.url);

const workersText = (workers: number) => `${workers} worker${workers === 1 ? "" : "s"}`;

// One group per worker count: our step against postMessage on as many workers (deno bench's
// summary ranks every bench of a group against its baseline, so 1 and 2 workers stay apart).
const dispatchGroup = (workers: number) => `dispatch: ${counted} jobs, ${workersText(workers)}`;

for (const workers of SIZES.dispatchWorkerCounts) {
  Deno.bench({
    name: `${counted} noop jobs, ${workersText(workers)}`,
    group: dispatchGroup(workers),
    baseline: true,
    ...SIZES.dispatchIterations,
    async fn(b) {
      await using pool = new WorkerPool({ size: workers, jobKind: noop.name, params });
      await pool.ready();
      await settle();
      b.start();
      const step = await runStep(pool, { jobCount, jobName: noop.name, jobEvents: false });
      b.end();
      if (step.completed !== jobCount) {
        throw new Error(`Cannot bench dispatch: ${step.completed} of ${jobCount} jobs completed`);
      }
    },
  });
}

/**
 * Sends `count` messages to `worker` and resolves once all have come back: one at a time (each
 * after the previous echo, like the dispatcher's one job in flight per worker), or all at once.
 */
function pingPong(worker: Worker, count: number, pipelined = false): Promise<void> {
  return new Promise((resolve, reject) => {
    if (count === 0) return resolve();
    let left = count;
    worker.onmessage = () => {
      if (--left === 0) resolve();
      else if (!pipelined) worker.postMessage(left);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      reject(new Error(`Cannot ping worker: ${event.message}`));
    };
    if (pipelined) { for (let i = count; i > 0; i--) worker.postMessage(i); }
    else worker.postMessage(left);
  });
}

// Round trips one at a time per worker (what the dispatcher does), then all in flight at once
// (the ceiling that batching or prefetching jobs could approach).
for (const [mode, pipelined] of [["round trips", false], ["pipelined messages", true]] as const) {
  for (const workers of SIZES.dispatchWorkerCounts) {
    Deno.bench({
      name: `${counted} postMessage ${mode}, ${workersText(workers)}`,
      group: dispatchGroup(workers),
      ...SIZES.dispatchIterations,
      async fn(b) {
        const pingers = Array.from(
          { length: workers },
          () => new Worker(PING_WORKER_URL, { type: "module" }),
        );
        try {
          // The first echo tells the worker is up; spawning stays outside the timed region.
          await Promise.all(pingers.map((worker) => pingPong(worker, 1)));
          const shares = pingers.map((_, i) =>
            Math.floor(jobCount / workers) + (i < jobCount % workers ? 1 : 0)
          );
          await settle();
          b.start();
          await Promise.all(pingers.map((worker, i) => pingPong(worker, shares[i], pipelined)));
          b.end();
        } finally {
          for (const worker of pingers) worker.terminate();
        }
      },
    });
  }
}

// Against Go, a batch large enough that fixed costs (our channel's set-up, one pipe round trip to
// the Go process, which times the batch itself but is timed here from outside) weigh little.
if (!SMOKE) {
  const anchor = await startGoAnchor();
  // deno-lint-ignore no-console
  if (typeof anchor === "string") console.error(`dispatch_bench: ${anchor}`);
  else {
    const bigCount = SIZES.dispatchAnchorJobCount;
    const big = bigCount.toLocaleString("en-US");
    // One group per worker count, Go the baseline: deno bench's summary ranks a group's benches
    // against its baseline, and the question is ours against Go on as many workers.
    const anchorGroup = (workers: number) =>
      `dispatch: ${big} jobs, ${workersText(workers)}, ours vs Go (${anchor.version})`;
    for (const workers of SIZES.dispatchWorkerCounts) {
      Deno.bench({
        name: `${big} Go channel jobs, ${workersText(workers)}`,
        group: anchorGroup(workers),
        baseline: true,
        ...SIZES.dispatchAnchorIterations,
        async fn(b) {
          b.start();
          await anchor.run(bigCount, workers);
          b.end();
        },
      });
      Deno.bench({
        name: `${big} noop jobs, ${workersText(workers)}`,
        group: anchorGroup(workers),
        ...SIZES.dispatchAnchorIterations,
        async fn(b) {
          await using pool = new WorkerPool({ size: workers, jobKind: noop.name, params });
          await pool.ready();
          await settle();
          b.start();
          await runStep(pool, { jobCount: bigCount, jobName: noop.name, jobEvents: false });
          b.end();
        },
      });
    }
    // Not a bench, which would be a row of the summary: the Go process ends when ours does.
    globalThis.addEventListener("unload", () => anchor.closeSync());
  }
}

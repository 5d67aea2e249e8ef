import assert from "node:assert/strict";
import {
  analyzeConcurrency,
  CHEAPEST_SHARE,
  type ConcurrencyStep,
} from "../src/report/analysis/concurrency.ts";
import { jobRecords } from "../src/step/job_records.ts";

const MIB = 1024 * 1024;

/**
 * A hand-made step: `jobSeconds` is each job's run time as measured in that step, `cpuSeconds`
 * the process's CPU during it; start-up 40 ms and 10 MiB per worker on top of 50 MiB.
 */
function step(
  workers: number,
  concurrency: number,
  seconds: number,
  fields: Partial<ConcurrencyStep> & { jobSeconds?: number } = {},
): ConcurrencyStep {
  const { jobSeconds = 0.005, ...rest } = fields;
  const jobCount = rest.jobCount ?? 200;
  return {
    workers,
    concurrency,
    seconds,
    jobCount,
    completed: jobCount,
    failed: 0,
    cancelled: 0,
    startupSeconds: workers * 0.04,
    peakRssBytes: (50 + 10 * workers) * MIB,
    averageJobSeconds: jobSeconds,
    ...rest,
  };
}

/** 200 jobs awaiting a 5 ms timer, swept over workers 0, 1, 2, 8 × concurrency 1, 64, 256. */
const timerSteps: ConcurrencyStep[] = [
  step(0, 1, 1.03, { cpuSeconds: 0.04, jobSeconds: 0.00515 }),
  step(0, 64, 0.021, { cpuSeconds: 0.012, jobSeconds: 0.0052 }),
  step(0, 256, 0.006, { cpuSeconds: 0.006, jobSeconds: 0.0054 }),
  step(1, 1, 1.02, { cpuSeconds: 0.031, jobSeconds: 0.0051 }),
  step(1, 64, 0.022, { cpuSeconds: 0.014, jobSeconds: 0.0052 }),
  step(1, 256, 0.0061, { cpuSeconds: 0.008, jobSeconds: 0.0054 }),
  step(2, 1, 0.52, { cpuSeconds: 0.035 }),
  step(2, 256, 0.0062, { cpuSeconds: 0.01 }),
  step(8, 1, 0.164, { cpuSeconds: 0.06, startupSeconds: 0.24, peakRssBytes: 180 * MIB }),
  step(8, 64, 0.0059, { cpuSeconds: 0.02, startupSeconds: 0.24, peakRssBytes: 180 * MIB }),
];

Deno.test("analyzeConcurrency() picks inline with 256 in flight for timer jobs, over 8 workers", () => {
  const verdict = analyzeConcurrency(timerSteps, { cpuCount: 2 })!;
  assert.equal(verdict.shape, "waits");
  // From 1 worker × 1: 0.031 s of CPU over 200 × 5.1 ms of run time.
  assert.equal(verdict.cpuShare!.toFixed(3), (0.031 / (200 * 0.0051)).toFixed(3));
  assert.deepEqual([verdict.shareFrom!.workers, verdict.shareFrom!.concurrency], [1, 1]);
  // 8 × 64 took 5.9 ms but 240 ms to start; inline × 256 (6.0 ms) needs no thread: counting
  // start-up it is the fastest and the pick.
  assert.deepEqual([verdict.fastest.workers, verdict.fastest.concurrency], [0, 256]);
  assert.deepEqual([verdict.pick.workers, verdict.pick.concurrency], [0, 256]);
  assert.equal(verdict.showFits, false);
  assert.match(verdict.fitsNote!, /^Amdahl and USL fits are not a reason here: these jobs wait/);
  assert.equal(
    verdict.reason,
    "These jobs wait 97% of their run time: the calling thread × 256 in flight did 200 jobs in " +
      "6.0 ms; 8 workers × 1 in flight took 164.0 ms plus 240.0 ms to start and peaked at " +
      "180 MiB against 50 MiB. By Little's law (jobs in flight = throughput × time a job " +
      "takes), 33,333 jobs/s × 5.1 ms a job is about 170 jobs in flight: on one event loop " +
      "they cost almost nothing while they wait, where each thread costs its start-up and memory.",
  );
});

Deno.test("analyzeConcurrency() picks 1 worker with many in flight for timer jobs when nothing runs inline", () => {
  const verdict = analyzeConcurrency(timerSteps.filter((s) => s.workers > 0))!;
  assert.deepEqual([verdict.pick.workers, verdict.pick.concurrency], [1, 256]);
  assert.match(
    verdict.reason,
    /^These jobs wait 97% of their run time: 1 worker × 256 in flight did 200 jobs in 6\.1 ms plus 40\.0 ms to start; 8 workers × 1 in flight took 164\.0 ms plus 240\.0 ms to start/,
  );
});

/** 16 jobs computing 125 ms each on 2 cores: jobs in flight change nothing. */
const computeSteps: ConcurrencyStep[] = [
  step(0, 1, 2.01, { jobCount: 16, cpuSeconds: 2.0, jobSeconds: 0.1255 }),
  step(1, 1, 2.0, { jobCount: 16, cpuSeconds: 1.98, jobSeconds: 0.125 }),
  step(1, 16, 2.0, { jobCount: 16, cpuSeconds: 1.99, jobSeconds: 0.125 }),
  step(2, 1, 1.01, { jobCount: 16, cpuSeconds: 2.0, jobSeconds: 0.125 }),
  step(2, 16, 1.02, { jobCount: 16, cpuSeconds: 2.01, jobSeconds: 0.126 }),
  // Four threads on two cores: each job's run time doubles while it waits for a core.
  step(4, 1, 1.0, { jobCount: 16, cpuSeconds: 2.02, jobSeconds: 0.25 }),
  step(4, 16, 1.01, { jobCount: 16, cpuSeconds: 2.03, jobSeconds: 0.25 }),
];

Deno.test("analyzeConcurrency() says jobs in flight do not help a computing job and picks the CPU count", () => {
  const verdict = analyzeConcurrency(computeSteps, { cpuCount: 2 })!;
  assert.equal(verdict.shape, "computes");
  assert.deepEqual([verdict.pick.workers, verdict.pick.concurrency], [2, 1]);
  assert.deepEqual(verdict.suggested, { threads: 2, inFlight: 1 });
  assert.equal(verdict.agrees, true);
  assert.equal(verdict.showFits, true);
  assert.equal(verdict.fitsNote, undefined);
  assert.equal(
    verdict.reason,
    "These jobs compute 99% of their run time, so jobs in flight do not help: a job that " +
      "computes holds its thread until it returns, so more in flight have nothing to overlap " +
      "(2 workers × 16 in flight took 1.02 s, 2 workers × 1 in flight took 1.01 s). Use " +
      "threads ≈ the CPUs the run could use (2), one job in flight each: 2 workers × 1 in " +
      "flight is the cheapest within 5% of the best measured throughput (start-up counted), as expected; it did " +
      "16 jobs in 1.01 s plus 80.0 ms to start.",
  );
});

Deno.test("analyzeConcurrency() says so when a computing job's best is not the CPU count", () => {
  // Four threads measured clearly faster than two (say the run had 4 CPUs, not the 2 passed).
  const steps = computeSteps.map((s) => s.workers === 4 ? { ...s, seconds: s.seconds / 2 } : s);
  const verdict = analyzeConcurrency(steps, { cpuCount: 2 })!;
  assert.deepEqual([verdict.pick.workers, verdict.pick.concurrency], [4, 1]);
  assert.equal(verdict.agrees, false);
  assert.match(
    verdict.reason,
    /4 workers × 1 in flight is the cheapest within 5% of the best measured throughput \(start-up counted\), not the 2 threads × 1 in flight the CPU count suggests; it did 16 jobs in 500\.0 ms/,
  );
});

Deno.test("analyzeConcurrency() tells the shape from C = 1 at 1 worker, not from oversubscribed steps", () => {
  // At 8 workers on 2 cores a computing job's run time quadruples: its share there looks "waits".
  const steps = [
    step(8, 1, 1.0, { jobCount: 16, cpuSeconds: 2.0, jobSeconds: 0.5 }),
    step(8, 4, 1.0, { jobCount: 16, cpuSeconds: 2.0, jobSeconds: 0.5 }),
    step(1, 1, 2.0, { jobCount: 16, cpuSeconds: 1.98, jobSeconds: 0.125 }),
  ];
  const verdict = analyzeConcurrency(steps, { cpuCount: 2 })!;
  assert.equal(verdict.steps[0].cpuShare, 0.25);
  assert.equal(verdict.shape, "computes");
  assert.deepEqual([verdict.shareFrom!.workers, verdict.shareFrom!.concurrency], [1, 1]);
});

/** 280 jobs computing 2 ms then awaiting a 5 ms timer, on 2 cores. */
const mixedSteps: ConcurrencyStep[] = [
  step(0, 1, 1.97, { jobCount: 280, cpuSeconds: 0.575, jobSeconds: 0.00703 }),
  step(0, 4, 0.565, { jobCount: 280, cpuSeconds: 0.57, jobSeconds: 0.0079 }),
  step(0, 16, 0.562, { jobCount: 280, cpuSeconds: 0.57, jobSeconds: 0.031 }),
  step(1, 1, 1.96, { jobCount: 280, cpuSeconds: 0.57, jobSeconds: 0.007 }),
  step(1, 4, 0.56, { jobCount: 280, cpuSeconds: 0.57, jobSeconds: 0.0079 }),
  step(1, 16, 0.56, { jobCount: 280, cpuSeconds: 0.57, jobSeconds: 0.031 }),
  step(2, 1, 0.98, { jobCount: 280, cpuSeconds: 0.575, jobSeconds: 0.007 }),
  step(2, 4, 0.282, { jobCount: 280, cpuSeconds: 0.58, jobSeconds: 0.0079 }),
  step(2, 16, 0.276, { jobCount: 280, cpuSeconds: 0.58, jobSeconds: 0.031 }),
  step(4, 1, 0.49, { jobCount: 280, cpuSeconds: 0.59, jobSeconds: 0.007 }),
  step(4, 4, 0.285, { jobCount: 280, cpuSeconds: 0.6, jobSeconds: 0.016 }),
  step(4, 16, 0.283, { jobCount: 280, cpuSeconds: 0.6, jobSeconds: 0.06 }),
];

Deno.test("analyzeConcurrency() picks 2 threads with 4 in flight for a 2 ms compute + 5 ms wait job on 2 cores", () => {
  const verdict = analyzeConcurrency(mixedSteps, { cpuCount: 2 })!;
  assert.equal(verdict.shape, "mixes");
  assert.deepEqual([verdict.pick.workers, verdict.pick.concurrency], [2, 4]);
  // 0.57 s of CPU over 280 × 7 ms: 29%, so 1 + 0.71 / 0.29 = 3.4 → 4 in flight.
  assert.deepEqual(verdict.suggested, { threads: 2, inFlight: 4 });
  assert.equal(verdict.agrees, true);
  assert.equal(verdict.showFits, false);
  assert.equal(
    verdict.reason,
    "These jobs compute 29% of their run time and wait the rest (about 2.0 ms of 7.0 ms a " +
      "job). Threads ≈ the CPUs the run could use (2), each with about 1 + wait ÷ compute = " +
      "1 + 2.4 ≈ 4 in flight, cover the wait (Little's law: a thread busy computing finishes " +
      "a job every 2.0 ms, and each takes 7.0 ms); the measured best agrees: 2 workers × 4 in " +
      "flight is the cheapest within 5% of the best measured throughput (start-up counted); it did 280 jobs in " +
      "282.0 ms plus 80.0 ms to start; the fastest, 2 workers × 16 in flight, took 276.0 ms " +
      "plus 80.0 ms to start.",
  );
});

Deno.test("analyzeConcurrency() says the measured best differs when a mixed job needed more in flight", () => {
  // 4 in flight fell short (say the wait was longer under load): 16 was needed.
  const steps = mixedSteps.map((s) =>
    s.workers === 2 && s.concurrency === 4 ? { ...s, seconds: 0.4 } : s
  );
  const verdict = analyzeConcurrency(steps, { cpuCount: 2 })!;
  assert.deepEqual([verdict.pick.workers, verdict.pick.concurrency], [2, 16]);
  assert.equal(verdict.agrees, false);
  assert.match(
    verdict.reason,
    /the measured best differs: 2 workers × 16 in flight is the cheapest/,
  );
});

Deno.test("analyzeConcurrency() picks the cheaper of two configurations within 5%, and the faster just outside", () => {
  const steps = (twoWorkerSeconds: number) => [
    // Without start-up, so that only the 5% share decides.
    step(1, 1, 1.0, { cpuSeconds: 0.02, startupSeconds: 0 }),
    step(1, 64, twoWorkerSeconds / CHEAPEST_SHARE, { startupSeconds: 0 }),
    step(2, 64, twoWorkerSeconds, { startupSeconds: 0 }),
  ];
  const within = analyzeConcurrency(steps(0.1))!;
  assert.deepEqual([within.pick.workers, within.pick.concurrency], [1, 64]);
  assert.deepEqual([within.fastest.workers, within.fastest.concurrency], [2, 64]);
  const outside = analyzeConcurrency(
    steps(0.1).map((s, i) => i === 1 ? { ...s, seconds: 0.106 } : s),
  )!;
  assert.deepEqual([outside.pick.workers, outside.pick.concurrency], [2, 64]);
  // Threads cost more than jobs in flight: 1 × 64 before 2 × 1 at equal speed.
  const equal = analyzeConcurrency([step(2, 1, 0.1), step(1, 64, 0.1), step(1, 16, 0.1)])!;
  assert.deepEqual([equal.pick.workers, equal.pick.concurrency], [1, 16]);
  // At equal workers and concurrency (unrepeated runs), less start-up then less memory wins.
  const twins = analyzeConcurrency([
    step(1, 4, 0.1, { startupSeconds: 0.05 }),
    step(1, 4, 0.1, { startupSeconds: 0.03, peakRssBytes: 90 * MIB }),
    step(1, 4, 0.1, { startupSeconds: 0.03, peakRssBytes: 70 * MIB }),
  ])!;
  assert.deepEqual([twins.pick.startupSeconds, twins.pick.peakRssBytes], [0.03, 70 * MIB]);
});

Deno.test("analyzeConcurrency() does not pick a step with failed jobs while a clean one exists", () => {
  const steps = [
    step(1, 1, 1.0, { cpuSeconds: 0.02 }),
    step(1, 64, 0.02, { completed: 198, failed: 2 }),
    step(2, 64, 0.05),
  ];
  const verdict = analyzeConcurrency(steps)!;
  assert.deepEqual([verdict.pick.workers, verdict.pick.concurrency], [2, 64]);
  assert.equal(verdict.steps[1].clean, false);
  assert.match(
    verdict.reason,
    / Not considered, for failed or cancelled jobs: 1 worker × 64 in flight\.$/,
  );
  // With no clean step, the measured ones are used and the reason says so.
  const allFailed = analyzeConcurrency(steps.map((s) => ({ ...s, failed: 1 })))!;
  assert.deepEqual([allFailed.pick.workers, allFailed.pick.concurrency], [1, 64]);
  assert.match(
    allFailed.reason,
    / Every step had failed or cancelled jobs, so the verdict rests on partial work\.$/,
  );
});

Deno.test("analyzeConcurrency() reads run time and counts from job records summed over repeats", () => {
  // Two runs pooled, each: 2 done, 1 failed after 0.1 s (it ran: counted), 1 cancelled (not).
  const jobs = jobRecords(
    (["done", "failed", "done", "cancelled"] as const).flatMap((status, i) =>
      [
        {
          jobId: `${i}a`,
          jobNumber: i + 1,
          workerId: "w",
          status,
          elapsedSeconds: 0.1,
          waitSeconds: 0,
        },
        {
          jobId: `${i}b`,
          jobNumber: i + 1,
          workerId: "w",
          status,
          elapsedSeconds: 0.1,
          waitSeconds: 0,
        },
      ] as const
    ),
  );
  const pooled = step(1, 1, 0.3, {
    jobCount: 4,
    completed: 4,
    failed: 2,
    cancelled: 2,
    repeats: 2,
    jobs,
    cpuSeconds: 0.27,
  });
  const verdict = analyzeConcurrency([pooled, { ...pooled, concurrency: 4, seconds: 0.1 }])!;
  // Per run: 2 completed in 0.3 s; 3 jobs ran 0.1 s each, so 0.27 s of CPU is a 90% share.
  assert.equal(verdict.steps[0].throughput!.toFixed(4), (2 / 0.3).toFixed(4));
  assert.equal(verdict.steps[0].cpuShare!.toFixed(6), "0.900000");
  assert.equal(verdict.steps[0].jobSeconds!.toFixed(6), "0.100000");
  assert.equal(verdict.shape, "computes");
});

Deno.test("analyzeConcurrency() calls the shape unknown without CPU seconds and keeps the fits", () => {
  const steps = timerSteps.map(({ cpuSeconds: _, ...rest }) => rest);
  const verdict = analyzeConcurrency(steps)!;
  assert.equal(verdict.shape, "unknown");
  assert.equal(verdict.cpuShare, null);
  assert.equal(verdict.shareFrom, undefined);
  assert.equal(verdict.suggested, undefined);
  assert.equal(verdict.showFits, true);
  assert.deepEqual([verdict.pick.workers, verdict.pick.concurrency], [0, 256]);
  assert.equal(
    verdict.reason,
    "Without the process's CPU seconds, whether these jobs compute or wait is unknown: the " +
      "calling thread × 256 in flight is the cheapest within 5% of the best measured " +
      "throughput (start-up counted); it did 200 jobs in 6.0 ms.",
  );
});

Deno.test("analyzeConcurrency() clamps a CPU share above 1 (the dispatcher's own CPU) to 1", () => {
  const verdict = analyzeConcurrency([
    step(1, 1, 0.01, { cpuSeconds: 0.02, jobSeconds: 1e-5 }),
    step(1, 8, 0.01, { cpuSeconds: 0.02, jobSeconds: 1e-5 }),
  ])!;
  assert.equal(verdict.cpuShare, 1);
  assert.equal(verdict.shape, "computes");
});

Deno.test("analyzeConcurrency() returns undefined for a plain sweep (concurrency 1 throughout)", () => {
  const plain = computeSteps.filter((s) => s.concurrency === 1);
  assert.equal(analyzeConcurrency(plain, { cpuCount: 2 }), undefined);
  assert.equal(analyzeConcurrency([]), undefined);
  // And when no step finished a job in a measurable time.
  assert.equal(analyzeConcurrency([step(1, 4, 0), step(1, 8, 1, { completed: 0 })]), undefined);
});

Deno.test("analyzeConcurrency() does not count the sandbox process's start-up against the calling thread", () => {
  // A job module's inline step reports its process's start-up (about 40 ms); the calling thread
  // of a real program starts nothing. It lost to 1 worker × 64 that took 2 ms longer.
  const steps = [
    step(0, 64, 0.025, { cpuSeconds: 0.01, startupSeconds: 0.045 }),
    step(1, 64, 0.027, { cpuSeconds: 0.01, startupSeconds: 0.023 }),
    step(1, 1, 1.2, { cpuSeconds: 0.04 }),
  ];
  const verdict = analyzeConcurrency(steps, { cpuCount: 2 });
  assert.deepEqual([verdict?.pick.workers, verdict?.pick.concurrency], [0, 64]);
});

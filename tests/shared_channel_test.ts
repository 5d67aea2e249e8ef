import assert from "node:assert/strict";
import {
  ChannelClaimer,
  channelLayout,
  ChannelMain,
  ChannelWatcher,
  CLAIM_END,
  CLAIM_NONE,
  CLAIM_POLICY,
  createJobChannel,
  HEADER,
  isFinal,
  JOB_STATE,
  type JobChannelView,
} from "../src/channel/mod.ts";
import type { ChannelWorkerMessage, ChannelWorkerStart } from "./fixtures/channel_worker.ts";

const WORKER_URL = new URL("./fixtures/channel_worker.ts", import.meta.url);

/** A worker of the fixture, with a promise for how it ended. */
interface Spawned {
  slot: number;
  worker: Worker;
  ended: Promise<ChannelWorkerMessage>;
}

function spawn(start: Omit<ChannelWorkerStart, "idleWaitMs"> & { idleWaitMs?: number }): Spawned {
  const worker = new Worker(WORKER_URL, { type: "module" });
  const ended = new Promise<ChannelWorkerMessage>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<ChannelWorkerMessage>) => resolve(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      reject(new Error(`channel worker ${start.slot} failed: ${event.message}`));
    };
  });
  worker.postMessage({ idleWaitMs: 20, ...start } satisfies ChannelWorkerStart);
  return { slot: start.slot, worker, ended };
}

/** Jobs in a final state, read from the state words. */
function finalJobs(view: JobChannelView): number {
  return view.state.filter(isFinal).length;
}

/**
 * Waits (with Atomics.waitAsync on the progress word, never a sleep) until `target` jobs are
 * final, or fails after `limitMs`.
 *
 * @returns How many times the progress word's notify woke the wait.
 */
async function waitForFinal(view: JobChannelView, target: number, limitMs = 20_000) {
  const deadline = performance.now() + limitMs;
  const watcher = new ChannelWatcher(view);
  let wakes = 0;
  for (;;) {
    const progress = Atomics.load(view.header, HEADER.PROGRESS_I32);
    const done = watcher.poll();
    if (done >= target) return wakes;
    if (performance.now() > deadline) {
      throw new Error(`only ${done} of ${target} jobs final after ${limitMs} ms`);
    }
    const waiting = Atomics.waitAsync(view.header, HEADER.PROGRESS_I32, progress, 50);
    if (waiting.async && (await waiting.value) === "ok") wakes++;
  }
}

function evidenceFor(jobCount: number, order = false): Int32Array {
  const evidence = new Int32Array(new SharedArrayBuffer(4 * jobCount * (order ? 3 : 2)));
  evidence.fill(-1, jobCount, 2 * jobCount);
  return evidence;
}

Deno.test("channelLayout() places every section inside the buffer, aligned and apart", () => {
  for (const [jobs, slots] of [[1, 1], [7, 3], [1000, 130]]) {
    const layout = channelLayout(jobs, slots);
    assert.ok(layout.stateOffsetBytes >= 192);
    assert.equal(layout.slotOffsetBytes, layout.stateOffsetBytes + 4 * jobs);
    assert.equal(layout.retiredOffsetBytes, layout.slotOffsetBytes + 4 * jobs);
    assert.ok(layout.startMsOffsetBytes >= layout.retiredOffsetBytes + 4 * slots);
    assert.equal(layout.startMsOffsetBytes % 8, 0);
    assert.equal(layout.runMsOffsetBytes, layout.startMsOffsetBytes + 8 * jobs);
    assert.equal(layout.outputOffsetBytes, layout.runMsOffsetBytes + 8 * jobs);
    assert.equal(layout.totalBytes, layout.outputOffsetBytes + 8 * jobs);
    const view = createJobChannel(jobs, slots);
    assert.equal(view.buffer.byteLength, layout.totalBytes);
    assert.equal(view.retired.length, slots);
  }
  assert.throws(() => createJobChannel(0, 1), RangeError);
  assert.throws(() => createJobChannel(1, 0), RangeError);
});

Deno.test("a claimer takes jobs in index order, growing its claims, then ends when closed", () => {
  const view = createJobChannel(10_000, 1);
  const main = new ChannelMain(view);
  Atomics.store(view.header, HEADER.LIVE_WORKERS_I32, 1);
  const claimer = new ChannelClaimer(view, 0);
  const order: number[] = [];
  const sizes = new Set<number>();
  for (let index = claimer.next(); index >= 0; index = claimer.next()) {
    sizes.add(claimer.claimSize);
    assert.ok(claimer.begin(index));
    order.push(index);
    assert.equal(claimer.commit(index, JOB_STATE.DONE, 0), JOB_STATE.DONE);
  }
  claimer.flushCompleted();
  assert.deepEqual(order, Array.from({ length: 10_000 }, (_, i) => i));
  assert.equal(finalJobs(view), 10_000);
  // Near-zero jobs: claims grow past 1 (doubling), and shrink again at the tail.
  assert.ok(Math.max(...sizes) >= 64, `claim sizes ${[...sizes]}`);
  assert.ok(sizes.has(1));
  assert.equal(claimer.next(), CLAIM_NONE);
  main.close();
  assert.equal(claimer.next(), CLAIM_END);
});

Deno.test("a claim never takes more than a share of what is left (the tail rule)", () => {
  const view = createJobChannel(100, 1);
  Atomics.store(view.header, HEADER.LIVE_WORKERS_I32, 4);
  const claimer = new ChannelClaimer(view, 0);
  for (let index = claimer.next(); index >= 0; index = claimer.next()) {
    const left = 100 - index;
    assert.ok(
      claimer.claimSize <= Math.max(1, Math.ceil(left / (4 * CLAIM_POLICY.TAIL_SHARES)) + 1),
    );
    claimer.begin(index);
    claimer.commit(index, JOB_STATE.DONE, 0);
  }
});

Deno.test("dealFirstJobs() keeps one job for each starting slot, however fast the others are", () => {
  const view = createJobChannel(10, 3);
  const main = new ChannelMain(view);
  main.setLiveWorkers(3);
  assert.equal(main.dealFirstJobs(3), 3);
  const run = (slot: number) => {
    const claimer = new ChannelClaimer(view, slot);
    const ran: number[] = [];
    for (let index = claimer.next(); index >= 0; index = claimer.next()) {
      if (!claimer.begin(index)) continue;
      ran.push(index);
      claimer.commit(index, JOB_STATE.DONE, 0);
    }
    return ran;
  };
  // Slot 2 starts first and takes everything it can: its own job, then the undealt rest.
  assert.deepEqual(run(2), [2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(run(0), [0]);
  assert.deepEqual(run(1), [1]);
});

Deno.test("ChannelMain asks a running job to stop, settles the unstarted ones and names each end", () => {
  const view = createJobChannel(6, 2);
  const main = new ChannelMain(view);
  main.setLiveWorkers(1);
  const claimer = new ChannelClaimer(view, 1);
  assert.equal(claimer.next(), 0);
  assert.ok(claimer.begin(0));
  assert.equal(claimer.commit(0, JOB_STATE.DONE, 1), JOB_STATE.DONE);
  assert.equal(claimer.next(), 1);
  assert.ok(claimer.begin(1));
  const running = main.stateOf(1);
  assert.equal(main.runningSlot(running), 1);
  assert.equal(main.startedSlot(1, running), 1);
  assert.ok(main.cancelRunning(1, running));
  assert.ok(main.isCancelling(1, running));
  assert.equal(main.runningSlot(main.stateOf(1)), -1, "a job asked to stop no longer runs");
  assert.equal(main.cancelRunning(1, running), false, "only one swap wins");
  assert.ok(main.settle(1, main.stateOf(1)));
  assert.equal(main.isCancelling(1, running), false);
  // Job 2 is claimed, not started; the rest are queued: an abort settles them all, one swap each.
  assert.equal(claimer.next(), 2);
  assert.ok(main.isQueued(main.stateOf(3)));
  main.settleUnstarted("cancelled");
  assert.equal(claimer.begin(2), false, "a job settled unstarted cannot start");
  assert.equal(main.poll(), 6);
  assert.deepEqual(Array.from({ length: 6 }, (_, index) => main.endOf(index)), [
    "done",
    "settled",
    "unstarted-cancelled",
    "unstarted-cancelled",
    "unstarted-cancelled",
    "unstarted-cancelled",
  ]);
  assert.deepEqual(
    Array.from({ length: 6 }, (_, index) => main.startedSlot(index, main.stateOf(index))),
    [1, -1, -1, -1, -1, -1],
  );
});

Deno.test("one worker of the channel begins jobs in index order", async () => {
  const jobCount = 500;
  const view = createJobChannel(jobCount, 1);
  const main = new ChannelMain(view);
  Atomics.store(view.header, HEADER.LIVE_WORKERS_I32, 1);
  const evidence = evidenceFor(jobCount, true);
  const one = spawn({
    channel: view.buffer,
    evidence: evidence.buffer as SharedArrayBuffer,
    slot: 0,
    jitterMicros: 5,
    dieAfterPoints: 0,
    recordOrder: true,
  });
  await waitForFinal(view, jobCount);
  main.close();
  assert.deepEqual(await one.ended, { type: "exited", slot: 0, ran: jobCount });
  assert.deepEqual(
    [...evidence.subarray(2 * jobCount)],
    Array.from({ length: jobCount }, (_, i) => i),
  );
  one.worker.terminate();
});

Deno.test("4 contending workers run every job exactly once, over 25 jittered batches", async () => {
  for (let iteration = 0; iteration < 25; iteration++) {
    const jobCount = 200 + Math.floor(Math.random() * 3000);
    const view = createJobChannel(jobCount, 4);
    const main = new ChannelMain(view);
    Atomics.store(view.header, HEADER.LIVE_WORKERS_I32, 4);
    const evidence = evidenceFor(jobCount);
    const workers = [0, 1, 2, 3].map((slot) =>
      spawn({
        channel: view.buffer,
        evidence: evidence.buffer as SharedArrayBuffer,
        slot,
        jitterMicros: [0, 2, 20][iteration % 3],
        dieAfterPoints: 0,
      })
    );
    await waitForFinal(view, jobCount);
    main.close();
    const ends = await Promise.all(workers.map((w) => w.ended));
    for (const w of workers) w.worker.terminate();
    assert.equal(
      ends.reduce((sum, end) => sum + (end.type === "exited" ? end.ran : 0), 0),
      jobCount,
    );
    for (let index = 0; index < jobCount; index++) {
      assert.equal(evidence[index], 1, `job ${index} ran ${evidence[index]} times`);
      assert.equal(view.state[index], JOB_STATE.DONE);
      assert.equal(evidence[jobCount + index], view.slot[index]);
    }
    assert.equal(finalJobs(view), jobCount);
  }
});

Deno.test("closing the channel sends idle workers home and hands back unstarted claims", async () => {
  const jobCount = 64;
  const view = createJobChannel(jobCount, 2);
  const main = new ChannelMain(view);
  Atomics.store(view.header, HEADER.LIVE_WORKERS_I32, 2);
  // Slot 1 (this thread) takes jobs 0 and 1, which claims job 2 with them, and starts none.
  const hog = new ChannelClaimer(view, 1);
  assert.deepEqual([hog.next(), hog.next()], [0, 1]);
  assert.equal(Atomics.load(view.header, HEADER.CLAIM_CURSOR_I32), 3);
  const evidence = evidenceFor(jobCount);
  const worker = spawn({
    channel: view.buffer,
    evidence: evidence.buffer as SharedArrayBuffer,
    slot: 0,
    jitterMicros: 0,
    dieAfterPoints: 0,
    idleWaitMs: 60_000,
  });
  await waitForFinal(view, jobCount - 3);
  // The worker is now idle in a 60 s wait: only the close's notify can end it in time.
  const closedAt = performance.now();
  main.close();
  assert.deepEqual(await worker.ended, { type: "exited", slot: 0, ran: jobCount - 3 });
  assert.ok(performance.now() - closedAt < 5_000);
  worker.worker.terminate();
  assert.equal(hog.next(), CLAIM_END, "a closed channel gives no more jobs");
  // Job 2 was claimed but never handed out: it went back. Jobs 0 and 1 were handed out, so
  // they stay the hog's until a dispatcher reclaims its slot.
  assert.equal(view.state[2], JOB_STATE.QUEUED);
  assert.equal(view.state[0], view.state[1]);
  assert.equal(main.reclaimSlot(1, () => assert.fail("slot 1 started nothing")), 2);
});

Deno.test("requeued jobs wake an idle worker, and the main thread is woken in batches", async () => {
  const jobCount = 20_000;
  const view = createJobChannel(jobCount, 2);
  const main = new ChannelMain(view);
  Atomics.store(view.header, HEADER.LIVE_WORKERS_I32, 1);
  // Slot 0 claims the first jobs and "dies" holding them.
  const dead = new ChannelClaimer(view, 0);
  const held = [dead.next(), dead.next(), dead.next()];
  assert.deepEqual(held, [0, 1, 2]);
  const evidence = evidenceFor(jobCount);
  const worker = spawn({
    channel: view.buffer,
    evidence: evidence.buffer as SharedArrayBuffer,
    slot: 1,
    jitterMicros: 0,
    dieAfterPoints: 0,
    idleWaitMs: 60_000,
  });
  const wakes = await waitForFinal(view, jobCount - held.length);
  // Tens of thousands of jobs, a handful of wake-ups: never one per job.
  assert.ok(wakes < jobCount / 20, `${wakes} wake-ups for ${jobCount} jobs`);
  // The worker idles in a 60 s wait; reclaiming slot 0 must wake it.
  const requeuedAt = performance.now();
  assert.equal(main.reclaimSlot(0, () => assert.fail("slot 0 started nothing")), 3);
  await waitForFinal(view, jobCount, 5_000);
  assert.ok(performance.now() - requeuedAt < 5_000);
  main.close();
  await worker.ended;
  worker.worker.terminate();
  for (const index of held) assert.equal(view.slot[index], 1);
  assert.equal(dead.begin(held[1]), false, "a retired slot cannot start what it held");
});

Deno.test("killing and retiring workers at random points loses, repeats and misrecords no job", async () => {
  const POINTS = 60;
  const deathPoints = new Set<string>();
  let settledTotal = 0;
  let requeuedRuns = 0;
  for (let iteration = 0; iteration < 30; iteration++) {
    const jobCount = 300 + Math.floor(Math.random() * 1500);
    const capacity = 40;
    const view = createJobChannel(jobCount, capacity);
    const main = new ChannelMain(view);
    const evidence = evidenceFor(jobCount);
    const live = new Map<number, Spawned>();
    const all: Spawned[] = [];
    const settledByMain = new Set<number>();
    let nextSlot = 0;
    const start = () => {
      const slot = nextSlot++;
      // Most workers die at a random claim point; some live to the end.
      const dieAfterPoints = Math.random() < 0.7 ? 1 + Math.floor(Math.random() * POINTS) : 0;
      const spawned = spawn({
        channel: view.buffer,
        evidence: evidence.buffer as SharedArrayBuffer,
        slot,
        jitterMicros: Math.random() * 10,
        dieAfterPoints,
      });
      live.set(slot, spawned);
      all.push(spawned);
      Atomics.store(view.header, HEADER.LIVE_WORKERS_I32, live.size);
      spawned.ended.then((end) => {
        if (end.type === "dying") deathPoints.add(end.point);
        if (end.type === "dying" && live.get(slot) === spawned) retire(slot);
      });
    };
    // What a dispatcher does for a dead or given-up worker: requeue, fail what it started.
    const retire = (slot: number) => {
      live.delete(slot);
      requeuedRuns += main.reclaimSlot(slot, (index, state) => {
        if (main.settle(index, state)) settledByMain.add(index);
      });
      if (nextSlot < capacity) start();
      else if (live.size === 0) {
        for (let index = 0; index < jobCount; index++) {
          const state = Atomics.load(view.state, index);
          if (!isFinal(state) && main.settle(index, state)) settledByMain.add(index);
        }
      }
    };
    for (let i = 0; i < 3; i++) start();
    // Give up on a random live worker (its thread keeps running) at random completion counts.
    const retireAt = new Set([Math.random(), Math.random()].map((f) => Math.floor(f * jobCount)));
    const deadline = performance.now() + 30_000;
    const watcher = new ChannelWatcher(view);
    for (;;) {
      const progress = Atomics.load(view.header, HEADER.PROGRESS_I32);
      // A retired thread may claim or start a job after its retirement and then die: the
      // dispatcher's later looks find such jobs.
      const done = watcher.poll(
        undefined,
        (index, state) =>
          main.reclaimOrphan(index, state, (index, state) => {
            if (main.settle(index, state)) settledByMain.add(index);
          }),
      );
      if (done >= jobCount) break;
      if (performance.now() > deadline) {
        const stuck = [...view.state.entries()].filter(([, state]) => !isFinal(state));
        assert.fail(
          `iteration ${iteration} stalled: ${done} of ${jobCount}, live ${[
            ...live.keys(),
          ]}, next slot ${nextSlot}, stuck ${JSON.stringify(stuck.slice(0, 10))}, cursor ${
            view.header[HEADER.CLAIM_CURSOR_I32]
          }, scan from ${view.header[HEADER.SCAN_FROM_INDEX_I32]}`,
        );
      }
      for (const at of retireAt) {
        if (done >= at && live.size > 0) {
          retireAt.delete(at);
          const slots = [...live.keys()];
          const victim = slots[Math.floor(Math.random() * slots.length)];
          if (Math.random() < 0.5) live.get(victim)!.worker.terminate();
          retire(victim);
        }
      }
      const waiting = Atomics.waitAsync(view.header, HEADER.PROGRESS_I32, progress, 20);
      if (waiting.async) await waiting.value;
    }
    main.close();
    await Promise.all([...live.values()].map((w) => w.ended));
    for (const w of all) w.worker.terminate();

    assert.equal(finalJobs(view), jobCount);
    for (let index = 0; index < jobCount; index++) {
      const state = view.state[index];
      const runs = evidence[index];
      if (state === JOB_STATE.DONE) {
        assert.equal(runs, 1, `done job ${index} ran ${runs} times`);
        // The record is the committer's: a retired thread wrote nothing into it.
        assert.equal(view.runMs[index], view.slot[index] + 0.5, `job ${index}'s record`);
        const committer = evidence[jobCount + index];
        assert.ok(committer === -1 || committer === view.slot[index], `job ${index} committer`);
      } else {
        assert.equal(state, JOB_STATE.SETTLED, `job ${index} left in state ${state}`);
        assert.ok(settledByMain.has(index));
        assert.ok(runs <= 1, `failed job ${index} ran ${runs} times`);
        settledTotal++;
      }
    }
  }
  // The deaths did land between the claim's steps, and some work did move.
  assert.ok(deathPoints.size >= 4, `died at ${[...deathPoints]}`);
  assert.ok(
    settledTotal > 0 && requeuedRuns > 0,
    `${settledTotal} settled, ${requeuedRuns} requeued`,
  );
});

Deno.test("maxClaimJobs caps every claim, down to one job at a time", () => {
  const view = createJobChannel(10_000, 1, 1);
  const claimer = new ChannelClaimer(view, 0);
  for (let n = 0; n < 2000; n++) {
    const index = claimer.next();
    assert.ok(claimer.begin(index));
    claimer.commit(index, JOB_STATE.DONE, 0.0001);
    assert.ok(claimer.claimSize <= 1, `claim of ${claimer.claimSize}`);
  }
  assert.throws(() => createJobChannel(4, 1, 0), /maxClaimJobs must be a positive integer/);
  const adaptive = new ChannelClaimer(createJobChannel(10_000, 1), 0);
  let largest = 0;
  for (let n = 0; n < 2000; n++) {
    const index = adaptive.next();
    adaptive.begin(index);
    adaptive.commit(index, JOB_STATE.DONE, 0.0001);
    largest = Math.max(largest, adaptive.claimSize);
  }
  // Short jobs are claimed many at a time without the cap.
  assert.ok(largest > 1, `largest claim ${largest}`);
});

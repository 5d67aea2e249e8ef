/**
 * The inline step's own process (`deno run` with only the job's grants): reads
 * the batch from stdin, loads the job module, runs the batch on its main thread
 * with the same inline step the calling thread would run, and reports the
 * step on stdout (see `_inline_protocol.ts`). Run only by `_inline_process.ts`.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { deserialize, serialize } from "node:v8";
import { startCpuClock } from "../clock.ts";
import type { JobRunner } from "../jobs/job.ts";
import { moduleJob } from "../jobs/module.ts";
import { installJobConsole } from "../pool/job_signals.ts";
import { errorMessage } from "../text.ts";
import { serializeError } from "../pool/protocol.ts";
import { type InlineReply, type InlineRequest, STATUS_CODES } from "./_inline_protocol.ts";
import { linkCancelFlag, runInlineStep } from "./inline_step.ts";

// Kept before the job's module loads: a job that replaces them (`Deno.stdout`, its
// `writeSync`, `TextEncoder.prototype.encode`, `Uint8Array.prototype.subarray`) can neither
// silence this process nor read its lines, whose nonce would let it forge the step's reply.
const writeSync = Deno.stdout.writeSync.bind(Deno.stdout);
const textEncoder = new TextEncoder();
const encode = textEncoder.encode.bind(textEncoder);
const subarray = Function.prototype.call.bind(Uint8Array.prototype.subarray) as (
  bytes: Uint8Array,
  start: number,
) => Uint8Array;
const writeLine = (text: string) => {
  const bytes = encode(text);
  for (let written = 0; written < bytes.length;) {
    written += writeSync(subarray(bytes, written));
  }
};
const exit = Deno.exit;
const writeErrSync = Deno.stderr.writeSync.bind(Deno.stderr);
const quote = JSON.stringify;
// An error no job code caught (a throw from a job's timer, or from this process's bookkeeping
// when a job replaced a built-in it records with) ends the process in one line on stderr, not
// Deno's trace: the step then counts its jobs failed, as a worker's crash does. Added before
// any job code, so these run first.
function endOnUncaught(event: Event, error: unknown): void {
  event.preventDefault();
  const { name, message } = serializeError(error, { stack: false });
  writeErrSync(encode(
    `deno-channels: the inline step's process ended on an uncaught ${name}: ${quote(message)}\n`,
  ));
  exit(1);
}
addEventListener("error", (event) => endOnUncaught(event, event.error));
addEventListener("unhandledrejection", (event) => endOnUncaught(event, event.reason));
// The job's console output goes to stderr, prefixed and escaped as a worker's, and never mixes
// with the protocol's lines on stdout.
installJobConsole();

async function readRequest(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<{ request: InlineRequest; rest: number }> {
  let buffered = new Uint8Array(0);
  const append = (chunk: Uint8Array) => {
    const joined = new Uint8Array(buffered.length + chunk.length);
    joined.set(buffered);
    joined.set(chunk, buffered.length);
    buffered = joined;
  };
  while (buffered.length < 4 || buffered.length < 4 + frameLength(buffered)) {
    const { value, done } = await reader.read();
    if (done) exit(1);
    append(value!);
  }
  const length = frameLength(buffered);
  return {
    request: deserialize(buffered.subarray(4, 4 + length)) as InlineRequest,
    rest: buffered.length - 4 - length,
  };
}

function frameLength(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
}

const send = (nonce: string, type: string, value?: unknown) =>
  writeLine(
    `\n${nonce} ${type}${
      value === undefined ? "" : ` ${Buffer.from(serialize(value)).toString("base64")}`
    }\n`,
  );

const reader = Deno.stdin.readable.getReader();
const { request, rest } = await readRequest(reader);
const { nonce } = request;
/** A thread of its own running `code` (a `data:` module: no read grant needed to load it). */
function threadOf(code: string): Worker {
  return new Worker(`data:text/javascript,${encodeURIComponent(code)}`, { type: "module" });
}

const controller = new AbortController();
const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
linkCancelFlag(controller.signal, cancelFlag);
// [the number of the job running on this thread or 0, how many jobs have started]: written
// around every job (two atomic stores and an add), read by the threads below.
const running = new Int32Array(new SharedArrayBuffer(8));
/**
 * After a cancel, how long the running job may go on before the stdin thread says which job
 * holds this thread (the step that started this process kills it 250 ms after the cancel).
 */
const HELD_NOTICE_MS = 150;
// Any byte after the request, or the end of stdin (the sweep went away), cancels the step. Read
// on a thread of its own, which raises the step's cancel flag at once: a batch of synchronous
// jobs never yields to this thread's event loop, and would otherwise run on until killed (its
// done jobs then unreported). The flag is read between jobs and by `shouldStop()`. With one
// job at a time, a job still running shortly after is named (`held`), so that the jobs
// before it are known to have finished when this process is killed.
reader.releaseLock();
if (rest > 0) controller.abort();
else {
  const code = `self.onmessage = async ({ data }) => {
    const flag = new Int32Array(data.flag);
    const running = new Int32Array(data.running);
    try {
      await Deno.stdin.readable.getReader().read();
    } finally {
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      self.postMessage("cancel");
      if (data.serial) {
        setTimeout(() => {
          const job = Atomics.load(running, 0), count = Atomics.load(running, 1);
          if (job === 0) return;
          const line = "\\n" + data.nonce + " held " + job + "," + count + "\\n";
          Deno.stdout.writeSync(new TextEncoder().encode(line));
        }, data.noticeMs);
      }
    }
  };`;
  const stdinWatch = threadOf(code);
  stdinWatch.onmessage = () => controller.abort();
  stdinWatch.postMessage({
    flag: cancelFlag.buffer,
    running: running.buffer,
    nonce,
    serial: (request.concurrency ?? 1) === 1,
    noticeMs: HELD_NOTICE_MS,
  });
}

const params = { moduleUrl: request.moduleUrl, jobArgs: request.jobArgs };
let runner: JobRunner<unknown>;
try {
  runner = await moduleJob.createRunner(params, undefined);
} catch (error) {
  send(nonce, "init-error", errorMessage(error));
  exit(1);
}
/** Marks each job in `running` as it runs: which job holds this thread, how many started. */
function tracked(inner: JobRunner<unknown>): JobRunner<unknown> {
  return (context) => {
    Atomics.store(running, 0, context.jobNumber ?? 0);
    Atomics.add(running, 1, 1);
    try {
      return inner(context);
    } finally {
      Atomics.store(running, 0, 0);
    }
  };
}

/**
 * With a job timeout, a watchdog on a thread of its own: a job that holds this thread past its
 * timeout (a synchronous loop, which the step's own timeout cannot end) is reported by number on
 * stdout (with how many jobs had started, warm-up runs included), and the step that started this
 * process kills it.
 */
function watch(timeoutMs: number): void {
  const code = `self.onmessage = ({ data }) => {
    const running = new Int32Array(data.buffer);
    let started = -1, since = 0;
    setInterval(() => {
      const job = Atomics.load(running, 0), count = Atomics.load(running, 1);
      if (job === 0 || count !== started) { started = count; since = performance.now(); return; }
      if (performance.now() - since < data.timeoutMs + data.graceMs) return;
      const line = "\\n" + data.nonce + " stuck " + job + "," + count + "\\n";
      Deno.stdout.writeSync(new TextEncoder().encode(line));
      self.close();
    }, Math.max(5, Math.min(250, data.timeoutMs / 4)));
  };`;
  const watchdog = threadOf(code);
  watchdog.postMessage({ buffer: running.buffer, timeoutMs, graceMs: 250, nonce });
}
runner = tracked(runner!);
if (request.jobTimeoutMs !== undefined) watch(request.jobTimeoutMs);
send(nonce, "ready");
const cpuClock = startCpuClock();
const result = await runInlineStep({
  // The module is loaded: the step starts with its runner, as a worker's step does.
  kind: { ...moduleJob, createRunner: () => runner },
  params,
  setup: undefined,
  jobCount: request.jobCount,
  inputs: request.inputs,
  signal: controller.signal,
  jobName: request.jobName,
  warmup: request.warmup,
  concurrency: request.concurrency,
  jobTimeoutMs: request.jobTimeoutMs,
  keepOutputs: request.keepOutputs,
});
const cpuSeconds = cpuClock();

const { jobs } = result;
const reply: InlineReply = {
  seconds: result.seconds,
  peakRssBytes: result.peakRssBytes,
  cpuSeconds,
  concurrency: result.concurrency ?? 1,
  status: new Uint8Array(jobs.length),
  started: new Uint8Array(jobs.length),
  elapsedSeconds: new Float32Array(jobs.length),
  waitSeconds: new Float32Array(jobs.length),
  details: [],
};
// Index writes and counted loops below, not `push` or `for…of`: the job shares this realm and may
// have replaced `Array.prototype.push` or the array iterator.
const details = reply.details;
for (let index = 0; index < jobs.length; index++) {
  const status = jobs.status(index);
  reply.status[index] = STATUS_CODES[status];
  reply.started[index] = jobs.started(index) ? 1 : 0;
  reply.elapsedSeconds[index] = jobs.elapsedSeconds(index);
  reply.waitSeconds[index] = jobs.waitSeconds(index);
  if (status === "done") {
    const output = jobs.output(index);
    const outputDigest = jobs.outputDigest?.(index);
    if (typeof output === "number") details[details.length] = [index, { output }];
    else if (output !== null || outputDigest) {
      // Not kept (keepOutputs false), an output still has its digest and summary.
      const { summary } = jobs.get(index);
      details[details.length] = [index, { output: output ?? undefined, outputDigest, summary }];
    }
  } else if (jobs.started(index)) {
    details[details.length] = [index, { error: jobs.get(index).error }];
  }
}
try {
  send(nonce, "result", reply);
} catch {
  // An output that cannot be cloned (a function, a socket) fails its job, as in a worker.
  for (let i = 0; i < details.length; i++) {
    const entry = details[i];
    try {
      serialize(entry[1]);
    } catch (error) {
      const index = entry[0];
      reply.status[index] = STATUS_CODES.failed;
      const { name, message } = serializeError(error, { stack: false });
      entry[1] = {
        error: { name, message: `Job ${index + 1} (${request.jobName}) failed: ${message}` },
      };
    }
  }
  send(nonce, "result", reply);
}
exit(0);

/**
 * The inline step of a job module in a sandbox: the batch runs on the main
 * thread of a Deno process of its own (`_inline_entry.ts`), started with only
 * the job's grants, `--no-prompt`, `--cached-only` and `--no-npm` (unless the
 * job is granted `npm`), so a custom module never runs with the calling
 * program's permissions. The process times the step and each job itself, as
 * the inline step on the calling thread does; its start-up
 * (Deno, the module's load) is the step's `startupSeconds`, as a pool's is.
 * On a cancel it is asked to stop between jobs and killed when it does not.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { deserialize, serialize } from "node:v8";
import { JobCancelledError, JobTimeoutError } from "../errors.ts";
import type { JobKind, JobParams, JobPermissions } from "../jobs/job.ts";
import type { SweepStep } from "../types.ts";
import type { InlineReply, InlineRequest } from "./_inline_protocol.ts";
import { JobIds } from "./job_ids.ts";
import { JobColumnsBuilder, type JobRecordError } from "./job_records.ts";

/** What the inline step passes on (its own options, without an import of them: no cycle). */
interface InlineStepOptions {
  kind: JobKind;
  params: JobParams;
  jobCount: number;
  inputs?: readonly unknown[];
  signal?: AbortSignal;
  jobName: string;
  warmup?: number;
  concurrency?: number;
  jobTimeoutMs?: number;
  keepOutputs?: boolean;
  startupTimeoutMs?: number;
}

const ENTRY_URL = new URL("./_inline_entry.ts", import.meta.url).href;
/** How long the process may take to stop after a cancel before it is killed, in milliseconds. */
const CANCEL_GRACE_MS = 250;
/** How long the process may take to exit once it has replied, in milliseconds. */
const EXIT_AFTER_REPLY_MS = 1000;
const STATUSES = ["done", "failed", "cancelled"] as const;
const CANCELLED_BEFORE_START = {
  error: { name: JobCancelledError.name, message: "The sweep was cancelled before it started" },
};
const PERMISSION_NAMES = ["read", "write", "net", "env", "import"] as const;

/** The URLs this process has already cached for an inline process, npm's by `npm:URL`. */
const cached = new Set<string>();

/** The Deno flags that grant exactly `permissions`. */
function permissionFlags(permissions: JobPermissions): string[] {
  return PERMISSION_NAMES.flatMap((name) => {
    const list = permissions[name];
    if (!list?.length) return [];
    const comma = list.find((value) => value.includes(","));
    if (comma !== undefined) {
      throw new TypeError(
        `Cannot run the inline step in its sandbox: the ${name} grant "${comma}" holds a comma, which Deno's --allow-${name} cannot take`,
      );
    }
    return [`--allow-${name}=${list.join(",")}`];
  });
}

/**
 * The process runs with `--cached-only` (a job cannot download, so cannot carry data out in a
 * URL): the entry, when the library was loaded from a URL, and the module's static graph (its
 * npm packages too when `npm` is granted) are fetched first, once per process. A module that
 * cannot be fetched fails to load in the process.
 */
async function cacheModules(moduleUrl: string, npm: boolean): Promise<void> {
  const key = (url: string) => npm ? `npm:${url}` : url;
  const urls = [moduleUrl, ENTRY_URL].filter((url) => !url.startsWith("file:") || url === moduleUrl)
    .filter((url) => !cached.has(key(url)));
  if (urls.length === 0) return;
  await new Deno.Command(Deno.execPath(), {
    // Never the lock file: a job module is not the program's dependency.
    args: ["cache", ...npmFlags(npm), "--no-lock", ...urls],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
  for (const url of urls) cached.add(key(url));
}

/** `--no-npm` unless the job is granted its npm packages. */
function npmFlags(npm: boolean): string[] {
  return npm ? [] : ["--no-npm"];
}

function requestFrame(request: InlineRequest): Uint8Array {
  const body = serialize(request);
  const frame = new Uint8Array(4 + body.length);
  new DataView(frame.buffer).setUint32(0, body.length, true);
  frame.set(body, 4);
  return frame;
}

/** What the process said: its start-up time, its reply, or why it could not load. */
interface Heard {
  startupSeconds?: number;
  reply?: InlineReply;
  initError?: string;
  /** The job that held the process past its timeout, and how many jobs had started by then. */
  stuck?: { jobNumber: number; started: number };
  /** The job that still held the process after a cancel, and how many jobs had started. */
  held?: { jobNumber: number; started: number };
  /** When the process said it was ready, and when it said a job was stuck (`performance.now()`). */
  readyMs?: number;
  stuckMs?: number;
}

/** Reads the process's stdout: its own lines by nonce; the job's output goes on to stderr. */
async function listen(
  stdout: ReadableStream<Uint8Array>,
  nonce: string,
  startMs: number,
  onStuck: () => void,
  onReady: () => void,
  onReplied: () => void,
): Promise<Heard> {
  const heard: Heard = {};
  const encoder = new TextEncoder();
  const passOn = (text: string) => {
    if (text !== "") Deno.stderr.writeSync(encoder.encode(text));
  };
  const onLine = (line: string) => {
    const at = line.indexOf(`${nonce} `);
    if (at < 0) return passOn(`${line}\n`);
    passOn(line.slice(0, at));
    const [type, payload = ""] = line.slice(at + nonce.length + 1).split(" ");
    if (type === "held" || type === "stuck") {
      const [jobNumber, started] = payload.split(",").map(Number);
      if (!Number.isSafeInteger(jobNumber) || !Number.isSafeInteger(started) || jobNumber < 1) {
        return;
      }
      if (type === "held") {
        heard.held = { jobNumber, started };
        return;
      }
      heard.stuck = { jobNumber, started };
      heard.stuckMs = performance.now();
      return onStuck();
    }
    let value: unknown;
    try {
      value = payload === "" ? undefined : deserialize(Buffer.from(payload, "base64"));
    } catch {
      value = undefined;
    }
    if (type === "ready") {
      heard.readyMs = performance.now();
      heard.startupSeconds = (heard.readyMs - startMs) / 1000;
      onReady();
    } else if (type === "result") {
      heard.reply = value as InlineReply;
      onReplied();
    } else if (type === "init-error") heard.initError = String(value);
  };
  // The pieces of the line not yet ended: the result's line can be hundreds of megabytes, and
  // joining at each chunk would copy it over and over.
  let pending: string[] = [];
  for await (const text of stdout.pipeThrough(new TextDecoderStream())) {
    let start = 0;
    for (let end = text.indexOf("\n"); end >= 0; end = text.indexOf("\n", start)) {
      const line = pending.join("") + text.slice(start, end);
      pending = [];
      if (line !== "") onLine(line);
      start = end + 1;
    }
    if (start < text.length) pending.push(text.slice(start));
  }
  passOn(pending.join(""));
  return heard;
}

/**
 * Whether `reply` is a reply for `jobCount` jobs: the columns' types and lengths, statuses and
 * times in range, details by index. The process shares its realm with the job, so a job that
 * tampered with it could send anything; what is not a reply counts as none.
 */
function isReply(reply: unknown, jobCount: number): reply is InlineReply {
  if (typeof reply !== "object" || reply === null) return false;
  const r = reply as InlineReply;
  const time = (value: unknown) =>
    typeof value === "number" && Number.isFinite(value) && value >= 0;
  const column = (value: unknown, type: typeof Uint8Array | typeof Float32Array) =>
    value instanceof type && value.length === jobCount && value.every(time);
  return time(r.seconds) && time(r.peakRssBytes) &&
    (r.cpuSeconds === undefined || time(r.cpuSeconds)) &&
    Number.isSafeInteger(r.concurrency) && r.concurrency >= 1 &&
    column(r.status, Uint8Array) && r.status.every((code) => code <= 2) &&
    column(r.started, Uint8Array) && column(r.elapsedSeconds, Float32Array) &&
    column(r.waitSeconds, Float32Array) && Array.isArray(r.details) &&
    r.details.every((entry) =>
      Array.isArray(entry) && Number.isSafeInteger(entry[0]) && entry[0] >= 0 &&
      entry[0] < jobCount && typeof entry[1] === "object" && entry[1] !== null
    );
}

/** The step's records from the process's reply, or every job failed or cancelled without one. */
function stepRecords(
  options: InlineStepOptions,
  reply: InlineReply | undefined,
  unreported: { status: "failed" | "cancelled"; error: JobRecordError },
) {
  const { jobCount } = options;
  // One shared detail: the cancel of a job the process never started, or why none was reported.
  const columns = new JobColumnsBuilder(jobCount, 1, [
    reply ? CANCELLED_BEFORE_START : { error: unreported.error },
  ]);
  columns.keepOutputs = options.keepOutputs ?? true;
  const counts = { completed: 0, failed: 0, cancelled: 0 };
  let doneSeconds = 0;
  const details = new Map(reply?.details);
  for (let index = 0; index < jobCount; index++) {
    const status = reply ? STATUSES[reply.status[index]] : unreported.status;
    counts[status === "done" ? "completed" : status]++;
    if (!reply?.started[index]) {
      columns.setUnstarted(index, status, 0, reply?.waitSeconds[index] ?? 0);
      continue;
    }
    const elapsed = reply.elapsedSeconds[index];
    const wait = reply.waitSeconds[index];
    const detail = details.get(index);
    if (status !== "done") columns.set(index, status, 0, elapsed, wait, detail);
    else if (typeof detail?.output === "number") {
      columns.setNumber(index, 0, elapsed, wait, detail.output);
    } else if (detail === undefined) columns.set(index, "done", 0, elapsed, wait);
    else columns.set(index, "done", 0, elapsed, wait, detail);
    if (status === "done") doneSeconds += elapsed;
  }
  return {
    ...counts,
    averageJobSeconds: counts.completed === 0 ? 0 : doneSeconds / counts.completed,
    jobs: columns.seal(new JobIds(), () => "inline"),
  };
}

/**
 * The records of a step whose process was killed because job `jobNumber` held its thread past
 * the timeout, or (`cancelled`) past the grace after a cancel: that job timed out or was
 * cancelled; in the timed run the jobs before it had finished, but their results went with the
 * process; the rest never ran.
 */
function stuckRecords(
  options: InlineStepOptions,
  stuck: { jobNumber: number; started: number },
  cancelled = false,
) {
  const { jobCount, jobName, jobTimeoutMs } = options;
  const inTimedRun = stuck.started > (options.warmup ?? 0) * jobCount;
  const why = `job ${stuck.jobNumber} ${
    cancelled
      ? `did not stop within ${CANCEL_GRACE_MS} ms of the cancel`
      : `ran past its ${jobTimeoutMs} ms timeout`
  }${inTimedRun ? "" : " in a warm-up run"} and held the inline step's process, which was killed`;
  const lost = { error: { name: "Error", message: `Its result was lost: ${why}` } };
  const notRun = { error: { name: JobCancelledError.name, message: `Not run: ${why}` } };
  const columns = new JobColumnsBuilder(jobCount, 1, [lost, notRun]);
  const counts = { completed: 0, failed: 0, cancelled: 0 };
  for (let index = 0; index < jobCount; index++) {
    const jobNumber = index + 1;
    if (jobNumber === stuck.jobNumber && cancelled) {
      const message = `Job ${jobNumber} (${jobName}) cancelled: ${why}`;
      columns.set(index, "cancelled", 0, 0, 0, {
        error: { name: JobCancelledError.name, message },
      });
      counts.cancelled++;
    } else if (jobNumber === stuck.jobNumber) {
      const message = `Job ${jobNumber} (${jobName}) timed out after ${jobTimeoutMs} ms`;
      columns.set(index, "failed", 0, (jobTimeoutMs ?? 0) / 1000, 0, {
        error: { name: JobTimeoutError.name, message },
      });
      counts.failed++;
    } else if (inTimedRun && jobNumber < stuck.jobNumber) {
      columns.setUnstarted(index, "failed", 0, 0);
      counts.failed++;
    } else {
      columns.setUnstarted(index, "cancelled", 1, 0);
      counts.cancelled++;
    }
  }
  return { ...counts, averageJobSeconds: 0, jobs: columns.seal(new JobIds(), () => "inline") };
}

/**
 * Runs a job module's inline step in a process of its own with only `permissions`.
 *
 * @param options What the inline step needs (its `kind` is the module job).
 * @param permissions What the job may touch: the process's only grants.
 * @param repeat Which run of the sweep it belongs to.
 * @param loadAverage The 1-minute load average as the step began, when readable.
 * @returns The step, timed inside the process; its start-up as `startupSeconds`.
 * @throws {TypeError} When the module cannot be loaded, or a grant cannot be passed to Deno.
 * @throws {Error} When this program may not start a process (`--allow-run`).
 */
export async function inlineProcessSweepStep(
  options: InlineStepOptions,
  permissions: JobPermissions,
  repeat: number,
  loadAverage: number | undefined,
): Promise<SweepStep> {
  const { signal } = options;
  const moduleUrl = String(options.params.moduleUrl);
  const flags = permissionFlags(permissions);
  if (Deno.permissions.querySync({ name: "run", command: Deno.execPath() }).state !== "granted") {
    throw new Error(
      `Cannot run the inline step of ${options.jobName} in its sandbox: it runs in a Deno process of its own, which needs --allow-run`,
    );
  }
  const npm = permissions.npm === true;
  await cacheModules(moduleUrl, npm);
  signal?.throwIfAborted();
  const nonce = crypto.randomUUID();
  const startMs = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      "--cached-only",
      ...npmFlags(npm),
      "--no-lock",
      ...flags,
      ENTRY_URL,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  let readyTimer: ReturnType<typeof setTimeout> | undefined;
  let exitTimer: ReturnType<typeof setTimeout> | undefined;
  let notReady = false;
  const onAbort = () => {
    // Asked to stop between jobs; killed when a job holds its thread past the grace.
    writer.write(new Uint8Array([0x63])).catch(() => {});
    killTimer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch {
        // It has exited.
      }
    }, CANCEL_GRACE_MS);
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  if (signal?.aborted) onAbort();
  let heard: Heard;
  let status: Deno.CommandStatus;
  try {
    const request: InlineRequest = {
      nonce,
      moduleUrl,
      jobArgs: options.params.jobArgs as Record<string, string> | undefined,
      jobCount: options.jobCount,
      inputs: options.inputs,
      jobName: options.jobName,
      warmup: options.warmup,
      concurrency: options.concurrency,
      jobTimeoutMs: options.jobTimeoutMs,
      keepOutputs: options.keepOutputs,
    };
    await writer.write(requestFrame(request)).catch(() => {});
    const kill = () => {
      try {
        child.kill("SIGKILL");
      } catch {
        // It has exited.
      }
    };
    // As a worker's start-up is bounded: a module that never finishes loading (a top-level
    // await that never settles, a loop) ends the step.
    if (options.startupTimeoutMs !== undefined) {
      readyTimer = setTimeout(() => {
        notReady = true;
        kill();
      }, options.startupTimeoutMs);
    }
    [heard, status] = await Promise.all([
      listen(child.stdout, nonce, startMs, kill, () => clearTimeout(readyTimer), () => {
        // Its reply is in: a process whose exit a job broke (its realm's built-ins replaced)
        // must not hold the step.
        exitTimer = setTimeout(kill, EXIT_AFTER_REPLY_MS);
      }),
      child.status,
    ]);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    clearTimeout(killTimer);
    clearTimeout(readyTimer);
    clearTimeout(exitTimer);
    await writer.close().catch(() => {});
  }
  if (heard.initError !== undefined) throw new TypeError(heard.initError);
  if (notReady && heard.readyMs === undefined) {
    throw new Error(
      `the inline step's process was not ready within ${options.startupTimeoutMs} ms (its module did not finish loading)`,
    );
  }
  const how = status.signal ? `was killed by ${status.signal}` : `exited with code ${status.code}`;
  const unreported: { status: "failed" | "cancelled"; error: JobRecordError } = signal?.aborted
    ? {
      status: "cancelled" as const,
      error: { name: JobCancelledError.name, message: "The sweep was cancelled" },
    }
    : {
      status: "failed" as const,
      error: {
        name: "Error",
        message:
          `The inline step's process ${how} before it reported (a job called Deno.exit(), threw from a timer or replaced a built-in the step records with, or it ran out of memory)`,
      },
    };
  const reply = isReply(heard.reply, options.jobCount) ? heard.reply : undefined;
  if (heard.reply !== undefined && !reply) {
    unreported.status = "failed";
    unreported.error = {
      name: "Error",
      message:
        "The inline step's process sent a reply that is not one (a job changed what the process reports with)",
    };
  }
  const records = heard.stuck && !reply
    ? stuckRecords(options, heard.stuck)
    : heard.held && !reply && signal?.aborted
    ? stuckRecords(options, heard.held, true)
    : stepRecords(options, reply, unreported);
  return {
    workers: 0,
    concurrency: reply?.concurrency ?? options.concurrency ?? 1,
    jobCount: options.jobCount,
    // Without a reply, the time the process ran jobs until it was killed, as seen from here.
    seconds: reply?.seconds ??
      ((heard.stuckMs ?? performance.now()) - (heard.readyMs ?? startMs)) / 1000,
    ...records,
    peakRssBytes: reply?.peakRssBytes ?? 0,
    repeat,
    startupSeconds: heard.startupSeconds ?? (performance.now() - startMs) / 1000,
    speedup: 1,
    loadAverage,
    warmupRuns: options.warmup ?? 0,
    cpuSeconds: reply?.cpuSeconds,
  };
}

/**
 * What the inline step's process and the step that started it say to each
 * other. In: one frame on its stdin (a 4-byte little-endian length, then the
 * V8-serialized {@linkcode InlineRequest}); after it, any byte or the end of
 * stdin cancels the step. Out: lines on its stdout that start with the
 * request's nonce (`NONCE ready`, `NONCE init-error BASE64`, `NONCE result
 * BASE64`, the base64 of a V8-serialized value); anything else on its stdout is
 * the job's own output. Private to `src/step/`.
 *
 * @module
 */
import type { OutputDigest } from "../types.ts";
import type { JobRecordError } from "./job_records.ts";

/** The batch the inline process runs. */
export interface InlineRequest {
  /** Marks the process's own lines on its stdout, which the job cannot know. */
  nonce: string;
  moduleUrl: string;
  jobArgs?: Record<string, string>;
  jobCount: number;
  inputs?: readonly unknown[];
  jobName: string;
  warmup?: number;
  concurrency?: number;
  jobTimeoutMs?: number;
  /** Whether the step keeps its jobs' outputs, or only their digests. */
  keepOutputs?: boolean;
}

/** The step the inline process ran, as columns (one entry per job) and the details it has. */
export interface InlineReply {
  seconds: number;
  peakRssBytes: number;
  cpuSeconds?: number;
  concurrency: number;
  /** 0 done, 1 failed, 2 cancelled. */
  status: Uint8Array;
  /** 1 when the job started (a cancel before it starts leaves 0). */
  started: Uint8Array;
  elapsedSeconds: Float32Array;
  waitSeconds: Float32Array;
  /** A finished job's output (not `null`), or a failed or cancelled job's error, by index. */
  details: [
    index: number,
    detail: {
      output?: unknown;
      outputDigest?: OutputDigest;
      summary?: string;
      error?: JobRecordError;
    },
  ][];
}

/** The status codes of {@linkcode InlineReply.status}. */
export const STATUS_CODES = { done: 0, failed: 1, cancelled: 2 } as const;

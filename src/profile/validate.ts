/**
 * V8 CPU profiles as this module reads them, and the check that a value is
 * one. The CLI reads the profiles; `top.ts` sums them.
 *
 * The input is the Chrome DevTools Protocol `Profiler.Profile` object that
 * `Profiler.stop` returns and that `.cpuprofile` files hold: `nodes` (a call
 * tree, each node a `callFrame` and the ids of its `children`), `samples` (the
 * node id on top of the stack at each sample), `timeDeltas` (microseconds from
 * the previous sample, the first from `startTime`), `startTime` and `endTime`
 * (microseconds).
 *
 * @module
 */

/** Where a profiled function lives, as V8 reports it (`Runtime.CallFrame`). */
export interface CpuProfileCallFrame {
  /** The function's name; empty for anonymous functions and top-level code. */
  functionName: string;
  /** The script's id in the profiled isolate; unused, ids differ between workers. */
  scriptId?: string;
  /** The script's URL; `wasm://wasm/<hash>` for WASM, empty for native and meta frames. */
  url: string;
  /** The function's start line, 0-based; -1 when unknown (0 for WASM). */
  lineNumber: number;
  /** The function's start column, 0-based; -1 when unknown (the byte offset for WASM). */
  columnNumber: number;
}

/** One node of the profile's call tree (`Profiler.ProfileNode`). */
export interface CpuProfileNode {
  /** The node's id, unique in its profile. */
  id: number;
  /** The function of this stack frame. */
  callFrame: CpuProfileCallFrame;
  /** V8's own sample count for the node; unused, the `samples` array is the truth. */
  hitCount?: number;
  /** The ids of the nodes this function called. */
  children?: number[];
}

/**
 * The part of a V8 CPU profile (`Profiler.Profile`, a `.cpuprofile` file)
 * that this module reads. Other keys are allowed and ignored.
 */
export interface CpuProfile {
  /** The call tree, `(root)` first in V8's output. */
  nodes: CpuProfileNode[];
  /** When profiling started, in microseconds on V8's monotonic clock. */
  startTime: number;
  /** When profiling stopped, in microseconds on the same clock. */
  endTime: number;
  /** The id of the node on top of the stack at each sample. */
  samples: number[];
  /** Microseconds from the previous sample to each sample, the first from `startTime`. */
  timeDeltas: number[];
}

function fail(detail: string): never {
  throw new TypeError(`Cannot read CPU profile: ${detail}`);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `"${value}"`;
  if (typeof value === "object") return "an object";
  return String(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkNumber(value: unknown, where: string, integer = false): void {
  const ok = typeof value === "number" && Number.isFinite(value) &&
    (!integer || Number.isInteger(value));
  if (!ok) {
    fail(
      `${where} must be ${integer ? "an integer" : "a finite number"}, received ${describe(value)}`,
    );
  }
}

function checkString(value: unknown, where: string): void {
  if (typeof value !== "string") fail(`${where} must be a string, received ${describe(value)}`);
}

function checkArray(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) {
    fail(
      value === undefined
        ? `"${where}" is missing`
        : `"${where}" must be an array, received ${describe(value)}`,
    );
  }
  return value;
}

function checkNode(node: unknown, i: number): void {
  const where = `nodes[${i}]`;
  if (!isRecord(node)) fail(`${where} must be an object, received ${describe(node)}`);
  checkNumber(node.id, `${where}.id`, true);
  const frame = node.callFrame;
  if (!isRecord(frame)) fail(`${where}.callFrame must be an object, received ${describe(frame)}`);
  checkString(frame.functionName, `${where}.callFrame.functionName`);
  checkString(frame.url, `${where}.callFrame.url`);
  checkNumber(frame.lineNumber, `${where}.callFrame.lineNumber`, true);
  checkNumber(frame.columnNumber, `${where}.callFrame.columnNumber`, true);
  if (frame.scriptId !== undefined) checkString(frame.scriptId, `${where}.callFrame.scriptId`);
  if (node.hitCount !== undefined) checkNumber(node.hitCount, `${where}.hitCount`, true);
  if (node.children !== undefined) {
    checkArray(node.children, `${where}.children`).forEach((child, j) =>
      checkNumber(child, `${where}.children[${j}]`, true)
    );
  }
}

/** Checks that the nodes form a forest: children exist, one parent each, no cycles. */
function checkTree(nodes: readonly CpuProfileNode[]): void {
  const ids = new Set<number>();
  for (const node of nodes) {
    if (ids.has(node.id)) fail(`node id ${node.id} is used more than once`);
    ids.add(node.id);
  }
  const parentOf = new Map<number, number>();
  for (const node of nodes) {
    for (const child of node.children ?? []) {
      if (!ids.has(child)) fail(`node ${node.id} lists unknown child id ${child}`);
      if (parentOf.has(child)) fail(`node ${child} has more than one parent`);
      parentOf.set(child, node.id);
    }
  }
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const pending = nodes.filter((node) => !parentOf.has(node.id));
  let reached = 0;
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    reached++;
    for (const child of node.children ?? []) pending.push(byId.get(child)!);
  }
  if (reached !== nodes.length) fail("the call tree has a cycle");
}

/**
 * Checks that a value has the shape of a V8 CPU profile (a `.cpuprofile`
 * file's JSON, or what `Profiler.stop` returns) and returns it typed. Only
 * the keys {@linkcode CpuProfile} names are checked; others pass through.
 *
 * @param value Parsed JSON, or the `profile` that `Profiler.stop` returned.
 * @returns The same value, typed as a {@linkcode CpuProfile}.
 * @throws {TypeError} `Cannot read CPU profile: …` when a key is missing or
 * of the wrong type, node ids repeat, a child or a sample names an unknown
 * node, the nodes do not form a tree, `samples` and `timeDeltas` differ in
 * length, or `endTime` is not after `startTime`.
 *
 * @example Accept a profile, reject a sample of an unknown node
 * ```ts
 * import { validateCpuProfile } from "./validate.ts";
 * import assert from "node:assert/strict";
 *
 * const frame = { functionName: "(root)", url: "", lineNumber: -1, columnNumber: -1 };
 * const profile = {
 *   nodes: [{ id: 1, callFrame: frame }],
 *   startTime: 0,
 *   endTime: 100,
 *   samples: [1],
 *   timeDeltas: [10],
 * };
 * assert.equal(validateCpuProfile(profile), profile);
 * assert.throws(
 *   () => validateCpuProfile({ ...profile, samples: [7] }),
 *   new TypeError("Cannot read CPU profile: samples[0] references unknown node id 7"),
 * );
 * ```
 */
export function validateCpuProfile(value: unknown): CpuProfile {
  if (!isRecord(value)) fail(`expected an object, received ${describe(value)}`);
  const nodes = checkArray(value.nodes, "nodes");
  if (nodes.length === 0) fail(`"nodes" is empty: a profile has at least its (root) node`);
  nodes.forEach(checkNode);
  checkTree(nodes as CpuProfileNode[]);
  const samples = checkArray(value.samples, "samples");
  const timeDeltas = checkArray(value.timeDeltas, "timeDeltas");
  if (samples.length !== timeDeltas.length) {
    fail(
      `"samples" and "timeDeltas" must have the same length, received ${samples.length} and ${timeDeltas.length}`,
    );
  }
  const ids = new Set((nodes as CpuProfileNode[]).map((node) => node.id));
  samples.forEach((sample, i) => {
    checkNumber(sample, `samples[${i}]`, true);
    if (!ids.has(sample as number)) fail(`samples[${i}] references unknown node id ${sample}`);
  });
  timeDeltas.forEach((delta, i) => checkNumber(delta, `timeDeltas[${i}]`));
  checkNumber(value.startTime, "startTime");
  checkNumber(value.endTime, "endTime");
  const durationMicros = (value.endTime as number) - (value.startTime as number);
  if (durationMicros <= 0) {
    fail(`the duration must be positive, received endTime − startTime = ${durationMicros} µs`);
  }
  return value as unknown as CpuProfile;
}

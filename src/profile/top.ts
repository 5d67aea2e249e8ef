/**
 * A "top" view of V8 CPU profiles, like `go tool pprof top`: flat and
 * cumulative time per function, summed over several profiles (one per worker,
 * and the main thread if the caller passes it). Data in, figures out;
 * `render.ts` draws the table, the CLI captures the profiles and
 * writes the files. The input is a {@linkcode CpuProfile} (see
 * `validate.ts`).
 *
 * Definitions:
 * - **Sample time.** A sample lasts until the next sample is taken, so sample
 *   `i` is charged `timeDeltas[i + 1]`, and the last sample lasts until
 *   `endTime`. This is how the DevTools Performance panel draws samples (each
 *   one until the next); it uses the measured gaps rather than DevTools'
 *   older JavaScript Profiler way of charging every sample the mean interval.
 *   The gap between `startTime` and the first sample (`timeDeltas[0]`) is not
 *   sampled and counts nowhere. Samples out of time order (V8 sometimes writes
 *   a negative delta) are put back in order first, as DevTools does.
 * - **Flat** time of a function: the time of the samples whose innermost kept
 *   frame is that function (its self time).
 * - **Cum** time of a function: the time of the samples whose stack holds the
 *   function at least once; recursion is counted once per sample.
 * - **Total**: the time of every sample with at least one kept frame, over all
 *   the profiles given. Every percentage is relative to it.
 *
 * V8's meta nodes: `(root)` is on every stack and never gets an entry;
 * `(idle)` (a thread waiting, e.g. a worker between jobs) is left out of the
 * total by default (`includeIdle: true` keeps it); `(program)` (native work
 * V8 cannot attribute) and `(garbage collector)` are entries like any other.
 * Functions are told apart by name, URL, line and column, never by script id,
 * so the same function in several workers sums into one entry. WASM frames
 * keep what V8 reports: a `wasm://wasm/<hash>` URL and the name from the
 * module's name section (`piStep`), or `$func12` / `wasm-function[12]` when
 * the module has none.
 *
 * @module
 */
import type { CpuProfile, CpuProfileCallFrame } from "./validate.ts";

/** A function as the top table groups it. */
export interface ProfileFunction {
  /** V8's function name, or `(anonymous)` where V8 gives an empty one. */
  functionName: string;
  /** The script's URL as V8 gives it (`file:///…`, `ext:…`, `wasm://wasm/<hash>`), or empty. */
  url: string;
  /** The function's start line, 0-based as V8 gives it; -1 when unknown. */
  lineNumber: number;
  /** The function's start column, 0-based as V8 gives it; -1 when unknown. */
  columnNumber: number;
}

/** One row of the top table: a function and its times over all the profiles. */
export interface TopEntry extends ProfileFunction {
  /** What the FUNCTION column shows: the name, then the file's last path segment and 1-based line:column. */
  label: string;
  /** Self time: samples whose innermost kept frame is this function, in microseconds. */
  flatMicros: number;
  /** `flatMicros` as a percentage (0–100) of the total sampled time. */
  flatPercent: number;
  /** The running sum of `flatPercent` down the sorted table, as pprof's `sum%`. */
  sumPercent: number;
  /** Time of samples whose stack holds this function (recursion once), in microseconds. */
  cumMicros: number;
  /** `cumMicros` as a percentage (0–100) of the total sampled time. */
  cumPercent: number;
}

/** Options for {@linkcode profileTop} and {@linkcode analyzeProfiles}. */
export interface ProfileTopOptions {
  /** How many entries to return, the hottest first; default all (pprof's `top` shows 10). */
  limit?: number;
  /**
   * Hides a function, like pprof's `-hide`: its frames are taken off every
   * stack, so its self time goes to its nearest kept caller, and samples left
   * with no kept frame drop out of the total. Called once per distinct function.
   */
  exclude?: (fn: ProfileFunction) => boolean;
  /** Keep `(idle)` samples as an entry and in the total; default false. */
  includeIdle?: boolean;
}

/** The top entries with the figures the table's header line needs. */
export interface ProfileTop {
  /** The hottest functions, sorted by flat then cum time, cut to `limit`. */
  entries: TopEntry[];
  /** How many distinct functions had any time, before `limit`. */
  functionCount: number;
  /** The total sampled time over all the profiles, in microseconds. */
  totalMicros: number;
  /** How many profiles were summed. */
  profileCount: number;
}

/** Quick figures for one profile, from {@linkcode profileSummary}. */
export interface ProfileSummary {
  /** `endTime − startTime`, in microseconds. */
  durationMicros: number;
  /** How many samples V8 took. */
  sampleCount: number;
  /** The time covered by samples (from the first sample to `endTime`), in microseconds. */
  sampledMicros: number;
  /** The time of samples on `(idle)`, in microseconds. */
  idleMicros: number;
  /** The time of samples on `(garbage collector)`, in microseconds. */
  gcMicros: number;
}

const ROOT = "(root)";
const IDLE = "(idle)";
const GC = "(garbage collector)";

/**
 * Each sample's time in microseconds: until the next sample by timestamp, the
 * last until `endTime` (never negative). The pprof writer charges samples by
 * the same rule, so its totals equal the top table's.
 *
 * @param profile A validated profile.
 * @returns One duration per entry of `profile.samples`.
 */
export function sampleMicros(profile: CpuProfile): number[] {
  const { samples, timeDeltas } = profile;
  const timestamps: number[] = [];
  let time = profile.startTime;
  for (const delta of timeDeltas) timestamps.push(time += delta);
  const order = samples.map((_, i) => i);
  // V8 can write a negative delta; DevTools sorts the samples back into time order.
  if (timeDeltas.some((delta, i) => i > 0 && delta < 0)) {
    order.sort((a, b) => timestamps[a] - timestamps[b]);
  }
  const micros = new Array<number>(samples.length).fill(0);
  order.forEach((sample, k) => {
    const next = k + 1 < order.length ? timestamps[order[k + 1]] : profile.endTime;
    micros[sample] = Math.max(0, next - timestamps[sample]);
  });
  return micros;
}

/** Sampled microseconds per node id. */
function nodeMicros(profile: CpuProfile): Map<number, number> {
  const micros = sampleMicros(profile);
  const byNode = new Map<number, number>();
  profile.samples.forEach((id, i) => byNode.set(id, (byNode.get(id) ?? 0) + micros[i]));
  return byNode;
}

function toFunction(frame: CpuProfileCallFrame): ProfileFunction {
  return {
    functionName: frame.functionName || "(anonymous)",
    url: frame.url,
    lineNumber: frame.lineNumber,
    columnNumber: frame.columnNumber,
  };
}

function functionKey(fn: ProfileFunction): string {
  return `${fn.functionName}\u0000${fn.url}\u0000${fn.lineNumber}\u0000${fn.columnNumber}`;
}

/** The FUNCTION column: `name file:line:column`, WASM URLs in full, meta frames by name only. */
function labelOf(fn: ProfileFunction): string {
  if (fn.url === "") return fn.functionName;
  const file = fn.url.startsWith("wasm://") ? fn.url : fn.url.slice(fn.url.lastIndexOf("/") + 1);
  if (fn.lineNumber < 0) return `${fn.functionName} ${file}`;
  const column = fn.columnNumber < 0 ? "" : `:${fn.columnNumber + 1}`;
  return `${fn.functionName} ${file}:${fn.lineNumber + 1}${column}`;
}

/**
 * The top table's FUNCTION label of a call frame (`name file:line:column`).
 *
 * @param frame A V8 call frame.
 * @returns The label, as the top table and the pprof files name the function.
 */
export function frameLabel(frame: CpuProfileCallFrame): string {
  return labelOf(toFunction(frame));
}

/** The kept functions on a node's stack: each once, and the innermost. */
interface Stack {
  distinct: readonly string[];
  leaf: string | undefined;
}

function percentOf(micros: number, totalMicros: number): number {
  return totalMicros > 0 ? (100 * micros) / totalMicros : 0;
}

/**
 * Sums flat and cumulative time per function over several CPU profiles and
 * returns the hottest, with the figures {@linkcode renderProfileTop}'s header
 * needs. See the module documentation for the definitions.
 *
 * @param profiles Validated profiles, e.g. one per worker of one sweep step.
 * @param options `limit`, `exclude` and `includeIdle`.
 * @returns The entries sorted by flat time, then cum time, then label; the
 * number of functions before the limit; the total sampled microseconds; and
 * the number of profiles.
 * @throws {RangeError} When `limit` is not a non-negative integer (or `Infinity`).
 *
 * @example Two workers, each mostly in `piStep`
 * ```ts
 * import { analyzeProfiles } from "./top.ts";
 * import type { CpuProfile } from "./validate.ts";
 * import assert from "node:assert/strict";
 *
 * const frame = (functionName: string, url = "") => ({
 *   functionName, url, lineNumber: url ? 0 : -1, columnNumber: url ? 40 : -1,
 * });
 * const worker: CpuProfile = {
 *   nodes: [
 *     { id: 1, callFrame: frame("(root)"), children: [2, 3] },
 *     { id: 2, callFrame: frame("piStep", "wasm://wasm/ab12"), children: [] },
 *     { id: 3, callFrame: frame("(garbage collector)") },
 *   ],
 *   startTime: 0,
 *   endTime: 400,
 *   samples: [2, 2, 2, 3],
 *   timeDeltas: [0, 100, 100, 100],
 * };
 * const top = analyzeProfiles([worker, worker], { limit: 1 });
 * assert.equal(top.totalMicros, 800);
 * assert.equal(top.functionCount, 2);
 * assert.equal(top.entries[0].label, "piStep wasm://wasm/ab12:1:41");
 * assert.equal(top.entries[0].flatMicros, 600);
 * assert.equal(top.entries[0].flatPercent, 75);
 * ```
 */
export function analyzeProfiles(
  profiles: readonly CpuProfile[],
  options: ProfileTopOptions = {},
): ProfileTop {
  const { limit = Infinity, exclude, includeIdle = false } = options;
  if (!(limit === Infinity || (Number.isInteger(limit) && limit >= 0))) {
    throw new RangeError(
      `Cannot rank profile functions: limit must be a non-negative integer, received ${limit}`,
    );
  }
  const functions = new Map<string, ProfileFunction>();
  const kept = new Map<string, boolean>();
  const flat = new Map<string, number>();
  const cum = new Map<string, number>();
  let totalMicros = 0;

  const keyOf = (frame: CpuProfileCallFrame): string | undefined => {
    if (frame.functionName === ROOT && frame.url === "") return undefined;
    if (frame.functionName === IDLE && frame.url === "" && !includeIdle) return undefined;
    const fn = toFunction(frame);
    const key = functionKey(fn);
    if (!kept.has(key)) {
      kept.set(key, !(exclude?.(fn) ?? false));
      functions.set(key, fn);
    }
    return kept.get(key) ? key : undefined;
  };

  for (const profile of profiles) {
    // Walk the tree top-down once: for each node, the distinct kept functions
    // on its stack (for cum, so recursion counts once) and the innermost kept
    // one (for flat; a hidden node's time goes to it).
    const stacks = new Map<number, Stack>();
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const hasParent = new Set(profile.nodes.flatMap((node) => node.children ?? []));
    const empty: Stack = { distinct: [], leaf: undefined };
    const pending = profile.nodes.filter((node) => !hasParent.has(node.id))
      .map((node) => ({ node, parent: empty }));
    for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
      const { node, parent } = item;
      const key = keyOf(node.callFrame);
      const stack: Stack = key === undefined ? parent : {
        distinct: parent.distinct.includes(key) ? parent.distinct : [...parent.distinct, key],
        leaf: key,
      };
      stacks.set(node.id, stack);
      for (const child of node.children ?? []) {
        pending.push({ node: byId.get(child)!, parent: stack });
      }
    }
    for (const [id, micros] of nodeMicros(profile)) {
      const { distinct, leaf } = stacks.get(id)!;
      if (leaf === undefined || micros === 0) continue;
      totalMicros += micros;
      flat.set(leaf, (flat.get(leaf) ?? 0) + micros);
      for (const key of distinct) cum.set(key, (cum.get(key) ?? 0) + micros);
    }
  }

  let runningMicros = 0;
  const sorted = [...cum.keys()]
    .map((key) => ({
      fn: functions.get(key)!,
      flatMicros: flat.get(key) ?? 0,
      cumMicros: cum.get(key)!,
    }))
    .map((row) => ({ ...row, label: labelOf(row.fn) }))
    .sort((a, b) =>
      b.flatMicros - a.flatMicros || b.cumMicros - a.cumMicros ||
      (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)
    );
  const entries = sorted.slice(0, limit).map((row): TopEntry => {
    runningMicros += row.flatMicros;
    return {
      ...row.fn,
      label: row.label,
      flatMicros: row.flatMicros,
      flatPercent: percentOf(row.flatMicros, totalMicros),
      sumPercent: percentOf(runningMicros, totalMicros),
      cumMicros: row.cumMicros,
      cumPercent: percentOf(row.cumMicros, totalMicros),
    };
  });
  return { entries, functionCount: sorted.length, totalMicros, profileCount: profiles.length };
}

/**
 * The hottest functions over several CPU profiles, like `go tool pprof top`:
 * {@linkcode analyzeProfiles}'s entries alone.
 *
 * @param profiles Validated profiles, e.g. one per worker of one sweep step.
 * @param options `limit`, `exclude` and `includeIdle`.
 * @returns The entries sorted by flat time, then cum time, then label.
 * @throws {RangeError} When `limit` is not a non-negative integer (or `Infinity`).
 *
 * @example Recursion counts once in cum
 * ```ts
 * import { profileTop } from "./top.ts";
 * import type { CpuProfile } from "./validate.ts";
 * import assert from "node:assert/strict";
 *
 * const fib = { functionName: "fib", url: "file:///fib.ts", lineNumber: 2, columnNumber: 0 };
 * const profile: CpuProfile = {
 *   nodes: [
 *     { id: 1, callFrame: { ...fib, functionName: "(root)", url: "" }, children: [2] },
 *     { id: 2, callFrame: fib, children: [3] },
 *     { id: 3, callFrame: fib },
 *   ],
 *   startTime: 0,
 *   endTime: 300,
 *   samples: [2, 3, 3],
 *   timeDeltas: [0, 100, 100],
 * };
 * const [entry] = profileTop([profile]);
 * assert.equal(entry.label, "fib fib.ts:3:1");
 * assert.equal(entry.flatMicros, 300);
 * assert.equal(entry.cumMicros, 300);
 * assert.equal(entry.cumPercent, 100);
 * ```
 */
export function profileTop(
  profiles: readonly CpuProfile[],
  options: ProfileTopOptions = {},
): TopEntry[] {
  return analyzeProfiles(profiles, options).entries;
}

/**
 * Quick figures for one profile: its duration, sample count, the time the
 * samples cover, and how much of it was idle or garbage collection.
 *
 * @param profile A validated profile.
 * @returns The figures, in microseconds.
 *
 * @example A worker that was idle half the time
 * ```ts
 * import { profileSummary } from "./top.ts";
 * import assert from "node:assert/strict";
 *
 * const meta = (functionName: string) => ({ functionName, url: "", lineNumber: -1, columnNumber: -1 });
 * const summary = profileSummary({
 *   nodes: [
 *     { id: 1, callFrame: meta("(root)"), children: [2, 3] },
 *     { id: 2, callFrame: meta("(idle)") },
 *     { id: 3, callFrame: meta("(garbage collector)") },
 *   ],
 *   startTime: 1000,
 *   endTime: 1500,
 *   samples: [2, 3],
 *   timeDeltas: [100, 200],
 * });
 * assert.deepEqual(summary, {
 *   durationMicros: 500,
 *   sampleCount: 2,
 *   sampledMicros: 400,
 *   idleMicros: 200,
 *   gcMicros: 200,
 * });
 * ```
 */
export function profileSummary(profile: CpuProfile): ProfileSummary {
  const micros = sampleMicros(profile);
  const nameOf = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  let sampledMicros = 0;
  let idleMicros = 0;
  let gcMicros = 0;
  profile.samples.forEach((id, i) => {
    const frame = nameOf.get(id)!;
    sampledMicros += micros[i];
    if (frame.url !== "") return;
    if (frame.functionName === IDLE) idleMicros += micros[i];
    if (frame.functionName === GC) gcMicros += micros[i];
  });
  return {
    durationMicros: profile.endTime - profile.startTime,
    sampleCount: profile.samples.length,
    sampledMicros,
    idleMicros,
    gcMicros,
  };
}

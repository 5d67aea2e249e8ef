/**
 * Converts V8 CPU profiles (`.cpuprofile`) to gzipped pprof protobufs
 * (`.pb.gz`) that `go tool pprof` reads, named as the CLI's top table names
 * functions.
 *
 * The one module that imports `pprof-format`, by its full pinned `npm:`
 * specifier: a bare name from our deno.json `imports` map would not resolve
 * for someone running `mod.ts` by URL or from JSR.
 *
 * What the conversion keeps, so that `go tool pprof -top` agrees with
 * `src/profile/top.ts`:
 * - **Sample time.** A sample lasts until the next sample by timestamp, the
 *   last until `endTime` (the top table's rule, not `timeDeltas[i]`, which is
 *   the gap *before* the sample): the two tools then charge every function
 *   the same nanoseconds.
 * - **Stacks.** One pprof sample per call-tree node that V8 sampled, with
 *   `value = [sample count, cpu nanoseconds]` and the stack leaf to root;
 *   `(root)` is on every stack and is left off, as the top table leaves it.
 *   `(idle)` samples (a worker waiting between jobs) are left out of the
 *   file, as of the table's total; a comment in the profile says how many.
 * - **Names.** One Function per distinct name, URL, line and column (never
 *   script id, which differs between workers). Its `name` is the top table's
 *   label, `name file:line:column`, with WASM `wasm-function[N]` given the
 *   export's name; `system_name` keeps V8's own name, `filename` the full URL,
 *   `start_line` the 1-based line. One Location per Function.
 *
 * @module
 */
// deno-lint-ignore no-import-prefix -- the pinned specifier is the point (see above)
import * as pprofFormat from "npm:pprof-format@2.3.2";
import type { CpuProfile, CpuProfileCallFrame } from "../profile/validate.ts";
import { nameWasmFunction } from "../profile/wasm_names.ts";
import { frameLabel, sampleMicros } from "../profile/top.ts";

/** Options for {@linkcode cpuProfileToPprof}. */
export interface PprofOptions {
  /** WASM export names by function index, to name `wasm-function[N]` frames. */
  wasmNames?: ReadonlyMap<number, string>;
  /** Wall-clock time of the profile's start, in nanoseconds since the Unix epoch; default 0 (unknown). */
  timeNanos?: bigint;
}

const ROOT = "(root)";
const IDLE = "(idle)";

function isMeta(frame: CpuProfileCallFrame, name: string): boolean {
  return frame.url === "" && frame.functionName === name;
}

/**
 * Converts one V8 CPU profile to a pprof profile, with sample types
 * `samples/count` and `cpu/nanoseconds`. See the module documentation for
 * what is kept and how functions are named.
 *
 * @param profile A validated V8 CPU profile.
 * @param options WASM export names and the wall-clock start time.
 * @returns The pprof profile, ready to encode.
 *
 * @example A WASM function named by its export
 * ```ts
 * import { cpuProfileToPprof } from "./pprof.ts";
 * import assert from "node:assert/strict";
 *
 * const frame = (functionName: string, url = "") => ({
 *   functionName, url, lineNumber: url ? 0 : -1, columnNumber: url ? 40 : -1,
 * });
 * const pprof = cpuProfileToPprof({
 *   nodes: [
 *     { id: 1, callFrame: frame("(root)"), children: [2, 3] },
 *     { id: 2, callFrame: frame("wasm-function[3]", "wasm://wasm/ab12") },
 *     { id: 3, callFrame: frame("(idle)") },
 *   ],
 *   startTime: 0,
 *   endTime: 400,
 *   samples: [2, 2, 3],
 *   timeDeltas: [100, 100, 100],
 * }, { wasmNames: new Map([[3, "piStep"]]) });
 * assert.deepEqual(pprof.sample.map((s) => s.value), [[2, 200_000]]);
 * const name = pprof.function[0].name as number;
 * assert.equal(pprof.stringTable.strings[name], "piStep (wasm-function[3]) wasm://wasm/ab12:1:41");
 * ```
 */
export function cpuProfileToPprof(
  profile: CpuProfile,
  options: PprofOptions = {},
): pprofFormat.Profile {
  const { wasmNames = new Map<number, string>(), timeNanos = 0n } = options;
  const strings = new pprofFormat.StringTable();
  // One mapping, already symbolized: without it pprof warns "Main binary
  // filename not available", and with a file name alone it would try to
  // symbolize addresses we do not have.
  const mapping = new pprofFormat.Mapping({
    id: 1,
    filename: strings.dedup("deno"),
    hasFunctions: true,
    hasFilenames: true,
    hasLineNumbers: true,
  });
  const cpu = new pprofFormat.ValueType({
    type: strings.dedup("cpu"),
    unit: strings.dedup("nanoseconds"),
  });
  const functions: pprofFormat.Function[] = [];
  const locations: pprofFormat.Location[] = [];
  const locationByKey = new Map<string, number>();

  const locationOf = (frame: CpuProfileCallFrame): number => {
    const key =
      `${frame.functionName}\u0000${frame.url}\u0000${frame.lineNumber}\u0000${frame.columnNumber}`;
    let id = locationByKey.get(key);
    if (id === undefined) {
      id = locations.length + 1;
      const line = Math.max(0, frame.lineNumber + 1);
      functions.push(
        new pprofFormat.Function({
          id,
          name: strings.dedup(nameWasmFunction(frameLabel(frame), wasmNames)),
          systemName: strings.dedup(frame.functionName || "(anonymous)"),
          filename: strings.dedup(frame.url),
          startLine: line,
        }),
      );
      locations.push(
        new pprofFormat.Location({
          id,
          mappingId: 1,
          line: [new pprofFormat.Line({ functionId: id, line })],
        }),
      );
      locationByKey.set(key, id);
    }
    return id;
  };

  // Each node's stack of location ids, leaf to root, walked from the roots down.
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const hasParent = new Set(profile.nodes.flatMap((node) => node.children ?? []));
  const stacks = new Map<number, number[]>();
  const pending = profile.nodes.filter((node) => !hasParent.has(node.id))
    .map((node) => ({ node, parent: [] as number[] }));
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { node, parent } = item;
    // (idle)'s samples are dropped below; it gets no location either.
    const meta = isMeta(node.callFrame, ROOT) || isMeta(node.callFrame, IDLE);
    const stack = meta ? parent : [locationOf(node.callFrame), ...parent];
    stacks.set(node.id, stack);
    for (const child of node.children ?? []) {
      pending.push({ node: byId.get(child)!, parent: stack });
    }
  }

  // Sum the samples per node: pprof adds up samples with the same stack anyway.
  const micros = sampleMicros(profile);
  const perNode = new Map<number, { count: number; micros: number }>();
  let idleCount = 0;
  let idleMicros = 0;
  profile.samples.forEach((id, i) => {
    if (isMeta(byId.get(id)!.callFrame, IDLE)) {
      idleCount++;
      idleMicros += micros[i];
      return;
    }
    const sum = perNode.get(id) ?? { count: 0, micros: 0 };
    sum.count++;
    sum.micros += micros[i];
    perNode.set(id, sum);
  });
  const samples = [...perNode]
    .filter(([id]) => stacks.get(id)!.length > 0)
    .map(([id, sum]) =>
      new pprofFormat.Sample({
        locationId: stacks.get(id)!,
        value: [sum.count, Math.round(sum.micros * 1000)],
      })
    );

  const gaps = profile.timeDeltas.filter((delta) => delta > 0);
  const meanIntervalMicros = gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : 0;
  return new pprofFormat.Profile({
    sampleType: [
      new pprofFormat.ValueType({ type: strings.dedup("samples"), unit: strings.dedup("count") }),
      cpu,
    ],
    sample: samples,
    mapping: [mapping],
    location: locations,
    function: functions,
    stringTable: strings,
    timeNanos,
    durationNanos: Math.round((profile.endTime - profile.startTime) * 1000),
    periodType: cpu,
    period: Math.round(meanIntervalMicros * 1000),
    comment: [
      strings.dedup("converted from a V8 CPU profile by deno-channels"),
      strings.dedup(
        `(idle) left out: ${idleCount} samples, ${(idleMicros / 1000).toFixed(2)} ms`,
      ),
    ],
  });
}

async function gzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Encodes a pprof profile as a gzipped protobuf, the `.pb.gz` that `go tool
 * pprof` reads.
 *
 * @param profile A pprof profile, e.g. from {@linkcode cpuProfileToPprof}.
 * @returns The gzipped bytes.
 */
export async function encodePprofGz(profile: pprofFormat.Profile): Promise<Uint8Array> {
  return await gzip(new Uint8Array(profile.encode()));
}

/**
 * Decodes a gzipped pprof protobuf with `pprof-format`'s decoder.
 *
 * @param bytes The `.pb.gz` file's bytes.
 * @returns The profile.
 * @throws {TypeError} When the bytes are not gzip.
 */
export async function decodePprofGz(bytes: Uint8Array<ArrayBuffer>): Promise<pprofFormat.Profile> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return pprofFormat.Profile.decode(new Uint8Array(await new Response(stream).arrayBuffer()));
}

/** The `.pb.gz` path next to a `.cpuprofile` path. */
export function pprofPath(cpuprofilePath: string): string {
  return cpuprofilePath.replace(/\.cpuprofile$/, "") + ".pb.gz";
}

/**
 * Writes a `.pb.gz` next to each `.cpuprofile`. V8's timestamps run on a
 * monotonic clock shared by the process's threads, so the wall-clock start of
 * each profile is placed relative to the latest `endTime`, taken as now: off by
 * the time from the last step's end to this call (milliseconds).
 *
 * @param files Each profile and the path of its `.cpuprofile`.
 * @param wasmNames WASM export names by function index.
 * @returns The paths written.
 */
export async function writePprofFiles(
  files: readonly { path: string; profile: CpuProfile }[],
  wasmNames: ReadonlyMap<number, string>,
): Promise<string[]> {
  const nowMicros = BigInt(Date.now()) * 1000n;
  const latestEndMicros = Math.max(...files.map((file) => file.profile.endTime));
  const written: string[] = [];
  for (const { path, profile } of files) {
    const startMicros = nowMicros - BigInt(Math.round(latestEndMicros - profile.startTime));
    const pprof = cpuProfileToPprof(profile, { wasmNames, timeNanos: startMicros * 1000n });
    const target = pprofPath(path);
    await Deno.writeFile(target, await encodePprofGz(pprof));
    written.push(target);
  }
  return written;
}

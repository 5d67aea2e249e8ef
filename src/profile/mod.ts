/**
 * CPU profiles, published as `@deno-channels/core/profile`: check that a
 * value is a V8 CPU profile (the `.cpuprofile` files `--profile-dir` writes,
 * one per worker and step), sum several into a "top" view of flat and
 * cumulative time per function, and render that view as a table. Pure: data
 * in, values or strings out.
 *
 * ```ts
 * import { analyzeProfiles, renderProfileTop, validateCpuProfile } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const frame = { functionName: "work", url: "file:///job.ts", lineNumber: 0, columnNumber: 0 };
 * const profile = validateCpuProfile({
 *   nodes: [{ id: 1, callFrame: frame }],
 *   startTime: 0,
 *   endTime: 200,
 *   samples: [1, 1],
 *   timeDeltas: [0, 100],
 * });
 * const top = analyzeProfiles([profile]);
 * assert.equal(top.totalMicros, 200);
 * assert.match(renderProfileTop(top.entries, { totalMicros: top.totalMicros }), /work/);
 * ```
 *
 * @module
 */
export { renderProfileTop, type RenderProfileTopOptions } from "./render.ts";
export {
  analyzeProfiles,
  type ProfileFunction,
  type ProfileSummary,
  type ProfileTop,
  type ProfileTopOptions,
  type TopEntry,
} from "./top.ts";
export {
  type CpuProfile,
  type CpuProfileCallFrame,
  type CpuProfileNode,
  validateCpuProfile,
} from "./validate.ts";

/**
 * What the cross-step output check keeps of one job's output: a 64-bit hash
 * of its canonical form and a short preview, made in one bounded walk as the
 * output arrives, so that the output itself need not be kept.
 *
 * The canonical form is the output's structure: object keys sorted, Map and
 * Set entries in insertion order, numbers by their bits (`-0` and `0` differ,
 * every `NaN` is one value), each string, array and binary view preceded by
 * its length. The walk hashes at most {@linkcode OUTPUT_DIGEST_BYTES} of it
 * (a number counts 8 bytes, a character 2) and goes no deeper than
 * {@linkcode OUTPUT_DIGEST_DEPTH} levels: two outputs that first differ beyond
 * that compare equal. No structured clone, no `Deno.inspect`, no copy of a
 * string or buffer is made.
 *
 * @module
 */
import type { JobRecords, OutputDigest } from "../types.ts";

export type { OutputDigest } from "../types.ts";

/** The most bytes of an output's canonical form the digest reads (256 KiB). */
export const OUTPUT_DIGEST_BYTES = 256 * 1024;
/** The deepest level of nesting the digest reads; deeper values count as one marker. */
export const OUTPUT_DIGEST_DEPTH = 100;
/** The longest preview kept, in characters (one more marks it cut). */
const PREVIEW_CHARS = 40;

// One tag word per kind of value, so that `"1"` and `1`, `[]` and `{}` differ.
const enum Tag {
  Undefined = 1,
  Null,
  False,
  True,
  Number,
  BigInt,
  String,
  Array,
  Object,
  Map,
  Set,
  Bytes,
  Date,
  RegExp,
  Error,
  Function,
  Symbol,
  Circular,
  Deep,
  Unreadable,
}

// Set methods as they were when this module loaded: in the inline step's process a job shares
// the realm and may replace them.
const setHas = Function.prototype.call.bind(Set.prototype.has) as (
  s: Set<object>,
  v: object,
) => boolean;
const setAdd = Function.prototype.call.bind(Set.prototype.add) as (
  s: Set<object>,
  v: object,
) => void;
const setDelete = Function.prototype.call.bind(Set.prototype.delete) as (
  s: Set<object>,
  v: object,
) => boolean;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const numberBits = new Float64Array(1);
const numberWords = new Uint32Array(numberBits.buffer);

/** Mixes a 32-bit word into the first lane (MurmurHash3's body). */
function laneA(lane: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  const h = lane ^ k;
  return (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
}

/** Mixes a 32-bit word into the second lane (xxHash32's round). */
function laneB(lane: number, word: number): number {
  const acc = (lane + Math.imul(word, 0x85ebca77)) | 0;
  return Math.imul((acc << 13) | (acc >>> 19), 0x9e3779b1);
}

/** One walk over one output: two 32-bit hash lanes, a byte count and the preview. */
class Digest {
  #lane1 = 0x9747b28c;
  #lane2 = 0x165667b1;
  #bytes = 0;
  #cut = false;
  #preview = "";
  readonly #ancestors = new Set<object>();

  /** Mixes one 32-bit word into both lanes. */
  #word(word: number): void {
    this.#lane1 = laneA(this.#lane1, word);
    this.#lane2 = laneB(this.#lane2, word);
  }

  /** Counts `bytes` against the budget; false (and the digest marked cut) once it is spent. */
  #spend(bytes: number): boolean {
    if (this.#cut) return false;
    this.#bytes += bytes;
    if (this.#bytes <= OUTPUT_DIGEST_BYTES) return true;
    this.#cut = true;
    return false;
  }

  #text(text: string): void {
    if (this.#preview.length <= PREVIEW_CHARS) {
      this.#preview += text.slice(0, PREVIEW_CHARS + 1 - this.#preview.length);
    }
  }

  #number(value: number): void {
    numberBits[0] = Number.isNaN(value) ? NaN : value;
    this.#word(numberWords[0]);
    this.#word(numberWords[1]);
  }

  #string(value: string, quoted: boolean): void {
    this.#word(Tag.String);
    this.#word(value.length);
    if (quoted) this.#text(JSON.stringify(value.slice(0, PREVIEW_CHARS + 1)));
    const budget = OUTPUT_DIGEST_BYTES - this.#bytes;
    const end = Math.min(value.length, Math.max(0, Math.floor(budget / 2)));
    this.#spend(2 * value.length);
    // The long loops keep the lanes in locals: a field write per word costs several times more.
    let a = this.#lane1;
    let b = this.#lane2;
    let i = 0;
    for (; i + 1 < end; i += 2) {
      const word = value.charCodeAt(i) | (value.charCodeAt(i + 1) << 16);
      a = laneA(a, word);
      b = laneB(b, word);
    }
    if (i < end) {
      a = laneA(a, value.charCodeAt(i));
      b = laneB(b, value.charCodeAt(i));
    }
    this.#lane1 = a;
    this.#lane2 = b;
  }

  #bytesOf(value: ArrayBufferView | ArrayBuffer, name: string): void {
    const view = ArrayBuffer.isView(value)
      ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
      : new Uint8Array(value);
    this.#word(Tag.Bytes);
    this.#word(view.length);
    const length = "length" in value && typeof value.length === "number"
      ? value.length
      : view.length;
    this.#text(`${name}(${length})`);
    if (value instanceof ArrayBuffer || value instanceof DataView) {
      this.#text(" []");
    } else {
      this.#text(" [");
      const items = value as unknown as ArrayLike<number | bigint>;
      for (let i = 0; i < items.length && this.#preview.length <= PREVIEW_CHARS; i++) {
        this.#text(`${i ? "," : ""} ${items[i]}`);
      }
      this.#text(" ]");
    }
    const budget = OUTPUT_DIGEST_BYTES - this.#bytes;
    const end = Math.min(view.length, Math.max(0, budget));
    this.#spend(view.length);
    let a = this.#lane1;
    let b = this.#lane2;
    let i = 0;
    if (view.byteOffset % 4 === 0) {
      const words = new Uint32Array(view.buffer, view.byteOffset, end >>> 2);
      for (; i < words.length; i++) {
        a = laneA(a, words[i]);
        b = laneB(b, words[i]);
      }
      i *= 4;
    }
    for (; i < end; i++) {
      a = laneA(a, view[i]);
      b = laneB(b, view[i]);
    }
    this.#lane1 = a;
    this.#lane2 = b;
  }

  /** Walks `value`; `depth` levels above it. */
  value(value: unknown, depth: number): void {
    // Every value costs at least its tag word, so that no shape of output walks unbounded.
    if (!this.#spend(typeof value === "number" ? 8 : 4)) return;
    switch (typeof value) {
      case "undefined":
        this.#word(Tag.Undefined);
        return this.#text("undefined");
      case "boolean":
        this.#word(value ? Tag.True : Tag.False);
        return this.#text(String(value));
      case "number":
        this.#word(Tag.Number);
        this.#number(value);
        return this.#text(Object.is(value, -0) ? "-0" : String(value));
      case "bigint":
        this.#word(Tag.BigInt);
        this.#text(`${value}n`);
        return this.#string(`${value}`, false);
      case "string":
        return this.#string(value, true);
      case "symbol":
        this.#word(Tag.Symbol);
        this.#text(value.toString());
        return this.#string(value.description ?? "", false);
      case "function":
        this.#word(Tag.Function);
        this.#text(`[Function: ${value.name || "(anonymous)"}]`);
        return this.#string(String(value.name), false);
    }
    if (value === null) {
      this.#word(Tag.Null);
      return this.#text("null");
    }
    this.#object(value as object, depth);
  }

  #object(value: object, depth: number): void {
    if (setHas(this.#ancestors, value)) {
      this.#word(Tag.Circular);
      return this.#text("[Circular]");
    }
    if (depth >= OUTPUT_DIGEST_DEPTH) {
      this.#word(Tag.Deep);
      return this.#text("[…]");
    }
    setAdd(this.#ancestors, value);
    try {
      this.#members(value, depth + 1);
    } finally {
      setDelete(this.#ancestors, value);
    }
  }

  /**
   * Hashes the run of numbers of `array` from `start`, within the budget, with the lanes in
   * locals (the common large output is an array of numbers); returns where the run ended.
   */
  #numbers(array: readonly unknown[], start: number): number {
    const budget = Math.max(0, Math.floor((OUTPUT_DIGEST_BYTES - this.#bytes) / 8));
    const end = Math.min(array.length, start + budget);
    let a = this.#lane1;
    let b = this.#lane2;
    let i = start;
    for (; i < end; i++) {
      const item = array[i];
      if (typeof item !== "number") break;
      numberBits[0] = item === item ? item : NaN;
      a = laneA(laneA(laneA(a, Tag.Number), numberWords[0]), numberWords[1]);
      b = laneB(laneB(laneB(b, Tag.Number), numberWords[0]), numberWords[1]);
    }
    this.#lane1 = a;
    this.#lane2 = b;
    this.#spend(8 * (i - start) + (i === end && end < array.length ? 8 : 0));
    return Math.max(i, start + 1);
  }

  #members(value: object, depth: number): void {
    if (Array.isArray(value)) {
      this.#word(Tag.Array);
      this.#word(value.length);
      this.#text(value.length ? "[ " : "[]");
      for (let i = 0; i < value.length && !this.#cut; i++) {
        if (i) this.#text(", ");
        const item = value[i];
        if (typeof item === "number" && this.#preview.length > PREVIEW_CHARS) {
          i = this.#numbers(value, i) - 1;
        } else this.value(item, depth);
      }
      if (value.length) this.#text(" ]");
      return;
    }
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      return this.#bytesOf(value, value.constructor?.name ?? "ArrayBuffer");
    }
    if (value instanceof Date) {
      this.#word(Tag.Date);
      const time = value.getTime();
      this.#number(time);
      return this.#text(Number.isNaN(time) ? "Invalid Date" : value.toISOString());
    }
    if (value instanceof RegExp) {
      this.#word(Tag.RegExp);
      this.#text(String(value));
      return this.#string(String(value), false);
    }
    if (value instanceof Map || value instanceof Set) {
      const isMap = value instanceof Map;
      this.#word(isMap ? Tag.Map : Tag.Set);
      this.#word(value.size);
      this.#text(`${isMap ? "Map" : "Set"}(${value.size}) {`);
      let first = true;
      for (const entry of value) {
        if (this.#cut) break;
        this.#text(first ? " " : ", ");
        first = false;
        if (isMap) {
          this.value(entry[0], depth);
          this.#text(" => ");
          this.value(entry[1], depth);
        } else this.value(entry, depth);
      }
      return this.#text(value.size ? " }" : "}");
    }
    if (value instanceof Error) {
      this.#word(Tag.Error);
      this.#text(`${value.name}: `);
      this.#string(String(value.name), false);
      this.#string(String(value.message), false);
      this.#text(String(value.message));
    }
    this.#word(Tag.Object);
    const keys = Object.keys(value).sort();
    this.#word(keys.length);
    const name = value.constructor?.name;
    if (name && name !== "Object" && !(value instanceof Error)) this.#text(`${name} `);
    if (value instanceof Error && keys.length === 0) return;
    this.#text(keys.length ? "{ " : "{}");
    for (const [i, key] of keys.entries()) {
      if (this.#cut) break;
      if (this.#preview.length <= PREVIEW_CHARS) {
        this.#text(`${i ? ", " : ""}${IDENTIFIER.test(key) ? key : JSON.stringify(key)}: `);
      }
      this.#string(key, false);
      this.value((value as Record<string, unknown>)[key], depth);
    }
    if (keys.length) this.#text(" }");
  }

  /** Marks an output that threw while it was read (a getter, a proxy): `name` is the error's. */
  unreadable(name: string): void {
    this.#preview = `[unreadable: ${name}]`;
    this.#word(Tag.Unreadable);
    this.#string(name, false);
  }

  /** The digest: both lanes finalised with the byte count, as 16 hex digits, and the preview. */
  result(): OutputDigest {
    const finish = (lane: number) => {
      let h = lane ^ this.#bytes ^ (this.#cut ? 0x80000000 : 0);
      h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
      h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
      return ((h ^ (h >>> 16)) >>> 0).toString(16).padStart(8, "0");
    };
    return { hash: finish(this.#lane1) + finish(this.#lane2), preview: this.#preview };
  }
}

/**
 * Digests one output for the cross-step check, in one walk of at most
 * {@linkcode OUTPUT_DIGEST_BYTES} (see the module doc for what counts).
 * An output whose reading throws (a getter, a proxy on the calling thread)
 * gets a digest that names the error.
 *
 * @param output What a job returned.
 * @returns Its hash and a preview of at most 41 characters.
 *
 * @example Key order does not matter; values and types do
 * ```ts
 * import { digestOutput } from "./output_digest.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(digestOutput({ a: 1, b: [2, 3] }).hash, digestOutput({ b: [2, 3], a: 1 }).hash);
 * assert.notEqual(digestOutput([1, 2]).hash, digestOutput(["1", "2"]).hash);
 * assert.notEqual(digestOutput(0).hash, digestOutput(-0).hash);
 * assert.equal(digestOutput({ b: [2, 3], a: 1 }).preview, "{ a: 1, b: [ 2, 3 ] }");
 * ```
 */
export function digestOutput(output: unknown): OutputDigest {
  const digest = new Digest();
  try {
    digest.value(output, 0);
  } catch (error) {
    const fresh = new Digest();
    let name: string = typeof error;
    try {
      if (error instanceof Error) name = String(error.name);
    } catch {
      // An error whose name cannot be read is named by its type.
    }
    fresh.unreadable(name);
    return fresh.result();
  }
  return digest.result();
}

/**
 * The digest of a job's output in `jobs`: the one made as it arrived, or one
 * made now from the output (a number, or records built by hand).
 *
 * @param jobs A step's job records.
 * @param index The job's 0-based index.
 * @returns Its output's digest, or `undefined` for a job with no output (or none kept).
 *
 * @example Records built by hand
 * ```ts
 * import { jobRecords } from "./job_records.ts";
 * import { digestOutput, outputDigestOf } from "./output_digest.ts";
 * import assert from "node:assert/strict";
 *
 * const jobs = jobRecords([{
 *   jobId: "a", jobNumber: 1, workerId: "w", status: "done", elapsedSeconds: 1, waitSeconds: 0,
 *   output: [1, 2],
 * }]);
 * assert.deepEqual(outputDigestOf(jobs, 0), digestOutput([1, 2]));
 * ```
 */
export function outputDigestOf(jobs: JobRecords, index: number): OutputDigest | undefined {
  const digest = jobs.outputDigest?.(index);
  if (digest) return digest;
  const output = jobs.output(index);
  return output == null ? undefined : digestOutput(output);
}

/**
 * A job's detail with its output's digest (made now unless it has one), and
 * without the output unless `keepOutputs`: what a step's records keep.
 *
 * @param detail The job's detail: its output, summary or error.
 * @param keepOutputs Whether the output stays, or only its digest.
 * @returns `detail` itself when it has no output; otherwise a copy.
 *
 * @example Keep the digest only
 * ```ts
 * import { digestOutput, withOutputDigest } from "./output_digest.ts";
 * import assert from "node:assert/strict";
 *
 * const kept = withOutputDigest({ output: "x".repeat(1e6), summary: "a megabyte" }, false);
 * assert.deepEqual(kept, {
 *   output: undefined,
 *   summary: "a megabyte",
 *   outputDigest: digestOutput("x".repeat(1e6)),
 * });
 * ```
 */
export function withOutputDigest<Detail extends { output?: unknown; outputDigest?: OutputDigest }>(
  detail: Detail,
  keepOutputs: boolean,
): Detail {
  if (detail.output == null) return detail;
  const outputDigest = detail.outputDigest ?? digestOutput(detail.output);
  return { ...detail, output: keepOutputs ? detail.output : undefined, outputDigest };
}

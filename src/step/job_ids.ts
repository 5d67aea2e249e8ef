/**
 * The job UUIDs of one step, made when asked for from one random key.
 *
 * @module
 */

/**
 * Version-4 UUIDs for the jobs of one step, made when asked for from one
 * random 128-bit key and the job's index. Each 32-bit word is the key word
 * mixed with the index through a bijection (MurmurHash3's finaliser), so the
 * first word alone already differs between any two jobs of the step: the ids
 * are unique within the step and, the key being random, across steps.
 */
export class JobIds {
  readonly #key: Uint32Array;

  /** @param key Four random 32-bit words; a fresh key from `crypto.getRandomValues` when omitted. */
  constructor(key?: Uint32Array) {
    this.#key = key ?? crypto.getRandomValues(new Uint32Array(4));
  }

  /**
   * The UUID of the job at `index`.
   *
   * @param index The job's 0-based index.
   * @returns A lowercase version-4 UUID.
   */
  of(index: number): string {
    const key = this.#key;
    const words = [
      mix32(key[0] ^ mix32(index)),
      mix32(key[1] ^ mix32(index + 0x9e3779b9)),
      mix32(key[2] ^ mix32(index + 0x3c6ef372)),
      mix32(key[3] ^ mix32(index + 0xdaa66d2b)),
    ];
    words[1] = (words[1] & 0xffff0fff) | 0x4000; // version 4
    words[2] = (words[2] & 0x3fffffff) | 0x80000000; // RFC 4122 variant
    const hex = words.map((word) => (word >>> 0).toString(16).padStart(8, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
      hex.slice(20)
    }`;
  }
}

/** MurmurHash3's 32-bit finaliser: a bijection on 32-bit words that mixes every bit. */
function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * About how many bytes an output takes once cloned to the main thread: what bounds a batch
 * of reports (a worker posts its pending reports once their outputs pass a few MiB, so a
 * step's memory holds a few batches, never 256 large outputs in one message). Counted
 * without running job code and without a prototype method a job could have replaced:
 * strings, arrays, binary data and a plain object's own data fields, one level deep.
 * Private to `src/pool/`.
 *
 * @module
 */

const { isArray } = Array;
const { isView } = ArrayBuffer;
const { ownKeys } = Reflect;
const { getOwnPropertyDescriptor, getPrototypeOf } = Object;
const { apply } = Reflect;

function byteLengthGetter(prototype: object): (value: unknown) => number {
  const read = getOwnPropertyDescriptor(prototype, "byteLength")!.get!;
  return (value) => apply(read, value, []) as number;
}
const arrayBufferBytes = byteLengthGetter(ArrayBuffer.prototype);
const sharedBufferBytes = byteLengthGetter(SharedArrayBuffer.prototype);
const typedArrayBytes = byteLengthGetter(getPrototypeOf(Uint8Array.prototype));
const dataViewBytes = byteLengthGetter(DataView.prototype);

/** What one slot of an array or one field of an object costs at least, in bytes. */
const SLOT_BYTES = 8;

/** The size of a value alone: strings, arrays (their slots), binary data; 0 for the rest. */
function leafBytes(value: unknown): number {
  if (typeof value === "string") return value.length;
  if (typeof value !== "object" || value === null) return 0;
  if (isArray(value)) return value.length * SLOT_BYTES;
  if (isView(value)) {
    try {
      return typedArrayBytes(value);
    } catch {
      return dataViewBytes(value);
    }
  }
  try {
    return arrayBufferBytes(value);
  } catch {
    // Not an ArrayBuffer.
  }
  try {
    return sharedBufferBytes(value);
  } catch {
    return -1; // Some other object.
  }
}

/**
 * About how many bytes `output` takes to clone: a string its length, an array 8 bytes a slot,
 * binary data its byte length, an object 8 bytes a field plus the size of each field's value
 * (one level deep; getters are not called). 0 where asking throws (a revoked Proxy).
 */
export function outputBytes(output: unknown): number {
  try {
    const bytes = leafBytes(output);
    if (bytes >= 0) return bytes;
    const keys = ownKeys(output as object);
    let total = keys.length * SLOT_BYTES;
    for (let i = 0; i < keys.length; i++) {
      const field = getOwnPropertyDescriptor(output as object, keys[i]);
      const bytes = field && "value" in field ? leafBytes(field.value) : 0;
      if (bytes > 0) total += bytes;
    }
    return total;
  } catch {
    return 0;
  }
}

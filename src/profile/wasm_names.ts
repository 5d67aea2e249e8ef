/**
 * Names for WebAssembly functions in CPU profiles. The release build of the pi
 * kernel has no name section (asc writes one only with `--debug`), so V8 shows
 * `wasm-function[N]`; the export section still names the exported functions.
 *
 * @module
 */

function readU32(bytes: Uint8Array, offset: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (let i = offset; i < bytes.length; i++) {
    value |= (bytes[i] & 0x7f) << shift;
    if ((bytes[i] & 0x80) === 0) return [value >>> 0, i + 1];
    shift += 7;
  }
  throw new SyntaxError("Cannot read WebAssembly module: a LEB128 number runs past the end");
}

/**
 * Reads the export section of a WebAssembly binary: function index → export name.
 *
 * @param bytes The module's bytes.
 * @returns The exported functions' names by function index.
 * @throws {SyntaxError} When the bytes are not a WebAssembly module.
 *
 * @example An export named "run" for function 0
 * ```ts
 * import { wasmExportNames } from "./wasm_names.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new Uint8Array([
 *   0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
 *   0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
 *   0x07, 0x07, 0x01, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x00,
 *   0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,
 * ]);
 * assert.deepEqual(wasmExportNames(bytes), new Map([[0, "run"]]));
 * ```
 */
export function wasmExportNames(bytes: Uint8Array): Map<number, string> {
  const magic = [0x00, 0x61, 0x73, 0x6d];
  if (bytes.length < 8 || magic.some((b, i) => bytes[i] !== b)) {
    throw new SyntaxError("Cannot read WebAssembly module: the magic number is missing");
  }
  const names = new Map<number, string>();
  const decoder = new TextDecoder();
  let offset = 8;
  while (offset < bytes.length) {
    const id = bytes[offset];
    const [size, start] = readU32(bytes, offset + 1);
    offset = start + size;
    if (id !== 7) continue;
    let [count, at] = readU32(bytes, start);
    while (count-- > 0) {
      const [length, nameStart] = readU32(bytes, at);
      const name = decoder.decode(bytes.subarray(nameStart, nameStart + length));
      const kind = bytes[nameStart + length];
      const [index, next] = readU32(bytes, nameStart + length + 1);
      if (kind === 0) names.set(index, name);
      at = next;
    }
  }
  return names;
}

/**
 * Replaces `wasm-function[N]` in a profile label with the export's name, when
 * function N is exported: `piStep (wasm-function[3])`.
 *
 * @param label A function label from a profile top table.
 * @param names Export names by function index, from {@linkcode wasmExportNames}.
 * @returns The label with the name added, or unchanged.
 *
 * @example Name an exported function
 * ```ts
 * import { nameWasmFunction } from "./wasm_names.ts";
 * import assert from "node:assert/strict";
 *
 * const names = new Map([[3, "piStep"]]);
 * assert.equal(nameWasmFunction("wasm-function[3] wasm://wasm/ab:1:9", names), "piStep (wasm-function[3]) wasm://wasm/ab:1:9");
 * assert.equal(nameWasmFunction("wasm-function[2] wasm://wasm/ab:1:5", names), "wasm-function[2] wasm://wasm/ab:1:5");
 * ```
 */
export function nameWasmFunction(label: string, names: ReadonlyMap<number, string>): string {
  return label.replace(/^wasm-function\[(\d+)\]/, (whole, index) => {
    const name = names.get(Number(index));
    return name ? `${name} (${whole})` : whole;
  });
}

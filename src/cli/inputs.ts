/**
 * `--inputs FILE`: a JSON Lines file (or `-` for stdin) that makes the batch,
 * one job per non-blank line, every line checked before anything runs. The
 * file is read as a stream with a cap on its size and on its lines, so an
 * endless source (`/dev/zero`, a pipe that never closes its line) ends in one
 * line instead of filling the memory.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { MAX_JOBS } from "../sweep/sweep.ts";
import { errorMessage } from "../text.ts";

/** How many characters of a bad line an error message quotes. */
const QUOTED_CHARS = 40;

/**
 * The most bytes `--inputs` may hold (256 MiB): every input is parsed on the main
 * thread and posted to every worker, so a larger batch costs gigabytes before the first job.
 */
export const MAX_INPUTS_BYTES = 256 * 1024 * 1024;

/** Lines longer than this are cloned once as they are read, to find nesting too deep to post. */
const CLONE_CHECK_CHARS = 10_000;

/** What {@linkcode parseInputLines} and {@linkcode readInputs} may be given, besides the source. */
export interface InputLimits {
  /** The most bytes; default {@linkcode MAX_INPUTS_BYTES}. */
  maxBytes?: number;
  /** The most inputs (non-blank lines); default `MAX_JOBS`. */
  maxLines?: number;
  /** The setting as the user gave it, for messages; default `--inputs`. */
  label?: string;
}

const NEWLINE = 0x0a;

/** One line's bytes as text: UTF-8 checked, a trailing `\r` and a leading byte order mark dropped. */
function decodeLine(bytes: Uint8Array, lineNumber: number, what: string): string {
  let text: string;
  try {
    // fatal: invalid UTF-8 would otherwise become U+FFFD and the job would get other text.
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: lineNumber !== 1 }).decode(bytes);
  } catch {
    throw new ConfigError(
      `Cannot read settings: ${what} line ${lineNumber} must be UTF-8 text, received bytes that are not`,
    );
  }
  return text.endsWith("\r") ? text.slice(0, -1) : text;
}

/**
 * Parses a JSON Lines stream into one input per non-blank line, stopping at the first byte past
 * the size cap or the first input past the line cap.
 *
 * @param chunks The bytes, in order.
 * @param name The file's name in messages (`-` reads as "stdin").
 * @param limits The caps and the setting's name.
 * @returns The inputs, in line order.
 * @throws {ConfigError} Naming the setting, file and line of the first line that is not UTF-8 or
 *   not JSON, when the caps are passed, or when no line has an input.
 *
 * @example Two inputs, a blank line skipped
 * ```ts
 * import { parseInputLines } from "./inputs.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode('{"n": 1}\n\n2\n');
 * assert.deepEqual(await parseInputLines([bytes], "batch.jsonl"), [{ n: 1 }, 2]);
 * await assert.rejects(parseInputLines([bytes], "batch.jsonl", { maxLines: 1 }), /at most 1 /);
 * ```
 */
export async function parseInputLines(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  name: string,
  limits: InputLimits = {},
): Promise<unknown[]> {
  const maxBytes = limits.maxBytes ?? MAX_INPUTS_BYTES;
  const maxLines = limits.maxLines ?? MAX_JOBS;
  const what = `${limits.label ?? "--inputs"} ${name === "-" ? "stdin" : name}`;
  const inputs: unknown[] = [];
  let lineNumber = 0;
  const parseLine = (bytes: Uint8Array) => {
    lineNumber++;
    const line = decodeLine(bytes, lineNumber, what);
    if (line.trim() === "") return;
    if (inputs.length === maxLines) {
      throw new ConfigError(
        `Cannot read settings: ${what} must have at most ${maxLines} lines of JSON (one job each), received more`,
      );
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      const quoted = line.length > QUOTED_CHARS ? `${line.slice(0, QUOTED_CHARS)}…` : line;
      throw new ConfigError(
        `Cannot read settings: ${what} line ${lineNumber} must be one JSON value, ` +
          `received ${JSON.stringify(quoted)} (${errorMessage(error)})`,
      );
    }
    // Only a long line can nest deeper than a worker's structured clone goes (it ran as far as
    // posting the inputs, then failed with exit 1).
    if (line.length > CLONE_CHECK_CHARS) {
      try {
        structuredClone(value);
      } catch (error) {
        throw new ConfigError(
          `Cannot read settings: ${what} line ${lineNumber} cannot be sent to a worker (${
            errorMessage(error)
          }): nest it less deeply`,
        );
      }
    }
    inputs.push(value);
  };
  let pending: Uint8Array[] = [];
  let bytesRead = 0;
  for await (const chunk of chunks) {
    bytesRead += chunk.byteLength;
    if (bytesRead > maxBytes) {
      throw new ConfigError(
        `Cannot read settings: ${what} must be at most ${maxBytes} bytes, received more`,
      );
    }
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
      parseLine(concat([...pending, chunk.subarray(start, end)]));
      pending = [];
      start = end + 1;
    }
    if (start < chunk.byteLength) pending.push(chunk.slice(start));
  }
  if (pending.length > 0) parseLine(concat(pending));
  if (inputs.length === 0) {
    throw new ConfigError(
      `Cannot read settings: ${what} must have at least one line of JSON, received none`,
    );
  }
  return inputs;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return bytes;
}

/**
 * Reads `--inputs`: the file, or stdin for `-`, as a stream within the caps.
 *
 * @param path The path, or `-`.
 * @param limits The caps and the setting's name.
 * @returns The inputs.
 * @throws {ConfigError} When the file cannot be read, a line is not UTF-8 JSON, or a cap is passed.
 */
export async function readInputs(path: string, limits: InputLimits = {}): Promise<unknown[]> {
  let file: Deno.FsFile | undefined;
  try {
    const stream = path === "-" ? Deno.stdin.readable : (file = await Deno.open(path)).readable;
    return await parseInputLines(stream, path, limits);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(
      `Cannot read settings: ${limits.label ?? "--inputs"} ${path} is not readable: ${
        errorMessage(error)
      }`,
    );
  } finally {
    // A refused stream is left unread: close the file (stdin is the process's).
    try {
      file?.close();
    } catch {
      // Already closed by reading to the end.
    }
  }
}

/**
 * Checks the job count against the inputs: the batch is the inputs, so a
 * job count given as well must agree with them.
 *
 * @param inputs The inputs.
 * @param path Their file, for the message.
 * @param jobCount The job count, when one was given (`--jobs`, `TOTALJOBCOUNT`).
 * @throws {ConfigError} When the two disagree.
 */
export function checkInputCount(inputs: readonly unknown[], path: string, jobCount?: number) {
  if (jobCount !== undefined && jobCount !== inputs.length) {
    throw new ConfigError(
      `Cannot read settings: TOTALJOBCOUNT (--jobs) must be left out or equal the ${inputs.length} ` +
        `lines of --inputs ${path === "-" ? "stdin" : path}, received ${jobCount}`,
    );
  }
}

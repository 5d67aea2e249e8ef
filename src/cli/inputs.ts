/**
 * `--inputs FILE`: a JSON Lines file (or `-` for stdin) that makes the batch,
 * one job per non-blank line, every line checked before anything runs.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { errorMessage } from "../text.ts";

/** How many characters of a bad line an error message quotes. */
const QUOTED_CHARS = 40;

/**
 * Parses JSON Lines text into one input per non-blank line.
 *
 * @param text The file's text.
 * @param name The file's name in messages (`-` reads as "stdin").
 * @returns The inputs, in line order.
 * @throws {ConfigError} Naming the file and line of the first line that is not JSON, or when
 *   no line has an input.
 */
export function parseInputLines(text: string, name: string): unknown[] {
  const where = name === "-" ? "stdin" : name;
  const inputs: unknown[] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    try {
      inputs.push(JSON.parse(line));
    } catch (error) {
      const quoted = line.length > QUOTED_CHARS ? `${line.slice(0, QUOTED_CHARS)}…` : line;
      const reason = errorMessage(error);
      throw new ConfigError(
        `Cannot read settings: --inputs ${where} line ${index + 1} must be one JSON value, ` +
          `received ${JSON.stringify(quoted)} (${reason})`,
      );
    }
  }
  if (inputs.length === 0) {
    throw new ConfigError(
      `Cannot read settings: --inputs ${where} must have at least one line of JSON, received none`,
    );
  }
  return inputs;
}

/**
 * Reads `--inputs`: the file, or stdin for `-`.
 *
 * @param path The path, or `-`.
 * @returns The inputs.
 * @throws {ConfigError} When the file cannot be read or a line is not JSON.
 */
export async function readInputs(path: string): Promise<unknown[]> {
  let text: string;
  try {
    text = path === "-"
      ? await new Response(Deno.stdin.readable).text()
      : await Deno.readTextFile(path);
  } catch (error) {
    const reason = errorMessage(error);
    throw new ConfigError(`Cannot read settings: --inputs ${path} is not readable: ${reason}`);
  }
  return parseInputLines(text, path);
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

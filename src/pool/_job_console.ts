/**
 * A job's own `console` output, moved off stdout: in a worker (and for the
 * inline step's jobs) every `console` method that prints writes to stderr
 * instead, each line prefixed `job: ` and with control characters escaped. So
 * a job's `console.log` can neither break the CLI's `--format json` on stdout
 * nor send escape sequences to the terminal. Private to `src/pool/`: the
 * worker entry installs it before any job module loads.
 *
 * @module
 */

/** What each line a job prints starts with. */
export const JOB_CONSOLE_PREFIX = "job: ";
/** The longest line kept of one console call, in characters; the rest is cut. */
const MAX_LINE_CHARS = 4096;

// C0 controls but tab, DEL, and C1 controls, as the CLI's terminalSafe escapes them.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

function escapeControls(text: string): string {
  return text.replace(CONTROL, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

function format(args: readonly unknown[]): string {
  return args.map((arg) =>
    typeof arg === "string"
      ? arg
      : Deno.inspect(arg, { depth: 4, iterableLimit: 100, strAbbreviateSize: MAX_LINE_CHARS })
  ).join(" ");
}

const encoder = new TextEncoder();

function writeLines(text: string): void {
  const lines = text.split("\n").map((line) => {
    const cut = line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line;
    return `${JOB_CONSOLE_PREFIX}${escapeControls(cut)}\n`;
  });
  const bytes = encoder.encode(lines.join(""));
  try {
    for (let written = 0; written < bytes.length;) {
      written += Deno.stderr.writeSync(bytes.subarray(written));
    }
  } catch {
    // A closed stderr loses the job's chatter, not its result.
  }
}

/**
 * Replaces the printing methods of `target` (the global `console` by default)
 * so that they write to stderr, prefixed and escaped. `count`, `time` and
 * `group` keep working through the replaced `info`/`log`.
 *
 * @param target The console to change.
 * @returns A function that puts the original methods back.
 */
export function installJobConsole(target: Console = console): () => void {
  const methods = ["log", "info", "debug", "warn", "error", "dir", "dirxml", "table"] as const;
  const saved = new Map<string, unknown>();
  const writable = target as unknown as Record<string, unknown>;
  for (const name of [...methods, "trace", "assert"]) saved.set(name, writable[name]);
  for (const name of methods) writable[name] = (...args: unknown[]) => writeLines(format(args));
  writable.trace = (...args: unknown[]) => writeLines(`Trace: ${format(args)}`);
  writable.assert = (condition?: unknown, ...args: unknown[]) => {
    if (!condition) writeLines(`Assertion failed${args.length ? `: ${format(args)}` : ""}`);
  };
  return () => {
    for (const [name, method] of saved) writable[name] = method;
  };
}

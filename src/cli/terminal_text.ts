/**
 * Job-provided text (error messages, output summaries) is escaped before the
 * CLI prints it, so a job cannot retitle or clear the terminal or fake lines.
 *
 * @module
 */

// C0 controls but tab, DEL, and C1 controls (ESC sequences' 8-bit forms).
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

/**
 * Shows control characters as escapes (`\x1b`, `\n`), leaving other text as it is.
 *
 * @param text Text that came from a job.
 * @returns One line that is safe to print.
 *
 * @example An escape sequence and a newline are shown, not obeyed
 * ```ts
 * import { terminalSafe } from "./terminal_text.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(terminalSafe("\x1b]0;owned\x07line\nfake"), "\\x1b]0;owned\\x07line\\nfake");
 * assert.equal(terminalSafe("π ≈ 3.14\tok"), "π ≈ 3.14\tok");
 * ```
 */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, (char) => {
    if (char === "\n") return "\\n";
    if (char === "\r") return "\\r";
    return `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
}

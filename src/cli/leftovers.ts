/**
 * Ends what a dead sweep process left running: the inline step's own process
 * (see `src/step/_inline_process.ts`) is the sweep process's child, and a job
 * that never looks at its cancel keeps it busy after its parent is gone. Every
 * process the sweep started inherits the supervisor variable, with this run's
 * nonce; on Linux they are found by it in `/proc/PID/environ`.
 *
 * @module
 */

/**
 * Kills (SIGKILL) every process of this user whose environment holds `marker`.
 *
 * @param marker A `KEY=VALUE` entry only this run's processes have (its nonce).
 * @returns How many processes were killed; 0 where `/proc` cannot be read.
 */
export async function killLeftovers(marker: string): Promise<number> {
  let killed = 0;
  const needle = new TextEncoder().encode(`${marker}\0`);
  let entries: AsyncIterable<Deno.DirEntry>;
  try {
    entries = Deno.readDir("/proc");
  } catch {
    return 0;
  }
  try {
    for await (const entry of entries) {
      if (!/^\d+$/.test(entry.name) || Number(entry.name) === Deno.pid) continue;
      let environ: Uint8Array;
      try {
        environ = await Deno.readFile(`/proc/${entry.name}/environ`);
      } catch {
        continue; // Another user's, or it has exited.
      }
      if (!holds(environ, needle)) continue;
      try {
        Deno.kill(Number(entry.name), "SIGKILL");
        killed++;
      } catch {
        // It exited meanwhile.
      }
    }
  } catch {
    // No /proc (not Linux): nothing to find.
  }
  return killed;
}

/** Whether `haystack` holds `needle` at the start of one of its NUL-separated entries. */
function holds(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let start = 0; start + needle.length <= haystack.length;) {
    for (let i = 0; i < needle.length; i++) {
      if (haystack[start + i] !== needle[i]) {
        const next = haystack.indexOf(0, start);
        if (next < 0) return false;
        start = next + 1;
        continue outer;
      }
    }
    return true;
  }
  return false;
}

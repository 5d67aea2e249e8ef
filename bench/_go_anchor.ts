/**
 * The Go anchor of the dispatch benches: builds `bench/go_channels/main.go` (the Go original's
 * jobs channel, worker goroutines and results channel, with no-op jobs) when `go` is on PATH, and
 * runs batches in one long-lived process, so that every batch is timed inside Go and no process
 * start is. Without `go` it says why and the benches run without it
 * (`apt-get install golang-go`).
 *
 * @module
 */

const SOURCE = new URL("./go_channels/main.go", import.meta.url);

/** A running Go anchor process. */
export interface GoAnchor {
  /** `go version`'s answer. */
  version: string;
  /** Runs one batch of no-op jobs; resolves to Go's own timing of it, in seconds. */
  run(jobCount: number, workers: number): Promise<number>;
  /** Ends the process and removes its build (again: nothing). */
  close(): Promise<void>;
  /** As `close()`, for an `unload` listener, which cannot wait: kills the process. */
  closeSync(): void;
}

async function output(command: string, args: string[], env?: Record<string, string>) {
  const result = await new Deno.Command(command, { args, env, stdout: "piped", stderr: "piped" })
    .output();
  const decoder = new TextDecoder();
  return {
    ok: result.success,
    stdout: decoder.decode(result.stdout).trim(),
    stderr: decoder.decode(result.stderr).trim(),
  };
}

/**
 * Builds and starts the Go anchor.
 *
 * @returns The anchor, or the reason there is none (no `go` on PATH, a failed build).
 */
export async function startGoAnchor(): Promise<GoAnchor | string> {
  let version: string;
  try {
    const answer = await output("go", ["version"]);
    if (!answer.ok) return `go version failed: ${answer.stderr}`;
    version = answer.stdout;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return "no `go` on PATH (apt-get install golang-go), so no Go anchor";
    }
    throw error;
  }
  // The build and Go's build cache live in one temp dir, removed by close().
  const dir = await Deno.makeTempDir({ prefix: "deno-channels-go-anchor-" });
  const binary = `${dir}/go_channels`;
  const build = await output("go", ["build", "-o", binary, SOURCE.pathname], {
    GOCACHE: `${dir}/cache`,
  });
  if (!build.ok) {
    await Deno.remove(dir, { recursive: true });
    return `go build failed: ${build.stderr}`;
  }
  const child = new Deno.Command(binary, { stdin: "piped", stdout: "piped", stderr: "inherit" })
    .spawn();
  const writer = child.stdin.getWriter();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const encoder = new TextEncoder();
  let buffered = "";
  let closed = false;
  const readLine = async (): Promise<string> => {
    for (;;) {
      const end = buffered.indexOf("\n");
      if (end >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        return line;
      }
      const { value, done } = await lines.read();
      if (done) throw new Error("Cannot run the Go anchor: its process ended");
      buffered += value;
    }
  };
  return {
    version,
    async run(jobCount, workers) {
      await writer.write(encoder.encode(`${jobCount} ${workers}\n`));
      const seconds = Number(await readLine());
      if (!(seconds > 0)) throw new Error(`Cannot run the Go anchor: it answered ${seconds}`);
      return seconds;
    },
    async close() {
      // Deno.bench may call a bench's fn more than once: only the first call closes.
      if (closed) return;
      closed = true;
      await writer.close();
      await lines.cancel();
      await child.status;
      await Deno.remove(dir, { recursive: true });
    },
    closeSync() {
      if (closed) return;
      closed = true;
      try {
        child.kill("SIGKILL");
      } catch {
        // It has ended already.
      }
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

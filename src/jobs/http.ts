/**
 * The `http` job: one `fetch` from a local server that the sweep starts on
 * 127.0.0.1 and stops itself; the server answers each request after SLEEPMS.
 * A job that waits on the network, as most Deno work does: its thread is free
 * while the answer is on its way, so one thread can keep many in flight.
 *
 * @module
 */
import { defineJob, type JobKind } from "./job.ts";
import { DEFAULT_SLEEP_MS, type SleepParams } from "./sleep.ts";

/** What the sweep's set-up hands every worker: where the server listens. */
export interface HttpSetup {
  /** The server's address, `http://127.0.0.1:PORT/`. */
  url: string;
  /** `127.0.0.1:PORT`, the only host the jobs may reach. */
  host: string;
}

// The servers this process started, by address: the set-up crosses to workers
// by structured clone, so the server object itself stays here for teardown.
const servers = new Map<string, Deno.HttpServer>();

/**
 * Fetches `/` from the sweep's own local server, which answers after
 * `sleepMs`, and returns the response's status. The job's signal (a time-out,
 * Ctrl-C) aborts the request. Needs network access to 127.0.0.1 in the process
 * that runs the sweep (the server) and gets exactly that host in its sandbox.
 *
 * @example One request to a server that answers after 5 ms
 * ```ts ignore
 * import { httpJob } from "./http.ts";
 * import assert from "node:assert/strict";
 *
 * const setup = await httpJob.setup!({ sleepMs: 5 });
 * const run = await httpJob.createRunner({ sleepMs: 5 }, setup);
 * const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
 * assert.equal(await run({ cancelFlag, shouldStop: () => false }), 200);
 * await httpJob.teardown!(setup);
 * ```
 */
export const httpJob: JobKind = defineJob<HttpSetup, number, SleepParams>({
  name: "http",
  aliases: ["fetch"],
  bound: "wait",
  description:
    "fetches from a local server (127.0.0.1, started by the sweep) that answers after SLEEPMS",
  defaultParams: { sleepMs: DEFAULT_SLEEP_MS },
  describeParams: (params) => `${params.sleepMs.toLocaleString("en-US")} ms latency`,
  setup: (params) => {
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      async () => {
        await new Promise((resolve) => setTimeout(resolve, params.sleepMs));
        return new Response("ok");
      },
    );
    const host = `127.0.0.1:${server.addr.port}`;
    const url = `http://${host}/`;
    servers.set(url, server);
    return { url, host };
  },
  permissions: (_params, setup) => ({ net: [setup.host] }),
  teardown: async (setup) => {
    const server = servers.get(setup.url);
    servers.delete(setup.url);
    await server?.shutdown();
  },
  createRunner: (_params, setup) => async ({ signal }) => {
    const response = await fetch(setup.url, { signal });
    await response.body?.cancel();
    return response.status;
  },
  describeOutput: (status) => `HTTP ${status}`,
});

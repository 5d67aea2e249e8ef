/**
 * How a pool's worker is spawned: the pool's options, and the permissions a
 * sandboxed worker gets.
 *
 * @module
 */
import type { JobParams, JobPermissions } from "../jobs/job.ts";

/** Options for {@linkcode WorkerPool}. */
export interface WorkerPoolOptions {
  /** How many workers to start. */
  size: number;
  /** The job kind's name, resolved inside each worker. */
  jobKind: string;
  /** The sweep's job parameters. */
  params: JobParams;
  /** What the job kind prepared on the main thread (posted to each worker). */
  setup?: unknown;
  /**
   * How long a cancelled job may take to stop before its worker is given up
   * on and the job is reported cancelled anyway, in milliseconds.
   */
  cancelGraceMs?: number;
  /**
   * Run the workers in a permission sandbox: they may touch only what
   * `permissions` lists (default nothing at all). Needs Deno's worker options
   * (`--unstable-worker-options`, or `"unstable": ["worker-options"]` in the
   * program's deno.json): without them Deno 2.9.6 exits the process with code
   * 70, and forbids probing for the flag, so nothing can warn first. Default
   * `false`: the workers have the importing program's permissions, as any
   * Deno worker does.
   */
  sandbox?: boolean;
  /** With `sandbox`, what the workers may touch; default nothing at all. */
  permissions?: JobPermissions;
  /** Record a CPU profile in every worker (grants them the `inspector` sys permission only). */
  profile?: boolean;
  /** One input per job, by job index (posted to each worker once): `JobContext.input`. */
  inputs?: readonly unknown[];
}

function workerPermissions(
  permissions: JobPermissions | undefined,
  profile: boolean,
): Deno.PermissionOptions {
  if ((!permissions || Object.keys(permissions).length === 0) && !profile) return "none";
  return {
    read: permissions?.read ?? false,
    write: permissions?.write ?? false,
    net: permissions?.net ?? false,
    env: permissions?.env ?? false,
    import: permissions?.net || permissions?.import
      ? [...(permissions.net ?? []), ...(permissions.import ?? [])]
      : false,
    run: false,
    ffi: false,
    sys: profile ? ["inspector"] : false,
  };
}

const WORKER_URL = new URL("./worker_entry.ts", import.meta.url);

export function spawnWorker(options: WorkerPoolOptions): Worker {
  // Without the sandbox, no `deno` option at all: the worker inherits the
  // program's permissions and needs no unstable flag. `deno.permissions` needs
  // the worker-options unstable feature; without it Deno 2.9.6 does not throw
  // here: it prints why and exits with code 70.
  if (!options.sandbox) return new Worker(WORKER_URL, { type: "module" });
  return new Worker(WORKER_URL, {
    type: "module",
    deno: { permissions: workerPermissions(options.permissions, options.profile ?? false) },
  });
}

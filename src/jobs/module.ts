/**
 * Bring-your-own jobs: a module whose default export runs one job, loaded in
 * every worker.
 *
 * @module
 */
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { errorMessage } from "../text.ts";
import { defineJob, type JobContext, type JobKind, type JobPermissions } from "./job.ts";

/** What a custom job module's default export gets besides its input. */
export interface CustomJobContext {
  /** Whether the job has been asked to stop (a cancel, a timeout, Ctrl-C). */
  shouldStop(): boolean;
  /** The cancel flag: index 0 becomes 1 when the job must stop (for `Atomics.wait`). */
  cancelFlag: Int32Array;
  /** The `--job-arg` pairs (the sweep's `params.jobArgs`). */
  args: Record<string, string>;
  /** The job's 1-based number in the batch. */
  jobNumber: number;
  /**
   * Aborted when the job runs past its time-out or the run is cancelled (Ctrl-C): pass it to
   * `fetch`, timers and streams so an awaiting job stops at once. Made when first read.
   */
  readonly signal: AbortSignal;
}

/** A custom job's context over the thread's own (one per job in flight, one per thread else). */
class ModuleJobContext implements CustomJobContext {
  readonly #base: JobContext;
  readonly args: Record<string, string>;
  jobNumber = 0;

  constructor(base: JobContext, args: Record<string, string>) {
    this.#base = base;
    this.args = args;
  }

  // A getter for the base's own function (a bound property there): a job may destructure it.
  get shouldStop(): () => boolean {
    return this.#base.shouldStop;
  }

  get cancelFlag(): Int32Array {
    return this.#base.cancelFlag;
  }

  get signal(): AbortSignal {
    return this.#base.signal ?? new AbortController().signal;
  }
}

/**
 * What a custom job module's default export receives and may return: its
 * input is the job's own line of `--inputs` (the sweep's `inputs`) when the
 * batch has them, the `--job-arg` pairs otherwise.
 */
export type CustomJobFunction = (input: unknown, context: CustomJobContext) => unknown;

/**
 * Tells a job module reference (a path or a URL) from a job kind's name.
 *
 * @param job What was given as the job: `sleep`, `./my_job.ts`, `https://…/job.ts`.
 * @returns Whether it names a module.
 *
 * @example Paths and URLs are modules
 * ```ts
 * import { isJobModuleReference } from "./module.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isJobModuleReference("./my_job.ts"), true);
 * assert.equal(isJobModuleReference("https://example.com/job.js"), true);
 * assert.equal(isJobModuleReference("sleep"), false);
 * ```
 */
export function isJobModuleReference(job: string): boolean {
  return /^(\.{0,2}\/|[a-z][a-z0-9+.-]*:\/\/|[a-zA-Z]:\\)/.test(job) ||
    /\.(ts|js|mjs|mts|tsx|jsx)$/.test(job);
}

/**
 * The URL of a job module reference as the CLI takes it: a URL as written, a
 * path resolved against the working directory.
 *
 * @param reference A path (`./my_job.ts`) or a URL (`https://…/job.ts`).
 * @returns The module's URL.
 *
 * @example A path and a URL
 * ```ts
 * import { moduleUrlOf } from "./module.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(moduleUrlOf("https://example.com/job.ts").href, "https://example.com/job.ts");
 * assert.equal(moduleUrlOf("/tmp/job.ts").href, "file:///tmp/job.ts");
 * ```
 */
export function moduleUrlOf(reference: string): URL {
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(reference)) return new URL(reference);
  return pathToFileURL(resolve(reference));
}

function readPermissionFor(url: URL): JobPermissions {
  if (url.protocol === "file:") return { read: [fileURLToPath(url)] };
  // A remote module may import from its own host (its own imports), not fetch from it.
  if (url.protocol === "http:" || url.protocol === "https:") return { import: [url.host] };
  return {};
}

function merge(a: JobPermissions, b: JobPermissions = {}): JobPermissions {
  const keys = ["read", "write", "net", "env", "import"] as const;
  const merged: JobPermissions = {};
  for (const key of keys) {
    const list = [...(a[key] ?? []), ...(b[key] ?? [])];
    if (list.length > 0) merged[key] = list;
  }
  if (a.npm || b.npm) merged.npm = true;
  return merged;
}

/**
 * The parameters of a job module (`runSweep({ job: new URL(…) })`): these two
 * keys and no other; a module's own values go in `jobArgs`.
 */
export interface ModuleJobParams {
  /** The input every job receives when the batch has no `inputs` (`--job-arg key=value`). */
  jobArgs?: Record<string, string>;
  /** What its workers may touch beyond reading the module (with `sandbox`). */
  permissions?: JobPermissions;
}

/** The keys {@linkcode ModuleJobParams} has, for the run-time check of a caller's params. */
export const MODULE_JOB_PARAMS: readonly (keyof ModuleJobParams)[] = ["jobArgs", "permissions"];

/** A custom module job's parameters as its workers receive them. */
interface ModuleParams extends ModuleJobParams {
  /** The module's URL. */
  moduleUrl?: string;
}

/**
 * The custom job kind. Each worker imports `params.moduleUrl`; every job calls
 * its default export with `params.jobArgs` (and a context with `shouldStop()`
 * for cooperative cancels). Workers may read the module file itself (to import
 * it) and only what `params.permissions` adds.
 *
 * @example Its workers may read the module and what the caller granted
 * ```ts
 * import { moduleJob } from "./module.ts";
 * import assert from "node:assert/strict";
 *
 * const params = { moduleUrl: "https://example.com/job.ts", permissions: { env: ["HOME"] } };
 * assert.deepEqual(moduleJob.permissions!(params, undefined), {
 *   env: ["HOME"],
 *   import: ["example.com"],
 * });
 * ```
 */
export const moduleJob: JobKind = defineJob<undefined, unknown, ModuleParams>({
  name: "module",
  aliases: [],
  description: "your own job: --job ./my_job.ts (its default export runs each job)",
  permissions: (params, _setup) =>
    merge(params.moduleUrl ? readPermissionFor(new URL(params.moduleUrl)) : {}, params.permissions),
  createRunner: async (params) => {
    const url = params.moduleUrl;
    if (!url) throw new TypeError("Cannot load job module: no module URL was given");
    let module: { default?: unknown };
    try {
      module = await import(url);
    } catch (error) {
      throw new TypeError(`Cannot load job module ${url}: ${errorMessage(error).split("\n")[0]}`, {
        cause: error,
      });
    }
    const run = module.default;
    if (typeof run !== "function") {
      throw new TypeError(
        `Cannot load job module ${url}: its default export must be a function (input) => result, found ${
          run === undefined ? "no default export" : typeof run
        }`,
      );
    }
    const args = { ...params.jobArgs };
    const job = run as CustomJobFunction;
    // A thread running one job at a time passes the same context for every job, and the custom
    // context follows it (a µs job must not pay an object each); jobs in flight each have their
    // own context, and so their own custom one: a small object whose members live on its class.
    let base: JobContext | undefined;
    let custom: ModuleJobContext | undefined;
    return (context) => {
      if (context !== base) {
        base = context;
        custom = new ModuleJobContext(context, args);
      }
      custom!.jobNumber = context.jobNumber ?? 0;
      return job(context.hasInput ? context.input : args, custom!);
    };
  },
  // Deno.inspect, not JSON: a result may be a BigInt, a Map or cyclic, which structured clone
  // carries fine and JSON.stringify throws on.
  describeOutput: (output) => {
    const text = Deno.inspect(output, { depth: 2, breakLength: Infinity, compact: true });
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  },
});

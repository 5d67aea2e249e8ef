/**
 * The `--help` text, built from the settings table and the job kinds.
 *
 * @module
 */
import denoJson from "../../deno.json" with { type: "json" };
import { JOB_KINDS } from "../jobs/registry.ts";
import { LIST_FLAGS } from "./job_flags.ts";
import { ENV_PREFIX, GENERIC_KEYS } from "./environment.ts";
import { SETTINGS } from "./settings.ts";
import { DEFAULT_BASELINE_DIR } from "./baseline_names.ts";

/** This package's version, from deno.json (what `--version` prints). */
export const VERSION: string = denoJson.version;

/**
 * The `--help` text: usage, every flag with its key and default, and the job kinds.
 *
 * @returns The help text, ending in a newline.
 *
 * @example Help names every key
 * ```ts
 * import { helpText } from "./help.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(helpText(), /--max-workers N +MAXWORKERCOUNT/);
 * assert.match(helpText(), /^  pi, PiJob +/m);
 * ```
 */
export function helpText(): string {
  const flags = Object.values(SETTINGS).map((s) =>
    "placeholder" in s && s.placeholder ? `${s.flag} ${s.placeholder}` : s.flag
  );
  const width = Math.max(...flags.map((flag) => flag.length));
  const rows = Object.values(SETTINGS).map((s, i) =>
    `  ${flags[i].padEnd(width)} ${s.key.padEnd(20)} ${s.description} (default: ${s.defaultText})`
  );
  const jobs = JOB_KINDS.map((kind) => {
    const names = [kind.name, ...kind.aliases].join(", ");
    return `  ${names.padEnd(30)} ${kind.description}`;
  });
  return [
    "deno-channels: run the same batch of jobs with 1, 2, … N workers and show the speed-up",
    "",
    "Usage:",
    "  deno run -A mod.ts [flags]                      from a checkout",
    "  deno run -A jsr:@deno-channels/core [flags]     from JSR",
    "  deno install -g -A -n deno-channels jsr:@deno-channels/core, then: deno-channels [flags]",
    "",
    "Flags (each also read from ./.env and from the environment by its key, and as",
    `${ENV_PREFIX}<KEY>, which wins over the bare key; precedence: flag > environment > .env >`,
    "default; a blank value means the default). From the environment, the generic keys",
    `${[...GENERIC_KEYS].join(", ")} are read only with the prefix, and a bare DEBUG follows`,
    "the npm debug convention (on for true, 1, * or a list naming deno-channels, off otherwise):",
    ...rows,
    `  ${"--help, -h".padEnd(width)} ${"".padEnd(20)} print this help`,
    `  ${"--version".padEnd(width)} ${"".padEnd(20)} print the version`,
    "",
    "Custom job modules (--job ./my_job.ts; flags only, no keys):",
    ...Object.entries(LIST_FLAGS).map(([flag, text]) => `  ${`${flag} X`.padEnd(width)} ${text}`),
    "",
    "Job kinds:",
    ...jobs,
    "",
    "Exit codes: 0 all jobs done, 1 a job failed, 2 bad settings or a job module that cannot",
    "start, 3 a step got slower than --baseline beyond --baseline-threshold, 129 hung up",
    "(SIGHUP), 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).",
    "",
    `Baselines are kept as ${DEFAULT_BASELINE_DIR}/NAME.json under the working directory`,
    "(--baseline-dir moves them); --job-arg values are not part of the batch a baseline names.",
    "",
  ].join("\n");
}

// deno-lint-ignore-file no-console
/**
 * The one writer of results, for a plain run and a parameter scan alike: the
 * chosen format to stdout or `--out`, every `--export-*` file, and the chart
 * (`--chart`).
 *
 * @module
 */
import { type Report, runReport } from "./render.ts";
import { scanReport, type SweepRun } from "./scan_render.ts";
import type { Config, OutputFormat } from "./settings.ts";

/** The formats `--export-*` write, with the setting that names each file. */
const EXPORTS = [
  ["json", "exportJson"],
  ["csv", "exportCsv"],
  ["markdown", "exportMarkdown"],
] as const satisfies readonly (readonly [OutputFormat, keyof Config])[];

/** Writes `text` to `path` (with a final newline) and says so on stderr unless quiet. */
async function writeOutputFile(
  config: Config,
  what: string,
  path: string,
  text: string,
): Promise<void> {
  await Deno.writeTextFile(path, text.endsWith("\n") ? text : `${text}\n`);
  if (!config.quiet) console.error(`deno-channels: wrote ${what} to ${path}`);
}

/**
 * Writes the results of a run: the chosen format (stdout, or `--out`), the
 * `--export-*` files and the chart. A scan whose sweeps yielded no step writes nothing.
 *
 * @param config The run's settings.
 * @param runs One sweep per value of the scan (one without a scan), with its steps.
 * @param warnings The warnings about the run (a plain run's JSON report holds them).
 * @throws {Error} When a file cannot be written.
 */
export async function writeResults(
  config: Config,
  runs: readonly SweepRun[],
  warnings: readonly string[],
): Promise<void> {
  const report: Report | undefined = config.scan
    ? scanReport(config, runs, warnings)
    : runReport(config, runs[0].job, runs[0].sweepSteps, warnings);
  if (!report) return;
  const text = await report.formats[config.format]();
  if (config.out) await writeOutputFile(config, config.format, config.out, text);
  else console.log(text.trimEnd());
  for (const [format, setting] of EXPORTS) {
    const path = config[setting];
    if (path) await writeOutputFile(config, format, path, await report.formats[format]());
  }
  if (config.chart && report.chart) {
    await writeOutputFile(config, "chart", config.chart, report.chart());
  }
}

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
import { type Config, type OutputFormat, settingLabel } from "./settings.ts";
import { terminalSafe } from "./terminal_text.ts";
import { errorMessage } from "../text.ts";

/** The formats `--export-*` write, with the setting that names each file. */
const EXPORTS = [
  ["json", "exportJson"],
  ["csv", "exportCsv"],
  ["markdown", "exportMarkdown"],
] as const satisfies readonly (readonly [OutputFormat, keyof Config])[];

/** One destination that could not be written: the setting that names it and why. */
export class WriteFailures extends Error {
  override name = "WriteFailures";
  /** One line per destination that failed. */
  readonly lines: readonly string[];

  /** @param lines One line per destination that failed. */
  constructor(lines: readonly string[]) {
    super(lines.join("; "));
    this.lines = lines;
  }
}

/**
 * Writes `text` and a final newline to stdout. A closed stdout (a reader that
 * went away: `| head -c1`, `>&-`) is an error, not a silent success.
 */
export async function writeStdout(text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text.endsWith("\n") ? text : `${text}\n`);
  for (let written = 0; written < bytes.length;) {
    written += await Deno.stdout.write(bytes.subarray(written));
  }
}

/** Writes `text` to `path` (with a final newline) and says so on stderr unless quiet. */
async function writeOutputFile(
  config: Config,
  what: string,
  path: string,
  text: string,
): Promise<void> {
  await Deno.writeTextFile(path, text.endsWith("\n") ? text : `${text}\n`);
  if (!config.quiet) console.error(`deno-channels: wrote ${what} to ${terminalSafe(path)}`);
}

/**
 * Writes the results of a run: the chosen format (stdout, or `--out`), the
 * `--export-*` files and the chart. A scan whose sweeps yielded no step writes
 * nothing. Each destination is written whatever happened to the others; a
 * `--out` that fails puts the results on stdout instead, so they are not lost.
 *
 * @param config The run's settings.
 * @param runs One sweep per value of the scan (one without a scan), with its steps.
 * @param warnings The warnings about the run (a plain run's JSON report holds them).
 * @throws {WriteFailures} After trying every destination, naming each that failed.
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
  const failures: string[] = [];
  const attempt = async (where: string, write: () => Promise<void>) => {
    try {
      await write();
    } catch (error) {
      failures.push(terminalSafe(`${errorMessage(error)} (${where})`));
    }
  };
  const text = await report.formats[config.format]();
  let printed = !config.out;
  if (config.out) {
    await attempt(
      `${settingLabel(config, "out")} "${config.out}"`,
      () => writeOutputFile(config, config.format, config.out!, text),
    );
    // The results are not lost with their file: they go to stdout instead.
    if (failures.length > 0) printed = true;
  }
  if (printed) await attempt("stdout", () => writeStdout(text.trimEnd()));
  for (const [format, setting] of EXPORTS) {
    const path = config[setting];
    if (path) {
      await attempt(
        `${settingLabel(config, setting)} "${path}"`,
        async () => writeOutputFile(config, format, path, await report.formats[format]()),
      );
    }
  }
  if (config.chart && report.chart) {
    const chart = report.chart;
    await attempt(
      `${settingLabel(config, "chart")} "${config.chart}"`,
      () => writeOutputFile(config, "chart", config.chart!, chart()),
    );
  }
  if (failures.length > 0) throw new WriteFailures(failures);
}

/**
 * The live progress line on stderr: step, jobs done, elapsed time, ETA.
 *
 * @module
 */
import type { SweepEvent } from "../types.ts";
import { workersInFlight } from "../text.ts";

/**
 * A live progress line on stderr (run, step, jobs done, elapsed, ETA), redrawn
 * in place; the CLI shows it only on a terminal, without NO_COLOR and without --quiet.
 *
 * @param repeatCount How many runs the sweep has; the line names the run when more than one.
 * @returns The event handler, a function that names the scan's value, and one that clears the line.
 */
export function progressLine(repeatCount: number): {
  onEvent: (event: SweepEvent) => void;
  setScan: (heading: string) => void;
  clear: () => void;
} {
  const encoder = new TextEncoder();
  let step = "";
  let run = "";
  let scan = "";
  let done = 0;
  let total = 0;
  let stepStart = 0;
  let lastDraw = 0;
  const sweepStart = performance.now();
  const draw = (force = false) => {
    const now = performance.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const stepSeconds = (now - stepStart) / 1000;
    const eta = done > 0
      ? `, step ETA ${((stepSeconds / done) * (total - done)).toFixed(1)} s`
      : "";
    const text = `${scan}${run}${step}: ${done}/${total} jobs, elapsed ${
      ((now - sweepStart) / 1000).toFixed(1)
    } s${eta}`;
    Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${text}`));
  };
  return {
    onEvent: (event) => {
      if (event.type === "step-start") {
        run = repeatCount > 1 ? `run ${event.repeat}/${repeatCount}, ` : "";
        step = `step ${event.step}/${event.stepCount} (${workersInFlight(event)})`;
        done = 0;
        total = event.jobCount;
        stepStart = performance.now();
        draw(true);
      } else if (event.type === "step-progress") {
        done = event.settled;
        draw(done === total);
      }
    },
    setScan: (heading) => {
      scan = `${heading}, `;
    },
    clear: () => Deno.stderr.writeSync(encoder.encode("\r\x1b[2K")),
  };
}

/**
 * A standalone SVG chart of a sweep's speed-up against its worker count: the
 * ideal (linear) line, the measured points with min–max whiskers when steps
 * were repeated, the machine's CPU count, the fitted Amdahl and USL curves
 * (only those whose R² makes them worth reading; a note says why one is
 * missing), axes with ticks, a legend, a title and the explanation sentence.
 * The y-axis is scaled to the measured data, and lines that leave it are
 * clipped. Plain SVG 1.1 with inline styles, so any browser or image viewer
 * shows it.
 *
 * @module
 */
import { CHAR_WIDTH_PX, escapeXml, leastCovered, niceStep, px, tickLabel, wrap } from "../_svg.ts";
import { plural } from "../../text.ts";
import { type CpuCeilingInfo, explainScaling, formatParameter } from "../analysis/explain.ts";
import type { FitFailure, UslFit } from "../analysis/fit.ts";
import { COLORS, hiddenBecause } from "./_chart_parts.ts";
import { amdahlSpeedup, uslThroughput } from "../analysis/models.ts";
import type { SweepAnalysis } from "../analysis/stats.ts";

/** Options for {@linkcode renderChartSvg}. */
export interface ChartOptions {
  /** Width in pixels; default 760. */
  width?: number;
  /** Height in pixels; default 480. */
  height?: number;
  /** The title; default "Speed-up by worker count". */
  title?: string;
  /** The line under the title; default the sentence from `explainScaling`. */
  subtitle?: string;
  /** Logical CPUs: a vertical line at that worker count, and the default subtitle. */
  cpuCount?: number;
  /** The CPUs this process can use, for the default subtitle (a knee there is named by it). */
  cpuCeiling?: CpuCeilingInfo;
}

/**
 * Renders the speed-up chart as a standalone SVG document. Each measured point
 * is a `<circle class="point" data-workers data-speedup>`; a repeated step's
 * min–max is a `<line class="whisker" data-workers data-min data-max>` (with
 * three or more runs, the speed-up's 95% bootstrap interval instead); the
 * ideal line is `<line id="ideal">`, clipped at the top of the axis; the CPU
 * count is `<line id="cpu-count" data-cpus>` when it lies on the x-axis; the
 * fits are `<polyline id="amdahl">`, `<polyline id="usl">` and
 * `<polyline id="usl-free">` (γ fitted free), each absent when the fit failed
 * or its R² is below {@linkcode CREDIBLE_R_SQUARED}, with a
 * `<text class="note" data-fit>` saying why; every tick is a
 * `<line class="tick" data-axis="x|y" data-value>` at its pixel position.
 *
 * @param analysis The sweep's analysis.
 * @param options Size, title, subtitle, CPU count.
 * @returns The SVG text, starting with the XML declaration.
 *
 * @example Two points and the ideal line
 * ```ts
 * import { jobRecords } from "../../step/job_records.ts";
 * import { analyzeSweep } from "../analysis/stats.ts";
 * import { renderChartSvg } from "./chart.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers, seconds, jobCount: 4, startupSeconds: 0, completed: 4, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: jobRecords([]),
 * });
 * const svg = renderChartSvg(analyzeSweep({ steps: [step(1, 4), step(2, 2.02)] }), { cpuCount: 2 });
 * assert.match(svg, /<circle class="point" data-workers="2" data-speedup="1.9802"/);
 * assert.match(svg, /<line id="ideal"/);
 * assert.match(svg, /<line id="cpu-count" data-cpus="2"/);
 * assert.match(svg, /Amdahl fit not drawn: needs speed-ups at 3 or more worker counts/);
 * ```
 */
export function renderChartSvg(analysis: SweepAnalysis, options: ChartOptions = {}): string {
  const width = options.width ?? 760;
  const height = options.height ?? 480;
  const title = options.title ?? "Speed-up by worker count";
  const subtitle = options.subtitle ?? analysis.concurrency?.reason ??
    explainScaling(analysis, { cpuCount: options.cpuCount, cpuCeiling: options.cpuCeiling });
  const subtitleLines = wrap(subtitle, Math.floor((width - 48) / CHAR_WIDTH_PX));

  // The line, fits and whiskers follow the thread axis (the baseline's jobs in flight); the
  // other jobs-in-flight values are hollow points of their own.
  const axisInFlight = analysis.steps[0]?.concurrency ?? 1;
  const onAxis = analysis.steps.filter((step) => step.concurrency === axisInFlight);
  const points = onAxis.flatMap((step) =>
    step.speedup === null ? [] : [{ workers: step.workers, speedup: step.speedup }]
  );
  const inFlightPoints = analysis.steps.flatMap((step) =>
    step.speedup === null || step.concurrency === axisInFlight
      ? []
      : [{ workers: step.workers, concurrency: step.concurrency, speedup: step.speedup }]
  );
  const baseline = analysis.baselineWorkers;
  const baselineSeconds = analysis.steps[0]?.seconds ?? 0;
  // Relative to the baseline's median, as the points are.
  // With three or more repeats the whiskers are the speed-ups' 95% bootstrap intervals.
  const intervals = analysis.why?.steps.filter((step) => step.interval !== undefined) ?? [];
  const whiskers = intervals.length > 0
    ? intervals.map((step) => ({
      workers: step.workers,
      min: step.interval!.low,
      max: step.interval!.high,
    }))
    : analysis.steps.flatMap((step) =>
      step.repeats > 1 && step.secondsMin > 0 && step.secondsMax > 0 && baselineSeconds > 0 &&
        Number.isFinite(step.secondsMax) && Number.isFinite(baselineSeconds)
        ? [{
          workers: step.workers,
          min: baselineSeconds / step.secondsMax,
          max: baselineSeconds / step.secondsMin,
        }]
        : []
    );
  const maxWorkers = Math.max(1, ...analysis.steps.map((step) => step.workers));
  const xStep = niceStep(maxWorkers, 10, true);
  const xMax = Math.ceil(maxWorkers / xStep) * xStep;
  const cpuCount = options.cpuCount !== undefined && options.cpuCount > 0
    ? options.cpuCount
    : undefined;

  const { amdahl, usl, uslFree } = analysis;
  const notes: { fit: string; text: string }[] = [];
  const drawn = <T extends { ok: true; rSquared: number }>(
    name: string,
    label: string,
    fit: T | FitFailure | undefined,
  ): T | undefined => {
    if (fit === undefined) return undefined;
    const why = hiddenBecause(fit);
    if (why === undefined) return fit as T;
    notes.push({ fit: name, text: `${label} fit not drawn: ${why}.` });
    return undefined;
  };
  const amdahlFit = drawn("amdahl", "Amdahl", amdahl);
  const uslFit = drawn("usl", "USL", usl);
  // Below 5 worker counts γ is not fitted free at all, which needs no note.
  // A free γ that could not be fitted (fewer than 5 counts) is not news; one that fits badly is.
  const uslFreeFit = uslFree?.ok ? drawn("usl-free", "USL (γ free)", uslFree) : undefined;
  if (cpuCount !== undefined && cpuCount > xMax) {
    notes.push({
      fit: "cpu-count",
      text: `This machine has ${plural(cpuCount, "logical CPU")}, beyond the measured range.`,
    });
  }

  const left = 64;
  const right = width - 24;
  const top = 48 + 16 * subtitleLines.length + 8;
  const bottom = height - 52 - 16 * notes.length;

  // The y-axis is scaled to what was measured, with room for the "use N" label;
  // the ideal line and the fitted curves are clipped where they leave it.
  const highest = Math.max(
    1,
    ...points.map((p) => p.speedup),
    ...inFlightPoints.map((p) => p.speedup),
    ...whiskers.map((w) => w.max),
  ) * 1.1;
  const yStep = niceStep(highest, 8, false);
  const yMax = Math.ceil(highest / yStep - 1e-9) * yStep;
  const x = (workers: number) => left + (workers / xMax) * (right - left);
  const y = (speedup: number) => bottom - (speedup / yMax) * (bottom - top);

  const sampleCount = 120;
  const curve = (model: (workers: number) => number) =>
    Array.from({ length: sampleCount + 1 }, (_, i) => {
      const workers = 1 + ((xMax - 1) * i) / sampleCount;
      return { workers, speedup: model(workers) };
    }).filter((p) => Number.isFinite(p.speedup));
  const amdahlCurve = amdahlFit
    ? curve((n) => amdahlSpeedup(n, amdahlFit.serialFraction, baseline))
    : [];
  const uslCurve = (fit: UslFit | undefined) =>
    fit ? curve((n) => uslThroughput(n, fit.sigma, fit.kappa, fit.gamma)) : [];
  const out: string[] = [];
  out.push(
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" ` +
      `fill="${COLORS.text}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${px(width / 2)}" y="28" text-anchor="middle" font-size="17" ` +
      `font-weight="bold">${escapeXml(title)}</text>`,
    ...subtitleLines.map((line, i) =>
      `<text class="subtitle" x="${px(width / 2)}" y="${48 + 16 * i}" text-anchor="middle" ` +
      `fill="${COLORS.muted}">${escapeXml(line)}</text>`
    ),
  );

  // Grid and ticks. Each tick carries its value so readers (and tests) can
  // map pixels back to data without knowing the margins.
  out.push(`<g id="x-axis">`);
  for (let value = 0; value <= xMax + 1e-9; value += xStep) {
    const at = px(x(value));
    out.push(
      `<line x1="${at}" y1="${px(top)}" x2="${at}" y2="${px(bottom)}" stroke="${COLORS.grid}"/>`,
      `<line class="tick" data-axis="x" data-value="${tickLabel(value)}" x1="${at}" ` +
        `y1="${px(bottom)}" x2="${at}" y2="${px(bottom + 5)}" stroke="${COLORS.axis}"/>`,
      `<text x="${at}" y="${px(bottom + 19)}" text-anchor="middle">${tickLabel(value)}</text>`,
    );
  }
  out.push(
    `<line class="axis" x1="${px(left)}" y1="${px(bottom)}" x2="${px(right)}" y2="${
      px(bottom)
    }" stroke="${COLORS.axis}"/>`,
    `<text x="${px((left + right) / 2)}" y="${px(bottom + 40)}" text-anchor="middle" ` +
      `font-size="13">Workers</text>`,
    `</g>`,
    `<g id="y-axis">`,
  );
  for (let i = 0; i * yStep <= yMax + 1e-9; i++) {
    const value = i * yStep;
    const at = px(y(value));
    out.push(
      `<line x1="${px(left)}" y1="${at}" x2="${px(right)}" y2="${at}" stroke="${COLORS.grid}"/>`,
      `<line class="tick" data-axis="y" data-value="${tickLabel(value)}" x1="${px(left - 5)}" ` +
        `y1="${at}" x2="${px(left)}" y2="${at}" stroke="${COLORS.axis}"/>`,
      `<text x="${px(left - 8)}" y="${px(y(value) + 4)}" text-anchor="end">${
        tickLabel(value)
      }</text>`,
    );
  }
  const yLabelX = 18;
  const yLabelY = (top + bottom) / 2;
  out.push(
    `<line class="axis" x1="${px(left)}" y1="${px(top)}" x2="${px(left)}" y2="${
      px(bottom)
    }" stroke="${COLORS.axis}"/>`,
    `<text x="${yLabelX}" y="${px(yLabelY)}" text-anchor="middle" font-size="13" ` +
      `transform="rotate(-90 ${yLabelX} ${px(yLabelY)})">Speed-up (×)</text>`,
    `</g>`,
  );

  // The ideal: speed-up equal to the worker ratio, through the origin, ending
  // where it leaves the axis (the data, not the ideal, sets the scale).
  const idealEnd = Math.min(xMax, yMax * baseline);
  out.push(
    `<defs><clipPath id="plot-area"><rect x="${px(left)}" y="${px(top)}" ` +
      `width="${px(right - left)}" height="${px(bottom - top)}"/></clipPath></defs>`,
    `<line id="ideal" x1="${px(x(0))}" y1="${px(y(0))}" x2="${px(x(idealEnd))}" ` +
      `y2="${px(y(idealEnd / baseline))}" stroke="${COLORS.ideal}" stroke-width="1.5" ` +
      `stroke-dasharray="6 4"/>`,
  );
  if (cpuCount !== undefined && cpuCount <= xMax) {
    const at = px(x(cpuCount));
    out.push(
      `<line id="cpu-count" data-cpus="${cpuCount}" x1="${at}" y1="${px(bottom)}" x2="${at}" ` +
        `y2="${px(top)}" stroke="${COLORS.cpu}" stroke-width="1" stroke-dasharray="2 3"/>`,
      // Labelled at the foot of the line: the legend fills the top left.
      `<text x="${px(x(cpuCount) + 4)}" y="${px(bottom - 6)}" fill="${COLORS.cpu}">` +
        `${escapeXml(plural(cpuCount, "logical CPU"))}</text>`,
    );
  }
  const polyline = (
    id: string,
    color: string,
    data: { workers: number; speedup: number }[],
    dash = "",
  ) =>
    `<polyline id="${id}" points="${
      data.map((p) => `${px(x(p.workers))},${px(y(p.speedup))}`).join(" ")
    }" fill="none" stroke="${color}" stroke-width="2"${
      dash ? ` stroke-dasharray="${dash}"` : ""
    } clip-path="url(#plot-area)"/>`;
  if (amdahlCurve.length > 1) out.push(polyline("amdahl", COLORS.amdahl, amdahlCurve));
  const uslPoints = uslCurve(uslFit);
  if (uslPoints.length > 1) out.push(polyline("usl", COLORS.usl, uslPoints));
  const uslFreePoints = uslCurve(uslFreeFit);
  if (uslFreePoints.length > 1) {
    out.push(polyline("usl-free", COLORS.uslFree, uslFreePoints, "8 3"));
  }

  out.push(`<g id="whiskers">`);
  for (const w of whiskers) {
    const at = x(w.workers);
    const [low, high] = [y(w.min), y(w.max)];
    out.push(
      `<line class="whisker" data-workers="${w.workers}" data-min="${
        Number(w.min.toFixed(4))
      }" data-max="${Number(w.max.toFixed(4))}" x1="${px(at)}" y1="${px(low)}" x2="${px(at)}" ` +
        `y2="${px(high)}" stroke="${COLORS.measured}" stroke-width="1.5"/>`,
      ...[low, high].map((end) =>
        `<line x1="${px(at - 4)}" y1="${px(end)}" x2="${px(at + 4)}" y2="${px(end)}" ` +
        `stroke="${COLORS.measured}" stroke-width="1.5"/>`
      ),
    );
  }
  out.push(`</g>`);

  const recommended = analysis.recommendation.workers;
  const recommendedPoint = points.find((p) => p.workers === recommended);
  if (recommendedPoint) {
    const at = px(x(recommended));
    const nearRight = x(recommended) > right - 48;
    out.push(
      `<line id="recommended" data-workers="${recommended}" x1="${at}" y1="${px(bottom)}" ` +
        `x2="${at}" y2="${px(y(recommendedPoint.speedup) - 10)}" stroke="${COLORS.recommended}" ` +
        `stroke-width="1.5" stroke-dasharray="3 3"/>`,
      // Beside the point rather than above it, where a whisker would run through it.
      `<text x="${px(x(recommended) + (nearRight ? -8 : 8))}" ` +
        `y="${px(y(recommendedPoint.speedup) - 8)}" text-anchor="${nearRight ? "end" : "start"}" ` +
        `fill="${COLORS.recommended}" font-weight="bold">use ${recommended}</text>`,
    );
  }

  out.push(`<g id="points">`);
  for (const p of points) {
    const label = `${plural(p.workers, "worker")}: ${p.speedup.toFixed(2)}x`;
    out.push(
      `<circle class="point" data-workers="${p.workers}" data-speedup="${
        Number(p.speedup.toFixed(4))
      }" cx="${px(x(p.workers))}" cy="${px(y(p.speedup))}" r="4.5" fill="${COLORS.measured}" ` +
        `stroke="#ffffff" stroke-width="1.5"><title>${escapeXml(label)}</title></circle>`,
    );
  }
  for (const p of inFlightPoints) {
    const label = `${plural(p.workers, "worker")} × ${p.concurrency} in flight: ${
      p.speedup.toFixed(2)
    }x`;
    out.push(
      `<circle class="in-flight-point" data-workers="${p.workers}" data-concurrency="${p.concurrency}" ` +
        `data-speedup="${Number(p.speedup.toFixed(4))}" cx="${px(x(p.workers))}" ` +
        `cy="${px(y(p.speedup))}" r="4.5" fill="#ffffff" stroke="${COLORS.measured}" ` +
        `stroke-width="1.5"><title>${escapeXml(label)}</title></circle>`,
      `<text x="${px(x(p.workers) + 7)}" y="${px(y(p.speedup) + 4)}" font-size="11" ` +
        `fill="${COLORS.muted}">×${p.concurrency}</text>`,
    );
  }
  out.push(`</g>`);
  if (points.length === 0) {
    out.push(
      `<text x="${px((left + right) / 2)}" y="${px((top + bottom) / 2)}" text-anchor="middle" ` +
        `font-size="14" fill="${COLORS.muted}">No step took a measurable time</text>`,
    );
  }

  const entries: { label: string; draw: (ex: number, ey: number) => string }[] = [
    {
      label: "Ideal (linear)",
      draw: (ex, ey) =>
        `<line x1="${ex}" y1="${ey}" x2="${ex + 24}" y2="${ey}" stroke="${COLORS.ideal}" ` +
        `stroke-width="1.5" stroke-dasharray="6 4"/>`,
    },
    {
      label: inFlightPoints.length > 0 ? `Measured, ${axisInFlight} in flight` : "Measured",
      draw: (ex, ey) => `<circle cx="${ex + 12}" cy="${ey}" r="4.5" fill="${COLORS.measured}"/>`,
    },
  ];
  if (inFlightPoints.length > 0) {
    entries.push({
      label: "Measured, ×N in flight",
      draw: (ex, ey) =>
        `<circle cx="${ex + 12}" cy="${ey}" r="4.5" fill="#ffffff" stroke="${COLORS.measured}" ` +
        `stroke-width="1.5"/>`,
    });
  }
  const lineEntry = (color: string) => (ex: number, ey: number) =>
    `<line x1="${ex}" y1="${ey}" x2="${ex + 24}" y2="${ey}" stroke="${color}" stroke-width="2"/>`;
  if (whiskers.length > 0) {
    const runs = Math.max(...analysis.steps.map((step) => step.repeats));
    entries.push({
      label: intervals.length > 0 ? `95% interval of ${runs} runs` : `Min–max of ${runs} runs`,
      draw: (ex, ey) =>
        `<line x1="${ex + 12}" y1="${ey - 6}" x2="${ex + 12}" y2="${ey + 6}" ` +
        `stroke="${COLORS.measured}" stroke-width="1.5"/>`,
    });
  }
  if (amdahlFit) {
    entries.push({
      label: `Amdahl fit: s=${formatParameter(amdahlFit.serialFraction)}, R² ${
        amdahlFit.rSquared.toFixed(2)
      }`,
      draw: lineEntry(COLORS.amdahl),
    });
  }
  if (uslFit) {
    entries.push({
      label: `USL fit: σ=${formatParameter(uslFit.sigma)}, κ=${formatParameter(uslFit.kappa)}, R² ${
        uslFit.rSquared.toFixed(2)
      }`,
      draw: lineEntry(COLORS.usl),
    });
  }
  if (uslFreeFit) {
    entries.push({
      label: `USL fit, γ free: σ=${formatParameter(uslFreeFit.sigma)}, κ=${
        formatParameter(uslFreeFit.kappa)
      }, γ=${formatParameter(uslFreeFit.gamma)}, R² ${uslFreeFit.rSquared.toFixed(2)}`,
      draw: (ex, ey) =>
        `<line x1="${ex}" y1="${ey}" x2="${ex + 24}" y2="${ey}" stroke="${COLORS.uslFree}" ` +
        `stroke-width="2" stroke-dasharray="8 3"/>`,
    });
  }
  // 12 px to spare: wide glyphs (en dash, γ, R²) run past the average advance.
  const legendWidth = 52 + CHAR_WIDTH_PX * Math.max(...entries.map((e) => e.label.length));
  const legendHeight = 12 + 20 * entries.length;
  // The y-axis fits the data, so no corner is empty by rule: the legend takes
  // the corner it hides least in (points weigh most, then whiskers, then lines).
  const marks = [
    ...points.map((p) => ({ at: [x(p.workers), y(p.speedup)], weight: 100 })),
    ...whiskers.flatMap((w) =>
      [w.min, w.max].map((v) => ({ at: [x(w.workers), y(v)], weight: 20 }))
    ),
    ...[amdahlCurve, uslPoints, uslFreePoints].flat().map((p) => ({
      at: [x(p.workers), y(p.speedup)],
      weight: 1,
    })),
    ...Array.from({ length: 41 }, (_, i) => ({
      at: [x((idealEnd * i) / 40), y((idealEnd * i) / 40 / baseline)],
      weight: 1,
    })),
  ];
  const corners = [
    [left + 12, top + 10],
    [right - 12 - legendWidth, bottom - 10 - legendHeight],
    [right - 12 - legendWidth, top + 10],
    [left + 12, bottom - 10 - legendHeight],
  ];
  const [legendX, legendY] = leastCovered(corners, marks, legendWidth, legendHeight);
  out.push(
    `<g id="legend">`,
    `<rect x="${px(legendX)}" y="${px(legendY)}" width="${px(legendWidth)}" ` +
      `height="${legendHeight}" fill="#ffffff" fill-opacity="0.9" ` +
      `stroke="#cccccc"/>`,
    ...entries.flatMap((entry, i) => {
      const ey = legendY + 16 + 20 * i;
      return [
        entry.draw(Number(px(legendX + 8)), Number(px(ey))),
        `<text x="${px(legendX + 40)}" y="${px(ey + 4)}">${escapeXml(entry.label)}</text>`,
      ];
    }),
    `</g>`,
    ...notes.map((note, i) =>
      `<text class="note" data-fit="${note.fit}" x="${px(left)}" ` +
      `y="${px(bottom + 58 + 16 * i)}" fill="${COLORS.muted}">${escapeXml(note.text)}</text>`
    ),
    `</svg>`,
    "",
  );
  return out.join("\n");
}

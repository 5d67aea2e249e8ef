/**
 * The granularity chart of a parameter scan: speed-up against workers, one
 * curve per value, so "from what job size do more workers pay?" is one
 * picture. A dotted line marks the crossover threshold; values that pay are
 * drawn solid, the others dashed; the legend names each value with its job's
 * run time. Plain SVG 1.1 with inline styles.
 *
 * @module
 */
import { escapeXml, niceStep, px, tickLabel, wrap } from "../_svg.ts";
import { duration as formatDuration, plural } from "../../text.ts";
import { CROSSOVER_SPEEDUP, describeCrossover, type ScanAnalysis } from "./granularity.ts";

/** Options for {@linkcode renderGranularityChartSvg}. */
export interface GranularityChartOptions {
  /** Width in pixels; default 860. */
  width?: number;
  /** Height in pixels; default 480. */
  height?: number;
  /** The title; default "Speed-up by workers, per <parameter>". */
  title?: string;
}

/** One colour per value, smallest value first (Tableau 10), repeated past ten values. */
const PALETTE = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];
/** Approximate advance of one character of 12 px sans-serif (bold, µ), for the legend. */
const CHAR_WIDTH_PX = 7.2;

/**
 * Renders the granularity chart as a standalone SVG document. Each value's
 * curve is a `<polyline class="scan-curve" data-value data-pays>`, each point a
 * `<circle class="point" data-value data-workers data-speedup>`; the ideal
 * line is `<line id="ideal">` (clipped to the axes), the threshold
 * `<line id="threshold" data-speedup="1.2">`; the subtitle is the crossover
 * sentence.
 *
 * @param scan The scan's analysis.
 * @param options Size and title.
 * @returns The SVG text, starting with the XML declaration.
 *
 * @example Two values, one curve each
 * ```ts
 * import { jobRecords } from "../../step/job_records.ts";
 * import { analyzeSweep } from "../analysis/stats.ts";
 * import { analyzeScan } from "./granularity.ts";
 * import { renderGranularityChartSvg } from "./chart.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers, seconds, jobCount: 4, completed: 4, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: jobRecords([]),
 * });
 * const sweep = (two: number) => analyzeSweep({ steps: [step(1, 1), step(2, two)] });
 * const svg = renderGranularityChartSvg(analyzeScan("sleep-ms", [
 *   { value: 1, analysis: sweep(0.95) },
 *   { value: 10, analysis: sweep(0.5) },
 * ]));
 * assert.equal(svg.match(/<polyline class="scan-curve"/g)?.length, 2);
 * assert.match(svg, /<polyline class="scan-curve" data-value="10" data-pays="true"/);
 * assert.match(svg, /<circle class="point" data-value="1" data-workers="2" data-speedup="1.0526"/);
 * ```
 */
export function renderGranularityChartSvg(
  scan: ScanAnalysis,
  options: GranularityChartOptions = {},
): string {
  const width = options.width ?? 860;
  const height = options.height ?? 480;
  const title = options.title ?? `Speed-up by workers, per ${scan.parameter}`;
  const points = scan.crossover.points;
  const byValue = new Map(scan.values.map((v) => [v.value, v.analysis]));
  const entries = points.map((point, i) => ({
    point,
    color: PALETTE[i % PALETTE.length],
    data: byValue.get(point.value)!.steps.flatMap((step) =>
      step.speedup === null ? [] : [{ workers: step.workers, speedup: step.speedup }]
    ),
    // The parameter's name heads the legend once, rather than on every row: the legend stays
    // a fifth of the chart wide, not a third.
    text: `${point.value}${
      point.jobSeconds === null ? "" : ` (job ${formatDuration(point.jobSeconds)})`
    }${point.value === scan.crossover.value ? ", pays" : ""}`,
  }));
  const legendTitle = `${scan.parameter}:`;
  const legendWidth = 40 +
    CHAR_WIDTH_PX * Math.max(legendTitle.length, ...entries.map((e) => e.text.length));
  const subtitleLines = wrap(describeCrossover(scan), Math.floor((width - 48) / CHAR_WIDTH_PX));

  const left = 64;
  const right = width - 24 - legendWidth - 12;
  const top = 48 + 16 * subtitleLines.length + 8;
  const bottom = height - 52;
  const baseline = scan.values[0].analysis.baselineWorkers;
  const maxWorkers = Math.max(1, ...entries.flatMap((e) => e.data.map((d) => d.workers)));
  const xStep = niceStep(maxWorkers, 10, true);
  const xMax = Math.ceil(maxWorkers / xStep) * xStep;
  const highest = Math.max(
    CROSSOVER_SPEEDUP,
    ...entries.flatMap((e) => e.data.map((d) => d.speedup)),
  );
  const yStep = niceStep(highest * 1.1, 8, false);
  const yMax = Math.ceil((highest * 1.1) / yStep - 1e-9) * yStep;
  const x = (workers: number) => left + (workers / xMax) * (right - left);
  const y = (speedup: number) => bottom - (speedup / yMax) * (bottom - top);

  const out = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" fill="#222222">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${px(width / 2)}" y="28" text-anchor="middle" font-size="17" font-weight="bold">${
      escapeXml(title)
    }</text>`,
    ...subtitleLines.map((line, i) =>
      `<text class="subtitle" x="${px(width / 2)}" y="${48 + 16 * i}" text-anchor="middle" ` +
      `fill="#555555">${escapeXml(line)}</text>`
    ),
  ];
  for (let value = 0; value <= xMax + 1e-9; value += xStep) {
    const at = px(x(value));
    out.push(
      `<line x1="${at}" y1="${px(top)}" x2="${at}" y2="${px(bottom)}" stroke="#e6e6e6"/>`,
      `<text x="${at}" y="${px(bottom + 19)}" text-anchor="middle">${tickLabel(value)}</text>`,
    );
  }
  for (let i = 0; i * yStep <= yMax + 1e-9; i++) {
    const at = px(y(i * yStep));
    out.push(
      `<line x1="${px(left)}" y1="${at}" x2="${px(right)}" y2="${at}" stroke="#e6e6e6"/>`,
      `<text x="${px(left - 8)}" y="${px(y(i * yStep) + 4)}" text-anchor="end">${
        tickLabel(i * yStep)
      }</text>`,
    );
  }
  const yLabelY = px((top + bottom) / 2);
  out.push(
    `<line x1="${px(left)}" y1="${px(bottom)}" x2="${px(right)}" y2="${
      px(bottom)
    }" stroke="#333333"/>`,
    `<line x1="${px(left)}" y1="${px(top)}" x2="${px(left)}" y2="${px(bottom)}" stroke="#333333"/>`,
    `<text x="${px((left + right) / 2)}" y="${px(bottom + 40)}" text-anchor="middle" ` +
      `font-size="13">Workers</text>`,
    `<text x="18" y="${yLabelY}" text-anchor="middle" font-size="13" ` +
      `transform="rotate(-90 18 ${yLabelY})">Speed-up over ${
        plural(baseline, "worker")
      } (×)</text>`,
  );
  // The ideal (speed-up = worker ratio), clipped where it leaves the plot.
  const idealEnd = Math.min(xMax, yMax * baseline);
  out.push(
    `<line id="ideal" x1="${px(x(0))}" y1="${px(y(0))}" x2="${px(x(idealEnd))}" ` +
      `y2="${px(y(idealEnd / baseline))}" stroke="#888888" stroke-width="1.5" ` +
      `stroke-dasharray="6 4"/>`,
    `<line id="threshold" data-speedup="${CROSSOVER_SPEEDUP}" x1="${px(left)}" ` +
      `y1="${px(y(CROSSOVER_SPEEDUP))}" x2="${px(right)}" y2="${px(y(CROSSOVER_SPEEDUP))}" ` +
      `stroke="#444444" stroke-width="1.5" stroke-dasharray="2 3"/>`,
    `<text x="${px(left + 6)}" y="${px(y(CROSSOVER_SPEEDUP) - 5)}" fill="#444444">` +
      `${CROSSOVER_SPEEDUP}x: more workers pay above</text>`,
  );
  for (const { point, color, data } of entries) {
    const value = escapeXml(String(point.value));
    out.push(
      `<polyline class="scan-curve" data-value="${value}" data-pays="${point.pays}" points="${
        data.map((d) => `${px(x(d.workers))},${px(y(d.speedup))}`).join(" ")
      }" fill="none" stroke="${color}" stroke-width="2"${
        point.pays ? "" : ` stroke-dasharray="5 3"`
      }/>`,
      ...data.map((d) =>
        `<circle class="point" data-value="${value}" data-workers="${d.workers}" ` +
        `data-speedup="${Number(d.speedup.toFixed(4))}" cx="${px(x(d.workers))}" ` +
        `cy="${px(y(d.speedup))}" r="4" fill="${color}" stroke="#ffffff" stroke-width="1.2">` +
        `<title>${value}, ${plural(d.workers, "worker")}: ${d.speedup.toFixed(2)}x</title></circle>`
      ),
    );
  }
  const legendX = right + 12;
  const legendY = top;
  out.push(
    `<g id="legend">`,
    `<rect x="${px(legendX)}" y="${legendY}" width="${px(legendWidth)}" ` +
      `height="${12 + 20 * (entries.length + 2)}" fill="#ffffff" stroke="#cccccc"/>`,
    `<text x="${px(legendX + 8)}" y="${legendY + 20}">${escapeXml(legendTitle)}</text>`,
    ...entries.flatMap(({ point, color, text }, i) => {
      const ey = legendY + 16 + 20 * (i + 1);
      return [
        `<line x1="${px(legendX + 8)}" y1="${ey}" x2="${px(legendX + 32)}" y2="${ey}" ` +
        `stroke="${color}" stroke-width="2"${point.pays ? "" : ` stroke-dasharray="5 3"`}/>`,
        `<text x="${px(legendX + 40)}" y="${ey + 4}"${
          point.value === scan.crossover.value ? ` font-weight="bold"` : ""
        }>${escapeXml(text)}</text>`,
      ];
    }),
    `<line x1="${px(legendX + 8)}" y1="${legendY + 16 + 20 * (entries.length + 1)}" x2="${
      px(legendX + 32)
    }" y2="${legendY + 16 + 20 * (entries.length + 1)}" stroke="#888888" stroke-width="1.5" ` +
      `stroke-dasharray="6 4"/>`,
    `<text x="${px(legendX + 40)}" y="${
      legendY + 20 + 20 * (entries.length + 1)
    }">Ideal (linear)</text>`,
    `</g>`,
    `</svg>`,
    "",
  );
  return out.join("\n");
}

import assert from "node:assert/strict";
import { jobRecords } from "../src/step/job_records.ts";
import type { SweepStep } from "../src/types.ts";
import { amdahlSpeedup, uslSpeedup, uslThroughput } from "../src/report/analysis/models.ts";
import { analyzeSweep, combineRepeats, type SweepAnalysis } from "../src/report/analysis/stats.ts";
import { CREDIBLE_R_SQUARED } from "../src/report/analysis/fit.ts";
import { renderChartSvg } from "../src/report/format/chart.ts";

function step(workers: number, seconds: number, jobCount = 16): SweepStep {
  return {
    workers,
    jobCount,
    seconds,
    repeat: 1,
    startupSeconds: 0,
    completed: 16,
    failed: 0,
    cancelled: 0,
    averageJobSeconds: 1,
    peakRssBytes: 0,
    speedup: 1,
    jobs: jobRecords([]),
  };
}

/** A CPU-bound sweep on a 2-core machine: 1..8 workers, flat after 2. */
function flatAfterTwo(): SweepAnalysis {
  const seconds = [16.02, 8.1, 8.05, 8.0, 8.04, 8.08, 8.1, 8.2];
  return analyzeSweep({ steps: seconds.map((s, i) => step(i + 1, s)) });
}

/** A sweep the models describe well: USL data with σ = 0.1, κ = 0.001 over 1..8 workers. */
function credible(): SweepAnalysis {
  // 840 jobs split evenly over every count, so no rounds bend the fits.
  const counts = [1, 2, 3, 4, 5, 6, 7, 8];
  return analyzeSweep({
    steps: counts.map((n) => step(n, 16 / uslSpeedup(n, 0.1, 0.001), 840)),
  });
}

interface Element {
  name: string;
  attributes: Record<string, string>;
}

/** Every start or empty element tag, with its attributes. */
function elements(svg: string): Element[] {
  return [...svg.matchAll(/<([a-zA-Z]+)((?:\s+[\w:-]+="[^"]*")*)\s*\/?>/g)].map((match) => ({
    name: match[1],
    attributes: Object.fromEntries(
      [...match[2].matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]]),
    ),
  }));
}

function byId(svg: string, id: string): Element | undefined {
  return elements(svg).find((element) => element.attributes.id === id);
}

/** The linear pixel mapping of one axis, read from its ticks' values and positions. */
function axisScale(svg: string, axis: "x" | "y"): (value: number) => number {
  const ticks = elements(svg)
    .filter((e) => e.attributes.class === "tick" && e.attributes["data-axis"] === axis)
    .map((e) => ({
      value: Number(e.attributes["data-value"]),
      pixel: Number(axis === "x" ? e.attributes.x1 : e.attributes.y1),
    }));
  assert.ok(ticks.length >= 2, `the ${axis} axis needs two ticks, found ${ticks.length}`);
  const first = ticks[0];
  const last = ticks[ticks.length - 1];
  const slope = (last.pixel - first.pixel) / (last.value - first.value);
  const scale = (value: number) => first.pixel + (value - first.value) * slope;
  for (const tick of ticks) {
    assert.ok(Math.abs(scale(tick.value) - tick.pixel) <= 0.01, `uneven ${axis} tick`);
  }
  return scale;
}

function polylinePoints(element: Element): [number, number][] {
  return element.attributes.points.trim().split(/\s+/).map((pair) =>
    pair.split(",").map(Number) as [number, number]
  );
}

function assertWellFormed(svg: string) {
  const stack: string[] = [];
  for (const match of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = match;
    if (selfClosing) continue;
    if (closing) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else stack.push(name);
  }
  assert.deepEqual(stack, [], "every element is closed");
}

Deno.test("renderChartSvg() places each measured point at its data coordinates within 0.5 px", () => {
  const analysis = flatAfterTwo();
  const svg = renderChartSvg(analysis);
  const x = axisScale(svg, "x");
  const y = axisScale(svg, "y");
  const circles = elements(svg).filter((e) => e.attributes.class === "point");
  assert.equal(circles.length, 8);
  circles.forEach((circle, i) => {
    const expected = analysis.steps[i];
    const workers = Number(circle.attributes["data-workers"]);
    const speedup = Number(circle.attributes["data-speedup"]);
    assert.equal(workers, expected.workers);
    assert.ok(Math.abs(speedup - expected.speedup!) < 1e-4, `data-speedup ${speedup}`);
    assert.ok(Math.abs(Number(circle.attributes.cx) - x(expected.workers)) <= 0.5, "cx");
    assert.ok(Math.abs(Number(circle.attributes.cy) - y(expected.speedup!)) <= 0.5, "cy");
  });
});

Deno.test("renderChartSvg() draws the ideal line from the origin along speed-up = worker ratio", () => {
  for (const baseline of [1, 2]) {
    const counts = [baseline, 2 * baseline, 4 * baseline];
    const analysis = analyzeSweep({ steps: counts.map((n) => step(n, 12 * baseline / n)) });
    const svg = renderChartSvg(analysis);
    const x = axisScale(svg, "x");
    const y = axisScale(svg, "y");
    const ideal = byId(svg, "ideal");
    assert.ok(ideal, "the ideal line is present");
    const [x1, y1, x2, y2] = ["x1", "y1", "x2", "y2"].map((key) => Number(ideal.attributes[key]));
    assert.ok(Math.abs(x1 - x(0)) <= 0.5 && Math.abs(y1 - y(0)) <= 0.5, "starts at the origin");
    const xMax = (x2 - x(0)) / (x(1) - x(0));
    assert.ok(xMax >= 4 * baseline - 1e-9, "reaches the largest worker count");
    assert.ok(Math.abs(y2 - y(xMax / baseline)) <= 0.5, "ends on speed-up = workers / baseline");
  }
});

Deno.test("renderChartSvg() draws the Amdahl and both USL fits as polylines that follow the models", () => {
  const analysis = credible();
  const { amdahl, usl, uslFree } = analysis;
  assert.ok(amdahl.ok && usl.ok && uslFree.ok);
  const svg = renderChartSvg(analysis);
  const x = axisScale(svg, "x");
  const y = axisScale(svg, "y");
  const workersAt = (pixel: number) => (pixel - x(0)) / (x(1) - x(0));
  const models = {
    amdahl: (n: number) => amdahlSpeedup(n, amdahl.serialFraction),
    usl: (n: number) => uslSpeedup(n, usl.sigma, usl.kappa),
    "usl-free": (n: number) => uslThroughput(n, uslFree.sigma, uslFree.kappa, uslFree.gamma),
  };
  for (const [id, model] of Object.entries(models)) {
    const line = byId(svg, id);
    assert.ok(line, `the ${id} curve is present`);
    assert.equal(line.name, "polyline");
    const vertices = polylinePoints(line);
    assert.ok(vertices.length > 20, `${id} is a smooth curve`);
    for (const [px, py] of vertices) {
      assert.ok(Math.abs(py - y(model(workersAt(px)))) <= 0.5, `${id} vertex at x=${px}`);
    }
  }
});

Deno.test("renderChartSvg() leaves out the curves of fits that could not be made, without NaN", () => {
  const two = renderChartSvg(analyzeSweep({ steps: [step(1, 4), step(2, 2)] }));
  assert.equal(byId(two, "amdahl"), undefined);
  assert.equal(byId(two, "usl"), undefined);
  assert.doesNotMatch(two, /USL fit:/);
  assert.match(
    two,
    /<text class="note" data-fit="amdahl"[^>]*>Amdahl fit not drawn: needs speed-ups at 3 or more worker counts, received 2\.</,
  );

  const none = renderChartSvg(analyzeSweep({ steps: [step(1, 0)] }));
  assert.equal(byId(none, "amdahl"), undefined);
  assert.equal(byId(none, "usl"), undefined);
  assert.equal(elements(none).filter((e) => e.attributes.class === "point").length, 0);
  assert.match(none, /No step took a measurable time/);
  for (const svg of [two, none]) {
    assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
    assertWellFormed(svg);
  }
});

Deno.test("renderChartSvg() writes a standalone SVG 1.1 on a white background in sans-serif", () => {
  const svg = renderChartSvg(flatAfterTwo(), { width: 800, height: 500 });
  assert.ok(svg.startsWith(`<?xml version="1.0" encoding="UTF-8"?>\n<svg `));
  const root = elements(svg)[0];
  assert.equal(root.name, "svg");
  assert.equal(root.attributes.xmlns, "http://www.w3.org/2000/svg");
  assert.equal(root.attributes.version, "1.1");
  assert.equal(root.attributes["font-family"], "sans-serif");
  assert.deepEqual([root.attributes.width, root.attributes.height], ["800", "500"]);
  const background = elements(svg).find((e) => e.name === "rect");
  assert.deepEqual(background?.attributes, {
    x: "0",
    y: "0",
    width: "800",
    height: "500",
    fill: "#ffffff",
  });
  assert.doesNotMatch(svg, /<script|<style|href=|<foreignObject/);
  assertWellFormed(svg);
});

Deno.test("renderChartSvg() shows the title, the explanation, axis labels and a legend of the fits", () => {
  const flat = renderChartSvg(flatAfterTwo(), { cpuCount: 2 });
  assert.match(flat, />Speed-up flattens after 2 workers: this machine has 2 logical CPUs\.</);
  const svg = renderChartSvg(credible(), { title: "Pi jobs <on> A & B", cpuCount: 2 });
  assert.match(svg, /<title>Pi jobs &lt;on&gt; A &amp; B<\/title>/);
  assert.match(svg, />Workers</);
  assert.match(svg, />Speed-up \(×\)</);
  const legend = svg.slice(svg.indexOf(`<g id="legend">`));
  for (
    const label of ["Ideal (linear)", "Measured", "Amdahl fit: s=", "USL fit: σ=", "γ free: σ="]
  ) {
    assert.ok(legend.includes(label), `legend lists ${label}`);
  }
  const custom = renderChartSvg(flatAfterTwo(), { subtitle: "Measured on a laptop" });
  assert.match(custom, /class="subtitle"[^>]*>Measured on a laptop</);
});

Deno.test("renderChartSvg() marks the recommended worker count", () => {
  const analysis = flatAfterTwo();
  const svg = renderChartSvg(analysis);
  const marker = byId(svg, "recommended");
  assert.ok(marker);
  assert.equal(marker.attributes["data-workers"], String(analysis.recommendation.workers));
  assert.ok(Math.abs(Number(marker.attributes.x1) - axisScale(svg, "x")(2)) <= 0.5);
  assert.match(svg, />use 2</);
});

Deno.test("renderChartSvg() keeps every point inside the plotted range", () => {
  const steps = [1, 2, 4, 8, 16, 32].map((n) => step(n, 32 / uslSpeedup(n, 0.02, 0.0005)));
  const svg = renderChartSvg(analyzeSweep({ steps }));
  const y = axisScale(svg, "y");
  const yTicks = elements(svg)
    .filter((e) => e.attributes["data-axis"] === "y")
    .map((e) => Number(e.attributes["data-value"]));
  const top = y(Math.max(...yTicks));
  for (const circle of elements(svg).filter((e) => e.attributes.class === "point")) {
    const cy = Number(circle.attributes.cy);
    assert.ok(cy >= top - 0.5 && cy <= y(0) + 0.5, `point at cy=${cy} is inside`);
  }
});

Deno.test("renderChartSvg() hides a fit whose R² is too low to trust and says why", () => {
  // Flat after 2 workers on 2 CPUs: neither model describes a CPU limit.
  const analysis = flatAfterTwo();
  assert.ok(analysis.amdahl.ok && analysis.amdahl.rSquared < CREDIBLE_R_SQUARED);
  const svg = renderChartSvg(analysis);
  assert.equal(byId(svg, "amdahl"), undefined);
  const note = svg.match(/<text class="note" data-fit="amdahl"[^>]*>([^<]*)</);
  assert.ok(note, "a note says why the Amdahl curve is missing");
  assert.equal(
    note[1],
    `Amdahl fit not drawn: R² ${
      analysis.amdahl.rSquared.toFixed(2)
    } is below 0.9, so the model does not explain these points.`,
  );
  assert.doesNotMatch(svg.slice(svg.indexOf(`<g id="legend">`)), /Amdahl fit:/);
  assertWellFormed(svg);
});

Deno.test("renderChartSvg() draws min–max whiskers for repeated steps", () => {
  const steps = combineRepeats([
    [step(1, 4.0), step(2, 2.2), step(4, 1.2)],
    [step(1, 4.2), step(2, 2.0), step(4, 1.0)],
    [step(1, 3.9), step(2, 2.1), step(4, 1.1)],
  ]);
  const svg = renderChartSvg(analyzeSweep({ steps }));
  const y = axisScale(svg, "y");
  const whiskers = elements(svg).filter((e) => e.attributes.class === "whisker");
  assert.equal(whiskers.length, 3);
  const two = whiskers.find((w) => w.attributes["data-workers"] === "2");
  assert.ok(two);
  // Relative to the baseline's median, 4.0 s: 4.0 / 2.2 to 4.0 / 2.0.
  assert.equal(Number(two.attributes["data-min"]), Number((4 / 2.2).toFixed(4)));
  assert.equal(Number(two.attributes["data-max"]), 2);
  assert.ok(Math.abs(Number(two.attributes.y1) - y(4 / 2.2)) <= 0.5);
  assert.ok(Math.abs(Number(two.attributes.y2) - y(2)) <= 0.5);
  assert.match(svg, />Min–max of 3 runs</);
  const once = renderChartSvg(flatAfterTwo());
  assert.equal(elements(once).filter((e) => e.attributes.class === "whisker").length, 0);
});

Deno.test("renderChartSvg() marks the CPU count with a vertical line, or a note when off the axis", () => {
  const svg = renderChartSvg(flatAfterTwo(), { cpuCount: 2 });
  const line = byId(svg, "cpu-count");
  assert.ok(line);
  assert.equal(line.attributes["data-cpus"], "2");
  const x = axisScale(svg, "x");
  assert.ok(Math.abs(Number(line.attributes.x1) - x(2)) <= 0.5);
  assert.equal(line.attributes.x1, line.attributes.x2);
  assert.match(svg, />2 logical CPUs</);
  const wide = renderChartSvg(flatAfterTwo(), { cpuCount: 64 });
  assert.equal(byId(wide, "cpu-count"), undefined);
  assert.match(wide, />This machine has 64 logical CPUs, beyond the measured range\.</);
});

Deno.test("renderChartSvg() scales the y-axis to the data and clips the ideal line", () => {
  // Flat at 2x up to 8 workers: the axis stops near 2, not at 8.
  const svg = renderChartSvg(flatAfterTwo());
  const yTicks = elements(svg)
    .filter((e) => e.attributes["data-axis"] === "y")
    .map((e) => Number(e.attributes["data-value"]));
  const yMax = Math.max(...yTicks);
  assert.ok(yMax >= 2 && yMax <= 2.5, `the y-axis ends at ${yMax}`);
  const ideal = byId(svg, "ideal");
  assert.ok(ideal);
  const y = axisScale(svg, "y");
  const x = axisScale(svg, "x");
  assert.ok(Math.abs(Number(ideal.attributes.y2) - y(yMax)) <= 0.5, "ends at the top");
  assert.ok(Math.abs(Number(ideal.attributes.x2) - x(yMax)) <= 0.5, "on speed-up = workers");
  for (const id of ["amdahl", "usl", "usl-free"]) {
    const curve = byId(renderChartSvg(credible()), id);
    assert.equal(curve?.attributes["clip-path"], "url(#plot-area)", `${id} is clipped`);
  }
});

Deno.test("renderChartSvg() puts the legend where it covers no measured point", () => {
  for (const analysis of [flatAfterTwo(), credible()]) {
    const svg = renderChartSvg(analysis, { cpuCount: 2 });
    const legend = elements(svg.slice(svg.indexOf(`<g id="legend">`)))
      .find((e) => e.name === "rect");
    assert.ok(legend);
    const [lx, ly, lw, lh] = ["x", "y", "width", "height"].map((k) => Number(legend.attributes[k]));
    for (const circle of elements(svg).filter((e) => e.attributes.class === "point")) {
      const [cx, cy] = [Number(circle.attributes.cx), Number(circle.attributes.cy)];
      const inside = cx >= lx - 4.5 && cx <= lx + lw + 4.5 && cy >= ly - 4.5 && cy <= ly + lh + 4.5;
      assert.ok(!inside, `the point at ${circle.attributes["data-workers"]} workers is uncovered`);
    }
  }
});

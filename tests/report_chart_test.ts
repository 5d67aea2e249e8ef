import assert from "node:assert/strict";
import { jobRecords } from "../src/job_records.ts";
import type { SweepStep } from "../src/types.ts";
import { amdahlSpeedup, uslSpeedup } from "../src/report/models.ts";
import { analyzeSweep, type SweepAnalysis } from "../src/report/stats.ts";
import { renderChartSvg } from "../src/report/chart.ts";

function step(workers: number, seconds: number): SweepStep {
  return {
    workers,
    jobCount: 16,
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

Deno.test("renderChartSvg() draws the Amdahl and USL fits as polylines that follow the models", () => {
  const analysis = flatAfterTwo();
  const { amdahl, usl } = analysis;
  assert.ok(amdahl.ok && usl.ok);
  const svg = renderChartSvg(analysis);
  const x = axisScale(svg, "x");
  const y = axisScale(svg, "y");
  const workersAt = (pixel: number) => (pixel - x(0)) / (x(1) - x(0));
  const models = {
    amdahl: (n: number) => amdahlSpeedup(n, amdahl.serialFraction),
    usl: (n: number) => uslSpeedup(n, usl.sigma, usl.kappa),
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
  assert.ok(byId(two, "amdahl"));
  assert.equal(byId(two, "usl"), undefined);
  assert.doesNotMatch(two, /USL fit/);

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
  const svg = renderChartSvg(flatAfterTwo(), { title: "Pi jobs <on> A & B", cpuCount: 2 });
  assert.match(svg, /<title>Pi jobs &lt;on&gt; A &amp; B<\/title>/);
  assert.match(svg, />Speed-up flattens after 2 workers: this machine has 2 logical CPUs\.</);
  assert.match(svg, />Workers</);
  assert.match(svg, />Speed-up \(×\)</);
  const legend = svg.slice(svg.indexOf(`<g id="legend">`));
  for (const label of ["Ideal (linear)", "Measured", "Amdahl fit: s=", "USL fit: σ="]) {
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

import assert from "node:assert/strict";
import { Session } from "node:inspector/promises";
import { renderProfileTop } from "../src/profile/render.ts";
import { analyzeProfiles, profileSummary, profileTop, type TopEntry } from "../src/profile/top.ts";
import {
  type CpuProfile,
  type CpuProfileCallFrame,
  validateCpuProfile,
} from "../src/profile/validate.ts";

const meta = (functionName: string): CpuProfileCallFrame => ({
  functionName,
  scriptId: "0",
  url: "",
  lineNumber: -1,
  columnNumber: -1,
});
const MAIN: CpuProfileCallFrame = {
  functionName: "main",
  scriptId: "7",
  url: "file:///app/main.ts",
  lineNumber: 0,
  columnNumber: 0,
};
const WORK: CpuProfileCallFrame = {
  functionName: "work",
  scriptId: "8",
  url: "file:///app/work.ts",
  lineNumber: 4,
  columnNumber: 2,
};
const PI_STEP: CpuProfileCallFrame = {
  functionName: "piStep",
  scriptId: "9",
  url: "wasm://wasm/ab12",
  lineNumber: 0,
  columnNumber: 40,
};

/**
 * (root) -> main -> work -> piStep, and (root) -> (garbage collector), (idle), (program).
 * Sample i lasts timeDeltas[i + 1]; the last one until endTime:
 * work 100, piStep 200, main 300, GC 400, idle 500, program 1800 - 1550 = 250 µs.
 */
function workerProfile(): CpuProfile {
  return {
    nodes: [
      { id: 1, callFrame: meta("(root)"), hitCount: 0, children: [2, 5, 6, 7] },
      { id: 2, callFrame: MAIN, hitCount: 1, children: [3] },
      { id: 3, callFrame: WORK, hitCount: 1, children: [4] },
      { id: 4, callFrame: PI_STEP, hitCount: 1, children: [] },
      { id: 5, callFrame: meta("(garbage collector)"), hitCount: 1 },
      { id: 6, callFrame: meta("(idle)"), hitCount: 1 },
      { id: 7, callFrame: meta("(program)"), hitCount: 1 },
    ],
    startTime: 0,
    endTime: 1800,
    samples: [3, 4, 2, 5, 6, 7],
    timeDeltas: [50, 100, 200, 300, 400, 500],
  };
}

const entry = (
  frame: CpuProfileCallFrame,
  label: string,
  figures: Pick<
    TopEntry,
    "flatMicros" | "flatPercent" | "sumPercent" | "cumMicros" | "cumPercent"
  >,
): TopEntry => ({
  functionName: frame.functionName,
  url: frame.url,
  lineNumber: frame.lineNumber,
  columnNumber: frame.columnNumber,
  label,
  ...figures,
});

Deno.test("profileTop() charges each sample the next delta and sorts by flat, then cum", () => {
  assert.deepEqual(profileTop([workerProfile()]), [
    entry(meta("(garbage collector)"), "(garbage collector)", {
      flatMicros: 400,
      flatPercent: 32,
      sumPercent: 32,
      cumMicros: 400,
      cumPercent: 32,
    }),
    entry(MAIN, "main main.ts:1:1", {
      flatMicros: 300,
      flatPercent: 24,
      sumPercent: 56,
      cumMicros: 600,
      cumPercent: 48,
    }),
    entry(meta("(program)"), "(program)", {
      flatMicros: 250,
      flatPercent: 20,
      sumPercent: 76,
      cumMicros: 250,
      cumPercent: 20,
    }),
    entry(PI_STEP, "piStep wasm://wasm/ab12:1:41", {
      flatMicros: 200,
      flatPercent: 16,
      sumPercent: 92,
      cumMicros: 200,
      cumPercent: 16,
    }),
    entry(WORK, "work work.ts:5:3", {
      flatMicros: 100,
      flatPercent: 8,
      sumPercent: 100,
      cumMicros: 300,
      cumPercent: 24,
    }),
  ]);
});

Deno.test("analyzeProfiles() leaves (idle) out of the total unless includeIdle is set", () => {
  const top = analyzeProfiles([workerProfile()]);
  assert.equal(top.totalMicros, 1250);
  assert.equal(top.functionCount, 5);
  assert.equal(top.profileCount, 1);
  assert.ok(!top.entries.some((e) => e.functionName === "(idle)"));

  const withIdle = analyzeProfiles([workerProfile()], { includeIdle: true });
  assert.equal(withIdle.totalMicros, 1750);
  assert.equal(withIdle.functionCount, 6);
  assert.equal(withIdle.entries[0].label, "(idle)");
  assert.equal(withIdle.entries[0].flatMicros, 500);
  assert.equal(withIdle.entries[0].flatPercent, (100 * 500) / 1750);
});

Deno.test("renderProfileTop() prints pprof's columns under a 'Showing top N of M' line", () => {
  const top = analyzeProfiles([workerProfile(), workerProfile()], { limit: 3 });
  assert.equal(
    renderProfileTop(top.entries, { title: "CPU profile, 2 workers", ...top }),
    [
      "CPU profile, 2 workers",
      "Showing top 3 of 5 functions, total sampled 2.50 ms across 2 profiles",
      "+--------+--------+--------+--------+--------+---------------------+",
      "| FLAT   | FLAT%  | SUM%   | CUM    | CUM%   | FUNCTION            |",
      "+--------+--------+--------+--------+--------+---------------------+",
      "| 0.80ms | 32.00% | 32.00% | 0.80ms | 32.00% | (garbage collector) |",
      "| 0.60ms | 24.00% | 56.00% | 1.20ms | 48.00% | main main.ts:1:1    |",
      "| 0.50ms | 20.00% | 76.00% | 0.50ms | 20.00% | (program)           |",
      "+--------+--------+--------+--------+--------+---------------------+",
      "",
    ].join("\n"),
  );
});

Deno.test("renderProfileTop() works the total back from the entries when it is not given", () => {
  const top = analyzeProfiles([workerProfile()], { limit: 2 });
  assert.equal(
    renderProfileTop(top.entries, { profileCount: 1 }),
    renderProfileTop(top.entries, { totalMicros: 1250, functionCount: 2, profileCount: 1 }),
  );
  assert.match(
    renderProfileTop(top.entries),
    /^Showing top 2 of 2 functions, total sampled 1\.25 ms\n/,
  );
});

Deno.test("renderProfileTop() prints an empty table when there was nothing to rank", () => {
  assert.equal(
    renderProfileTop([], { totalMicros: 0 }),
    [
      "Showing top 0 of 0 functions, total sampled 0.00 ms",
      "+------+-------+------+-----+------+----------+",
      "| FLAT | FLAT% | SUM% | CUM | CUM% | FUNCTION |",
      "+------+-------+------+-----+------+----------+",
      "+------+-------+------+-----+------+----------+",
      "",
    ].join("\n"),
  );
  assert.deepEqual(analyzeProfiles([]), {
    entries: [],
    functionCount: 0,
    totalMicros: 0,
    profileCount: 0,
  });
});

Deno.test("profileTop() sums one function across profiles whose node and script ids differ", () => {
  const other: CpuProfile = {
    nodes: [
      { id: 10, callFrame: meta("(root)"), children: [11] },
      { id: 11, callFrame: { ...PI_STEP, scriptId: "42" }, children: [12] },
      { id: 12, callFrame: meta("(garbage collector)") },
    ],
    startTime: 5000,
    endTime: 6000,
    samples: [11, 12, 11],
    timeDeltas: [0, 300, 300],
  };
  const top = analyzeProfiles([workerProfile(), other]);
  // other: piStep 300 + 400 (from 5600 to endTime) flat, GC 300 under piStep.
  assert.equal(top.totalMicros, 1250 + 1000);
  const byLabel = new Map(top.entries.map((e) => [e.label, e]));
  assert.equal(byLabel.get("piStep wasm://wasm/ab12:1:41")?.flatMicros, 200 + 700);
  assert.equal(byLabel.get("piStep wasm://wasm/ab12:1:41")?.cumMicros, 200 + 1000);
  assert.equal(byLabel.get("(garbage collector)")?.flatMicros, 400 + 300);
  assert.equal(top.entries[0].label, "piStep wasm://wasm/ab12:1:41");
  assert.equal(top.entries[0].flatPercent, 40);
  assert.equal(top.functionCount, 5);
});

Deno.test("profileTop() counts a recursive function once per sample in cum", () => {
  const a = { ...WORK, functionName: "a", lineNumber: 10 };
  const b = { ...WORK, functionName: "b", lineNumber: 20 };
  const profile: CpuProfile = {
    // (root) -> a -> b -> a -> a
    nodes: [
      { id: 1, callFrame: meta("(root)"), children: [2] },
      { id: 2, callFrame: a, children: [3] },
      { id: 3, callFrame: b, children: [4] },
      { id: 4, callFrame: a, children: [5] },
      { id: 5, callFrame: a },
    ],
    startTime: 0,
    endTime: 400,
    samples: [5, 4, 3, 2],
    timeDeltas: [0, 100, 100, 100],
  };
  const top = analyzeProfiles([profile]);
  assert.equal(top.totalMicros, 400);
  assert.deepEqual(
    top.entries.map((e) => [e.label, e.flatMicros, e.cumMicros, e.cumPercent]),
    [["a work.ts:11:3", 300, 400, 100], ["b work.ts:21:3", 100, 300, 75]],
  );
});

Deno.test("profileTop() gives a hidden function's time to its innermost kept caller", () => {
  const a = { ...WORK, functionName: "a", lineNumber: 10 };
  const b = { ...WORK, functionName: "b", lineNumber: 20 };
  const profile: CpuProfile = {
    // (root) -> a -> b -> a -> work; and (root) -> work
    nodes: [
      { id: 1, callFrame: meta("(root)"), children: [2, 6] },
      { id: 2, callFrame: a, children: [3] },
      { id: 3, callFrame: b, children: [4] },
      { id: 4, callFrame: a, children: [5] },
      { id: 5, callFrame: WORK },
      { id: 6, callFrame: WORK },
    ],
    startTime: 0,
    endTime: 300,
    samples: [5, 3, 6],
    timeDeltas: [0, 100, 100],
  };
  const seen: string[] = [];
  const top = analyzeProfiles([profile], {
    exclude: (fn) => {
      seen.push(fn.functionName);
      return fn.functionName === "work";
    },
  });
  // The sample under a -> b -> a is charged to a (the innermost kept frame), not b;
  // the sample with work alone on (root) has no kept frame and leaves the total.
  assert.equal(top.totalMicros, 200);
  assert.deepEqual(
    top.entries.map((e) => [e.functionName, e.flatMicros, e.cumMicros]),
    [["a", 100, 200], ["b", 100, 200]],
  );
  assert.deepEqual(seen.sort(), ["a", "b", "work"]);
});

Deno.test("profileTop() puts samples written out of time order back in order", () => {
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: meta("(root)"), children: [2, 3, 4] },
      { id: 2, callFrame: MAIN },
      { id: 3, callFrame: WORK },
      { id: 4, callFrame: PI_STEP },
    ],
    startTime: 0,
    endTime: 400,
    // Timestamps 0, 300, 100: in time order main@0, piStep@100, work@300.
    samples: [2, 3, 4],
    timeDeltas: [0, 300, -200],
  };
  assert.deepEqual(
    profileTop([profile]).map((e) => [e.functionName, e.flatMicros]),
    [["piStep", 200], ["main", 100], ["work", 100]],
  );
});

Deno.test("profileTop() returns the first limit entries, and analyzeProfiles() counts them all", () => {
  const top = analyzeProfiles([workerProfile()], { limit: 2 });
  assert.deepEqual(top.entries.map((e) => e.label), ["(garbage collector)", "main main.ts:1:1"]);
  assert.equal(top.entries[1].sumPercent, 56);
  assert.equal(top.functionCount, 5);
  assert.deepEqual(profileTop([workerProfile()], { limit: 0 }), []);
  for (const limit of [-1, 1.5, Number.NaN]) {
    assert.throws(
      () => profileTop([workerProfile()], { limit }),
      new RangeError(
        `Cannot rank profile functions: limit must be a non-negative integer, received ${limit}`,
      ),
    );
  }
});

Deno.test("profileSummary() reports duration, samples, sampled, idle and GC time", () => {
  assert.deepEqual(profileSummary(workerProfile()), {
    durationMicros: 1800,
    sampleCount: 6,
    sampledMicros: 1750,
    idleMicros: 500,
    gcMicros: 400,
  });
});

Deno.test("validateCpuProfile() returns a well-formed profile unchanged", () => {
  const profile = workerProfile();
  assert.equal(validateCpuProfile(profile), profile);
  const roundTripped = JSON.parse(JSON.stringify({ ...profile, extra: true }));
  assert.deepEqual(validateCpuProfile(roundTripped), { ...profile, extra: true });
});

Deno.test("validateCpuProfile() rejects each malformed profile with a clear TypeError", () => {
  const good = workerProfile();
  const cases: [unknown, string][] = [
    [null, "expected an object, received null"],
    [[good], "expected an object, received an array"],
    [{ ...good, nodes: undefined }, `"nodes" is missing`],
    [{ ...good, nodes: "x" }, `"nodes" must be an array, received "x"`],
    [{ ...good, nodes: [] }, `"nodes" is empty: a profile has at least its (root) node`],
    [{ ...good, samples: undefined }, `"samples" is missing`],
    [{ ...good, timeDeltas: undefined }, `"timeDeltas" is missing`],
    [
      { ...good, timeDeltas: [1, 2] },
      `"samples" and "timeDeltas" must have the same length, received 6 and 2`,
    ],
    [{ ...good, samples: [3, 4, 2, 5, 6, 99] }, "samples[5] references unknown node id 99"],
    [{ ...good, samples: [3, 4, 2, 5, 6, 1.5] }, "samples[5] must be an integer, received 1.5"],
    [
      { ...good, timeDeltas: [50, 100, 200, 300, "400", 500] },
      `timeDeltas[4] must be a finite number, received "400"`,
    ],
    [{ ...good, startTime: undefined }, "startTime must be a finite number, received undefined"],
    [
      { ...good, endTime: 0 },
      "the duration must be positive, received endTime − startTime = 0 µs",
    ],
    [
      { ...good, startTime: 10, endTime: 5 },
      "the duration must be positive, received endTime − startTime = -5 µs",
    ],
    [
      { ...good, nodes: [...good.nodes, { id: 2, callFrame: MAIN }] },
      "node id 2 is used more than once",
    ],
    [
      { ...good, nodes: [{ ...good.nodes[0], children: [2, 5, 6, 7, 8] }, ...good.nodes.slice(1)] },
      "node 1 lists unknown child id 8",
    ],
    [
      { ...good, nodes: [{ ...good.nodes[0], children: [2, 3, 5, 6, 7] }, ...good.nodes.slice(1)] },
      "node 3 has more than one parent",
    ],
    [
      {
        ...good,
        nodes: [
          ...good.nodes,
          { id: 8, callFrame: MAIN, children: [9] },
          { id: 9, callFrame: WORK, children: [8] },
        ],
      },
      "the call tree has a cycle",
    ],
    [
      { ...good, nodes: [{ id: 1, callFrame: { ...MAIN, url: 3 } }] },
      "nodes[0].callFrame.url must be a string, received 3",
    ],
    [
      { ...good, nodes: [{ id: 1, callFrame: { ...MAIN, lineNumber: undefined } }] },
      "nodes[0].callFrame.lineNumber must be an integer, received undefined",
    ],
    [{ ...good, nodes: [{ id: 1 }] }, "nodes[0].callFrame must be an object, received undefined"],
    [
      { ...good, nodes: [{ id: "1", callFrame: MAIN }] },
      `nodes[0].id must be an integer, received "1"`,
    ],
  ];
  for (const [value, detail] of cases) {
    assert.throws(
      () => validateCpuProfile(value),
      new TypeError(`Cannot read CPU profile: ${detail}`),
      detail,
    );
  }
});

/** The busy loop the real profile must find; a named function so V8 reports its name. */
function spinForProfile(ms: number): number {
  const end = performance.now() + ms;
  let sum = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 2000; i++) sum += Math.sqrt(i) * Math.sin(i);
  }
  return sum;
}

// The inspector needs --allow-sys (the test task runs with -A).
Deno.test({
  name: "a real V8 profile validates and ranks the busy function in its top 5",
  permissions: { sys: true },
}, async () => {
  const session = new Session();
  session.connect();
  let profile: unknown;
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 100 });
    await session.post("Profiler.start");
    spinForProfile(200);
    ({ profile } = await session.post("Profiler.stop"));
    await session.post("Profiler.disable");
  } finally {
    session.disconnect();
  }
  const checked = validateCpuProfile(profile);
  const summary = profileSummary(checked);
  assert.ok(summary.durationMicros >= 200_000, `duration ${summary.durationMicros} µs`);
  // 200 ms at 100 µs is ~2,000 samples idle; a busy machine starves the sampler (99 seen at load 3).
  assert.ok(summary.sampleCount > 20, `${summary.sampleCount} samples`);

  const top = analyzeProfiles([checked], { limit: 5 });
  const names = top.entries.map((e) => e.functionName);
  assert.ok(names.includes("spinForProfile"), `top 5 by flat time: ${names.join(", ")}`);
  const spin = top.entries.find((e) => e.functionName === "spinForProfile")!;
  assert.match(spin.label, /^spinForProfile report_profile_test\.ts:\d+:\d+$/);
  assert.ok(spin.cumMicros >= spin.flatMicros);
  assert.ok(spin.cumMicros >= 100_000, `cum ${spin.cumMicros} µs`);
  assert.match(
    renderProfileTop(top.entries, top),
    /^Showing top 5 of \d+ functions, total sampled \d+\.\d\d ms across 1 profile\n/,
  );
});

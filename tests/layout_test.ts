import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const SRC = new URL("src/", ROOT);
const MAX_SRC_LINES = 450;
// The entry points every module is reachable from: the library's five, the CLI and the worker.
const ENTRIES = [
  "mod.ts",
  "src/report/mod.ts",
  "src/report/json/mod.ts",
  "src/pi/mod.ts",
  "src/profile/mod.ts",
  "src/cli/main.ts",
  "src/pool/worker_entry.ts",
];

/**
 * The layers of ARCHITECTURE.md, lowest first: a module may import its own layer and those
 * below it, never one above. The first prefix that matches a path names its layer.
 */
const LAYERS: readonly (readonly string[])[] = [
  ["src/types.ts", "src/errors.ts", "src/text.ts", "src/clock.ts"],
  ["src/channel/"],
  ["src/pi/"],
  ["src/jobs/"],
  ["src/pool/"],
  ["src/step/"],
  ["src/sweep/"],
  ["src/report/analysis/"],
  ["src/report/format/", "src/report/_"],
  ["src/report/scan/"],
  ["src/profile/"],
  ["mod.ts", "src/report/mod.ts", "src/report/json/mod.ts", "src/pi/mod.ts", "src/profile/mod.ts"],
  ["src/cli/"],
];

/** The layer of a path relative to the root (entries before their folders), or -1. */
function layerOf(path: string): number {
  const entry = LAYERS.findIndex((prefixes) => prefixes.includes(path));
  if (entry >= 0) return entry;
  return LAYERS.findIndex((prefixes) => prefixes.some((prefix) => path.startsWith(prefix)));
}

/** Every import edge between two local TypeScript modules, as paths relative to the root. */
async function importEdges(): Promise<{ from: string; to: string }[]> {
  const graph = await importGraph();
  return [...graph].flatMap(([module, deps]) =>
    deps.filter((dep) => dep.endsWith(".ts")).map((dep) => ({
      from: relative(module),
      to: relative(dep),
    }))
  );
}

/** Local module URL -> the local modules it imports (type-only imports included). */
async function importGraph(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const entry of ENTRIES) {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", new URL(entry, ROOT).href],
      stderr: "inherit",
    }).output();
    const info: {
      modules: {
        specifier: string;
        dependencies?: { code?: { specifier?: string }; type?: { specifier?: string } }[];
      }[];
    } = JSON.parse(new TextDecoder().decode(output.stdout));
    for (const module of info.modules) {
      if (!module.specifier.startsWith(ROOT.href)) continue;
      const deps = (module.dependencies ?? []).flatMap((
        d,
      ) => [d.code?.specifier, d.type?.specifier])
        .filter((s): s is string => s?.startsWith(ROOT.href) ?? false);
      graph.set(module.specifier, [...new Set(deps)]);
    }
  }
  return graph;
}

async function sourceFiles(dir: URL): Promise<URL[]> {
  const files: URL[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) files.push(...await sourceFiles(url));
    else if (entry.name.endsWith(".ts")) files.push(url);
  }
  return files;
}

const relative = (specifier: string) => specifier.slice(ROOT.href.length);

Deno.test("the source tree has no import cycle", async () => {
  const graph = await importGraph();
  const cycles: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (module: string) => {
    state.set(module, "visiting");
    path.push(module);
    for (const dep of graph.get(module) ?? []) {
      if (state.get(dep) === "visiting") {
        cycles.push([...path.slice(path.indexOf(dep)), dep].map(relative).join(" -> "));
      } else if (!state.has(dep)) visit(dep);
    }
    path.pop();
    state.set(module, "done");
  };
  for (const module of graph.keys()) if (!state.has(module)) visit(module);
  assert.ok(graph.size > 30, `the graph was read (${graph.size} modules)`);
  assert.deepEqual(cycles, []);
});

Deno.test("no library file imports the CLI", async () => {
  const graph = await importGraph();
  const cli = new URL("cli/", SRC).href;
  const offenders = [...graph].filter(([module]) => !module.startsWith(cli))
    .flatMap(([module, deps]) =>
      deps.filter((dep) => dep.startsWith(cli)).map((dep) =>
        `${relative(module)} -> ${relative(dep)}`
      )
    )
    // mod.ts starts the CLI only under import.meta.main, by a dynamic import.
    .filter((edge) => edge !== "mod.ts -> src/cli/main.ts");
  assert.deepEqual(offenders, []);
});

Deno.test("imports only go down the layers of ARCHITECTURE.md", async () => {
  const edges = await importEdges();
  const unplaced = [...new Set(edges.flatMap(({ from, to }) => [from, to]))]
    .filter((path) => !path.startsWith("tests/") && layerOf(path) < 0);
  assert.deepEqual(unplaced, [], "every module belongs to a layer");
  const upward = edges
    .filter(({ from, to }) => !from.startsWith("tests/") && layerOf(to) > layerOf(from))
    // mod.ts starts the CLI only under import.meta.main, by a dynamic import.
    .filter(({ from, to }) => !(from === "mod.ts" && to === "src/cli/main.ts"))
    .map(({ from, to }) => `${from} -> ${to}`);
  assert.ok(edges.length > 100, `the edges were read (${edges.length})`);
  assert.deepEqual(upward, []);
});

Deno.test("a private file (_name.ts) is imported only from its own folder and the folders inside it", async () => {
  const edges = await importEdges();
  const folder = (path: string) => path.slice(0, path.lastIndexOf("/") + 1);
  const intruders = edges
    .filter(({ from, to }) =>
      !from.startsWith("tests/") && to.startsWith("src/") &&
      to.slice(to.lastIndexOf("/") + 1).startsWith("_") && !from.startsWith(folder(to))
    )
    .map(({ from, to }) => `${from} -> ${to}`);
  assert.deepEqual(intruders, []);
});

Deno.test(`no file in src/ is over ${MAX_SRC_LINES} lines`, async () => {
  const files = await sourceFiles(SRC);
  assert.ok(files.length > 30);
  const long: string[] = [];
  for (const file of files) {
    const lines = (await Deno.readTextFile(file)).split("\n").length - 1;
    if (lines > MAX_SRC_LINES) long.push(`${relative(file.href)} (${lines})`);
  }
  assert.deepEqual(long, []);
});

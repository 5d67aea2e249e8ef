/**
 * Every command the README shows runs as written. The README's `sh` blocks are
 * read line by line: a line that starts with `deno run`, `deno task` or
 * `npx -y deno@2.9.6` (or pipes into `deno run`) is a command, run with this
 * test's own Deno from a temporary copy of the checkout; every `ts` block is run
 * as a module in the copy's root. The rules, also written in docs/readme-commands.md
 * (summed up in the README):
 *
 * - `task test` and `task bench` lines are not run (this test, and minutes of
 *   benches); a line ending in `# not run: reason` is not run either.
 * - Each command has `DENO_CHANNELS_SLEEPMS=50` and `DENO_CHANNELS_MAXWORKERCOUNT=2`
 *   in its environment, so the default sweep is short; flags win over them.
 * - A line ending in `# exits N` must exit with N; every other one with 0.
 *
 * A command fails the test when its exit code differs, when it leaves a file
 * changed or new in the copy (a README command must not write into the
 * checkout), or when the checkout itself changed (`git status --porcelain`).
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import cpuJob from "../examples/cpu_job.ts";
import waitJob from "../examples/wait_job.ts";
import mixedJob from "../examples/mixed_job.ts";
import { tempDir } from "./_temp.ts";

const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));

/** One command line found in a README `sh` block. */
interface ReadmeCommand {
  /** The command as written (continuation lines joined, a leading `$ ` dropped). */
  text: string;
  /** Its 1-based line number in the README. */
  line: number;
  /** The exit code it must end with (`# exits N`, else 0). */
  expectedCode: number;
  /** Why it is not run, or `undefined` when it is. */
  skip: string | undefined;
}

/** What {@linkcode readmeCommands} finds in a Markdown text. */
interface ReadmeRunnables {
  commands: ReadmeCommand[];
  /** The `ts` blocks' contents, with the line each starts on. */
  modules: { text: string; line: number }[];
}

const SHELL_INFO = new Set(["sh", "bash", "shell"]);
const DENO_PREFIX = /^(?:npx -y deno@2\.9\.6|deno) /;
const PIPED_DENO = /\|\s*(?:npx -y deno@2\.9\.6|deno) /;
const NEVER_RUN = /^(?:npx -y deno@2\.9\.6|deno) task (?:test|bench)\b/;

/**
 * Finds the runnable commands and modules of a Markdown text, by the rules in the module doc.
 *
 * @param markdown The README's text.
 * @returns Its commands (skipped ones marked) and its `ts` blocks.
 */
function readmeCommands(markdown: string): ReadmeRunnables {
  const lines = markdown.split("\n");
  const commands: ReadmeCommand[] = [];
  const modules: { text: string; line: number }[] = [];
  let fence: { info: string; line: number; body: string[] } | undefined;
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index];
    if (raw.startsWith("```")) {
      if (fence === undefined) {
        fence = { info: raw.slice(3).trim(), line: index + 1, body: [] };
      } else {
        if (fence.info === "ts") modules.push({ text: fence.body.join("\n"), line: fence.line });
        fence = undefined;
      }
      continue;
    }
    if (fence === undefined) continue;
    fence.body.push(raw);
    if (!SHELL_INFO.has(fence.info)) continue;
    const start = index;
    let text = raw.replace(/^\$ /, "");
    while (text.endsWith("\\") && index + 1 < lines.length) {
      text = `${text.slice(0, -1)} ${lines[++index].trim()}`;
      fence.body.push(lines[index]);
    }
    if (!DENO_PREFIX.test(text) && !PIPED_DENO.test(text)) continue;
    const exits = /#\s*exits (\d+)\s*$/.exec(text);
    const notRun = /#\s*not run:\s*(.+)$/.exec(text);
    commands.push({
      text,
      line: start + 1,
      expectedCode: exits ? Number(exits[1]) : 0,
      skip: NEVER_RUN.test(text)
        ? "the test task itself, or minutes of benches"
        : notRun
        ? notRun[1].trim()
        : undefined,
    });
  }
  return { commands, modules };
}

/** The command with this Deno in place of `deno` / `npx -y deno@2.9.6`. */
function withThisDeno(text: string): string {
  const deno = `'${Deno.execPath().replaceAll("'", `'\\''`)}' `;
  return text.replace(
    /(^|\|\s*)(?:npx -y deno@2\.9\.6|deno) /g,
    (_match, before: string) => `${before}${deno}`,
  );
}

const SKIPPED_DIRS = new Set([".git", "node_modules", "profiles", "out"]);

/** Every file under `root` (relative path → size and modification time), `.git` and ignored folders left out. */
async function snapshot(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(`${root}/${dir}`)) {
      const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory) {
        if (!SKIPPED_DIRS.has(entry.name)) await walk(path);
      } else {
        const info = await Deno.lstat(`${root}/${path}`);
        files.set(path, `${info.size} ${info.mtime?.getTime()}`);
      }
    }
  };
  await walk("");
  return files;
}

/** The paths that are new, gone or changed between two snapshots. */
function changedPaths(before: Map<string, string>, after: Map<string, string>): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((path) => before.get(path) !== after.get(path)).sort();
}

/** `git status --porcelain` of the checkout, or a file snapshot where git is not installed. */
async function checkoutState(): Promise<string> {
  try {
    const { stdout } = await new Deno.Command("git", {
      args: ["status", "--porcelain", "--untracked-files=all"],
      cwd: REPO_ROOT,
      stdout: "piped",
      stderr: "null",
    }).output();
    return new TextDecoder().decode(stdout);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    return JSON.stringify([...await snapshot(REPO_ROOT)]);
  }
}

/** Copies the checkout (no `.git`, no ignored folders) into `target`. */
async function copyCheckout(target: string): Promise<void> {
  for (const path of (await snapshot(REPO_ROOT)).keys()) {
    const slash = path.lastIndexOf("/");
    if (slash > 0) await Deno.mkdir(`${target}/${path.slice(0, slash)}`, { recursive: true });
    await Deno.copyFile(`${REPO_ROOT}/${path}`, `${target}/${path}`);
  }
}

/** Runs one shell command in `cwd` with the README rules' environment. */
async function runShell(command: string, cwd: string): Promise<Deno.CommandOutput> {
  const keep = ["PATH", "HOME", "DENO_DIR", "TMPDIR", "XDG_CACHE_HOME", "NPM_CONFIG_REGISTRY"];
  const env: Record<string, string> = {
    NO_COLOR: "1",
    DENO_CHANNELS_SLEEPMS: "50",
    DENO_CHANNELS_MAXWORKERCOUNT: "2",
  };
  for (const key of keep) {
    const value = Deno.env.get(key);
    if (value !== undefined) env[key] = value;
  }
  return await new Deno.Command("bash", {
    args: ["-c", command],
    cwd,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
}

Deno.test("readmeCommands() finds sh commands, joins continuations and reads the skip and exit marks", () => {
  const markdown = [
    "```sh",
    "npx -y deno@2.9.6 run -A mod.ts      # run the default sweep",
    "npx -y deno@2.9.6 task test          # run the tests",
    "deno task bench",
    "$ deno run -A mod.ts --jobs 4 \\",
    "    --workers 1,2",
    "printf '{}\\n' | deno run -A mod.ts --inputs -",
    "deno run -A mod.ts --max-workers two   # exits 2",
    "deno run -A bench/pi_long.ts   # not run: an hour",
    "ls -l",
    "```",
    "",
    "```",
    "$ deno run -A mod.ts --jobs 1000000",
    "```",
    "",
    "```ts",
    'import { runSweep } from "./mod.ts";',
    "```",
  ].join("\n");
  const { commands, modules } = readmeCommands(markdown);
  assert.deepEqual(
    commands.map(({ text, line, expectedCode, skip }) => [text, line, expectedCode, skip]),
    [
      ["npx -y deno@2.9.6 run -A mod.ts      # run the default sweep", 2, 0, undefined],
      [
        "npx -y deno@2.9.6 task test          # run the tests",
        3,
        0,
        "the test task itself, or minutes of benches",
      ],
      ["deno task bench", 4, 0, "the test task itself, or minutes of benches"],
      ["deno run -A mod.ts --jobs 4  --workers 1,2", 5, 0, undefined],
      ["printf '{}\\n' | deno run -A mod.ts --inputs -", 7, 0, undefined],
      ["deno run -A mod.ts --max-workers two   # exits 2", 8, 2, undefined],
      ["deno run -A bench/pi_long.ts   # not run: an hour", 9, 0, "an hour"],
    ],
  );
  assert.deepEqual(modules, [{ text: 'import { runSweep } from "./mod.ts";', line: 17 }]);
  assert.equal(
    withThisDeno("printf x | deno run -A mod.ts"),
    `printf x | '${Deno.execPath()}' run -A mod.ts`,
  );
});

Deno.test("the examples are deterministic and stop when asked", async () => {
  const args = { n: "5000" };
  const first = cpuJob(undefined, { args, shouldStop: () => false });
  assert.equal(cpuJob(undefined, { args, shouldStop: () => false }), first);
  assert.equal(cpuJob({ n: 5000 }, { args: {}, shouldStop: () => false }), first);
  assert.notEqual(cpuJob(undefined, { args: { n: "5001" }, shouldStop: () => false }), first);
  assert.throws(() => cpuJob(undefined, { args, shouldStop: () => true }), /cancelled/);
  assert.throws(() => cpuJob(undefined, { args: { n: "ten" }, shouldStop: () => false }), {
    name: "RangeError",
    message: "Cannot run cpu_job: n must be a whole number from 1 to 1e12, received NaN",
  });

  const never = new AbortController().signal;
  assert.equal(await waitJob(undefined, { args: { ms: "1" }, signal: never }), 1);
  const controller = new AbortController();
  const waiting = waitJob(undefined, { args: { ms: "60000" }, signal: controller.signal });
  const reason = new Error("stopped");
  controller.abort(reason);
  await assert.rejects(waiting, (error) => error === reason);

  assert.equal(
    await mixedJob(undefined, { args: { computeMs: "1", waitMs: "1" }, signal: never }),
    2,
  );
});

Deno.test("every README command runs as written and writes nothing into the checkout", async () => {
  const readme = await Deno.readTextFile(`${REPO_ROOT}/README.md`);
  const { commands, modules } = readmeCommands(readme);
  const toRun = commands.filter((command) => command.skip === undefined);
  assert.ok(toRun.length >= 5, `expected the README's commands, found ${toRun.length}`);

  const checkoutBefore = await checkoutState();
  await using copy = await tempDir("deno-channels-readme-");
  await copyCheckout(copy.path);
  const copyBefore = await snapshot(copy.path);

  const runs: { what: string; shell: string; expectedCode: number; module?: string }[] = [
    ...toRun.map((command) => ({
      what: `README.md:${command.line}: ${command.text}`,
      shell: withThisDeno(command.text),
      expectedCode: command.expectedCode,
    })),
    ...modules.map((module, index) => ({
      what: `README.md:${module.line}: the ts block, run as _readme_block_${index + 1}.ts`,
      shell: withThisDeno(`deno run --check -A ./_readme_block_${index + 1}.ts`),
      expectedCode: 0,
      module: module.text,
    })),
  ];
  for (const [index, run] of runs.entries()) {
    const moduleFile = `${copy.path}/_readme_block_${index + 1 - toRun.length}.ts`;
    if (run.module !== undefined) await Deno.writeTextFile(moduleFile, run.module);
    const output = await runShell(run.shell, copy.path);
    if (run.module !== undefined) await Deno.remove(moduleFile);
    const stderr = new TextDecoder().decode(output.stderr).trim().split("\n").slice(0, 10).join(
      "\n",
    );
    assert.equal(
      output.code,
      run.expectedCode,
      `${run.what}\nexited ${output.code}, expected ${run.expectedCode}:\n${stderr}`,
    );
    assert.deepEqual(
      changedPaths(copyBefore, await snapshot(copy.path)),
      [],
      `${run.what}\nwrote into the checkout (shown: the copy's paths it changed)`,
    );
  }
  assert.equal(await checkoutState(), checkoutBefore, "the checkout changed while the README ran");
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function headingAnchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replaceAll(" ", "-");
}

Deno.test("every relative link in README.md and docs/ leads to a file, and an anchor to a heading", async () => {
  const files = ["README.md"];
  for await (const entry of Deno.readDir(`${REPO_ROOT}/docs`)) {
    if (entry.name.endsWith(".md")) files.push(`docs/${entry.name}`);
  }
  const broken: string[] = [];
  let checked = 0;
  for (const file of files) {
    const text = await Deno.readTextFile(`${REPO_ROOT}/${file}`);
    const prose = text.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");
    for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      checked++;
      const [path, anchor] = target.split("#");
      const resolved = path === "" ? file : new URL(path, `file:///${file}`).pathname.slice(1);
      let linked: string;
      try {
        linked = (await Deno.stat(`${REPO_ROOT}/${resolved}`)).isFile
          ? await Deno.readTextFile(`${REPO_ROOT}/${resolved}`)
          : "";
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        broken.push(`${file}: ${target} (no such file)`);
        continue;
      }
      if (anchor === undefined) continue;
      const anchors = [...linked.matchAll(/^#{1,6} (.+)$/gm)].map(([, h]) => headingAnchor(h));
      if (!anchors.includes(anchor)) broken.push(`${file}: ${target} (no such heading)`);
    }
  }
  assert.ok(checked >= 10, `expected the README's links to docs/, found ${checked}`);
  assert.deepEqual(broken, []);
});

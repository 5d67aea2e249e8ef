import assert from "node:assert/strict";
import { cpuCeiling, parseCpuList } from "../src/sweep/ceiling.ts";
import { readCpuCeiling } from "../src/cli/ceiling.ts";
import { explainScaling } from "../src/report/analysis/explain.ts";
import { tempDir } from "./_temp.ts";

const STATUS_ALL_64 = "Name:\tdeno\nCpus_allowed:\tffffffff,ffffffff\nCpus_allowed_list:\t0-63\n";

Deno.test("cpuCeiling() names a cgroup v2 quota of 2 CPUs on a 64-CPU host", () => {
  const ceiling = cpuCeiling({
    hardwareConcurrency: 64,
    procStatus: STATUS_ALL_64,
    cgroupV2CpuMax: "200000 100000\n",
  });
  assert.deepEqual(
    [ceiling.cpus, ceiling.wholeCpus, ceiling.hostCpus, ceiling.quotaCpus, ceiling.limitedBy],
    [2, 2, 64, 2, "quota"],
  );
  assert.equal(ceiling.reason, "this container's quota of 2 CPUs, on a 64-CPU host");
});

Deno.test("cpuCeiling() reads a cgroup v1 quota, fractional, and no quota as none", () => {
  const v1 = cpuCeiling({
    hardwareConcurrency: 8,
    cgroupV1QuotaUs: "150000\n",
    cgroupV1PeriodUs: "100000\n",
  });
  assert.equal(v1.cpus, 1.5);
  assert.equal(v1.wholeCpus, 1);
  assert.equal(v1.reason, "this container's quota of 1.50 CPUs, on an 8-CPU host");
  const unlimited = cpuCeiling({
    hardwareConcurrency: 8,
    cgroupV1QuotaUs: "-1\n",
    cgroupV1PeriodUs: "100000\n",
    cgroupV2CpuMax: undefined,
  });
  assert.equal(unlimited.limitedBy, "none");
  assert.equal(cpuCeiling({ hardwareConcurrency: 8, cgroupV2CpuMax: "max 100000" }).cpus, 8);
});

Deno.test("cpuCeiling() names an affinity mask of 1 CPU", () => {
  const ceiling = cpuCeiling({
    hardwareConcurrency: 1,
    onlineCpus: "0-63\n",
    procStatus: "Name:\tdeno\nCpus_allowed_list:\t5\n",
    cgroupV2CpuMax: "400000 100000",
  });
  assert.deepEqual([ceiling.cpus, ceiling.affinityCpus, ceiling.limitedBy], [1, 1, "affinity"]);
  assert.equal(ceiling.reason, "this process's affinity mask of 1 CPU, on a 64-CPU host");
});

Deno.test("cpuCeiling() says all CPUs with no limit, and counts SMT siblings", () => {
  const none = cpuCeiling({ hardwareConcurrency: 8 });
  assert.deepEqual([none.cpus, none.limitedBy, none.reason], [
    8,
    "none",
    "all 8 CPUs of this machine",
  ]);
  const smt = cpuCeiling({
    hardwareConcurrency: 4,
    procStatus: "Cpus_allowed_list:\t0-3\n",
    threadSiblings: ["0,2\n", "1,3\n", "0,2\n", "1,3\n"],
  });
  assert.equal(smt.physicalCores, 2);
  assert.equal(smt.reason, "all 4 CPUs of this machine (2 physical cores: SMT siblings share one)");
});

Deno.test("cpuCeiling() refuses text it cannot parse", () => {
  assert.throws(() => parseCpuList("0-a"), SyntaxError);
  assert.throws(() => cpuCeiling({ hardwareConcurrency: 2, cgroupV2CpuMax: "lots" }), SyntaxError);
});

Deno.test("readCpuCeiling() reads a fake tree and tolerates missing files", async () => {
  await using root = await tempDir();
  await Deno.mkdir(`${root.path}/proc/self`, { recursive: true });
  await Deno.mkdir(`${root.path}/sys/fs/cgroup/app`, { recursive: true });
  await Deno.writeTextFile(`${root.path}/proc/self/status`, STATUS_ALL_64);
  await Deno.writeTextFile(`${root.path}/proc/self/cgroup`, "0::/app\n");
  await Deno.writeTextFile(`${root.path}/sys/fs/cgroup/app/cpu.max`, "200000 100000\n");
  const ceiling = readCpuCeiling(root.path);
  assert.equal(ceiling.cpus, 2);
  assert.equal(ceiling.reason, "this container's quota of 2 CPUs, on a 64-CPU host");
  // Nothing there at all: the plain count.
  await using empty = await tempDir();
  assert.equal(readCpuCeiling(empty.path).limitedBy, "none");
  assert.equal(readCpuCeiling(empty.path).cpus, navigator.hardwareConcurrency);
});

Deno.test("the verdict names a container's quota when the knee sits at it", async () => {
  await using root = await tempDir();
  await Deno.mkdir(`${root.path}/proc/self`, { recursive: true });
  await Deno.mkdir(`${root.path}/sys/fs/cgroup`, { recursive: true });
  await Deno.writeTextFile(`${root.path}/proc/self/status`, STATUS_ALL_64);
  await Deno.writeTextFile(`${root.path}/sys/fs/cgroup/cpu.max`, "200000 100000\n");
  const ceiling = readCpuCeiling(root.path);
  // CPU-bound jobs on a 64-CPU host flatten at 2 workers: the quota, not the program.
  const steps = [[1, 1], [2, 1.96], [4, 1.98], [8, 1.97]].map(([workers, speedup]) => ({
    workers,
    speedup,
    efficiency: speedup / workers,
    jobCount: 64,
  }));
  const analysis = { steps, amdahl: { ok: false as const }, usl: { ok: false as const } };
  assert.equal(
    explainScaling(analysis, { cpuCount: 64, cpuCeiling: ceiling }),
    "Speed-up flattens after 2 workers: the knee at 2 workers is this container's quota of 2 " +
      "CPUs, on a 64-CPU host.",
  );
  // Without the ceiling, 64 logical CPUs explain nothing: the verdict blames the program.
  assert.doesNotMatch(explainScaling(analysis, { cpuCount: 64 }), /quota|this machine has/);
});

/**
 * Reads the files that say how many CPUs this process can really use (the
 * affinity mask, the cgroup v2 or v1 CPU quota, the SMT siblings) and hands
 * their text to the pure {@linkcode cpuCeiling}. A missing or unreadable file
 * (another OS, no `--allow-read`) is left out, never an error.
 *
 * @module
 */
import { type CpuCeiling, cpuCeiling, type CpuReadings } from "../sweep/ceiling.ts";

/** Where Linux keeps what {@linkcode readCpuReadings} reads. */
export const CEILING_PATHS = {
  procStatus: "/proc/self/status",
  procCgroup: "/proc/self/cgroup",
  cgroupRoot: "/sys/fs/cgroup",
  cpuRoot: "/sys/devices/system/cpu",
} as const;

/** cgroup v1 mounts the CPU controller under one of these names. */
const CGROUP_V1_CPU_DIRS = ["cpu,cpuacct", "cpu", "cpuacct,cpu"];

function readText(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    // Missing (another OS, no cgroup controller) or not permitted: this reading is left out.
    return undefined;
  }
}

/** The process's cgroup paths from `/proc/self/cgroup`: v2's `0::/path`, v1's per controller. */
function cgroupPaths(text: string | undefined): { v2?: string; v1Cpu?: string } {
  const paths: { v2?: string; v1Cpu?: string } = {};
  for (const line of (text ?? "").split("\n")) {
    const [id, controllers, path] = line.split(":", 3);
    if (path === undefined) continue;
    if (id === "0" && controllers === "") paths.v2 = path;
    else if (controllers.split(",").includes("cpu")) paths.v1Cpu = path;
  }
  return paths;
}

/** The first file of a list that can be read. */
function firstText(paths: readonly string[]): string | undefined {
  for (const path of paths) {
    const text = readText(path);
    if (text !== undefined) return text;
  }
  return undefined;
}

/**
 * Reads the ceiling's files; what cannot be read is left out.
 *
 * @param root The filesystem root the paths hang off (tests point it at a fake tree); default `/`.
 * @returns The readings, with `navigator.hardwareConcurrency`.
 *
 * @example Reading this machine (needs --allow-read)
 * ```ts ignore
 * import { readCpuReadings } from "./ceiling.ts";
 * const readings = readCpuReadings();
 * ```
 */
export function readCpuReadings(root = "/"): CpuReadings {
  const at = (path: string) => `${root.replace(/\/$/, "")}${path}`;
  const cgroups = cgroupPaths(readText(at(CEILING_PATHS.procCgroup)));
  const cgroupRoot = at(CEILING_PATHS.cgroupRoot);
  // The process's own cgroup first, then the mount's root (inside a container the namespace root).
  const v2Dirs = [
    ...(cgroups.v2 && cgroups.v2 !== "/" ? [`${cgroupRoot}${cgroups.v2}`] : []),
    cgroupRoot,
  ];
  const v1Dirs = CGROUP_V1_CPU_DIRS.flatMap((dir) => [
    ...(cgroups.v1Cpu && cgroups.v1Cpu !== "/" ? [`${cgroupRoot}/${dir}${cgroups.v1Cpu}`] : []),
    `${cgroupRoot}/${dir}`,
  ]);
  const cpuRoot = at(CEILING_PATHS.cpuRoot);
  const onlineCpus = readText(`${cpuRoot}/online`);
  const threadSiblings: (string | undefined)[] = [];
  try {
    for (const entry of Deno.readDirSync(cpuRoot)) {
      const match = /^cpu(\d+)$/.exec(entry.name);
      if (!match) continue;
      threadSiblings[Number(match[1])] = readText(
        `${cpuRoot}/${entry.name}/topology/thread_siblings_list`,
      );
    }
  } catch {
    // No sysfs (another OS) or not permitted: no SMT figure.
  }
  return {
    hardwareConcurrency: navigator.hardwareConcurrency,
    procStatus: readText(at(CEILING_PATHS.procStatus)),
    cgroupV2CpuMax: firstText(v2Dirs.map((dir) => `${dir}/cpu.max`)),
    cgroupV1QuotaUs: firstText(v1Dirs.map((dir) => `${dir}/cpu.cfs_quota_us`)),
    cgroupV1PeriodUs: firstText(v1Dirs.map((dir) => `${dir}/cpu.cfs_period_us`)),
    onlineCpus,
    threadSiblings: threadSiblings.some((text) => text !== undefined) ? threadSiblings : undefined,
  };
}

/**
 * This process's CPU ceiling, read from the machine: never throws; when a
 * file's text cannot be parsed, the ceiling falls back to
 * `navigator.hardwareConcurrency`.
 *
 * @param root The filesystem root (tests point it at a fake tree); default `/`.
 * @returns The ceiling and its reason.
 *
 * @example This machine (needs --allow-read)
 * ```ts ignore
 * import { readCpuCeiling } from "./ceiling.ts";
 * console.log(readCpuCeiling().reason);
 * ```
 */
export function readCpuCeiling(root = "/"): CpuCeiling {
  const readings = readCpuReadings(root);
  try {
    return cpuCeiling(readings);
  } catch {
    // An unexpected file format must not stop a sweep: report the plain count.
    return cpuCeiling({ hardwareConcurrency: readings.hardwareConcurrency });
  }
}

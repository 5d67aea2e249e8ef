/**
 * The machine's real ceiling: how many CPUs this process can really use, from
 * the text of the files the OS keeps (the affinity mask in `/proc/self/status`,
 * the cgroup v2 or v1 CPU quota, the SMT siblings) next to
 * `navigator.hardwareConcurrency`. A container's quota or an affinity mask can
 * be lower than the host's CPU count, and a sweep's knee then sits there, not
 * in the program. Pure: strings in, a value and a reason out; the CLI reads
 * the files (`src/cli/ceiling.ts`).
 *
 * @module
 */

/** The text of the files that say which CPUs this process may use; any may be missing. */
export interface CpuReadings {
  /** `navigator.hardwareConcurrency`: the host's count when nothing else says. */
  hardwareConcurrency: number;
  /** `/proc/self/status` (its `Cpus_allowed_list` line is the affinity mask). */
  procStatus?: string;
  /** cgroup v2 `cpu.max`: `"max 100000"` (no quota) or `"200000 100000"` (2 CPUs). */
  cgroupV2CpuMax?: string;
  /** cgroup v1 `cpu.cfs_quota_us` (`-1` for none). */
  cgroupV1QuotaUs?: string;
  /** cgroup v1 `cpu.cfs_period_us`. */
  cgroupV1PeriodUs?: string;
  /** `/sys/devices/system/cpu/online` (`"0-63"`): the host's CPUs. */
  onlineCpus?: string;
  /**
   * Each CPU's `/sys/devices/system/cpu/cpuN/topology/thread_siblings_list`,
   * indexed by CPU number (holes for CPUs not read).
   */
  threadSiblings?: (string | undefined)[];
}

/** What limits the CPUs this process can use. */
export type CpuLimit = "affinity" | "quota" | "none";

/** What {@linkcode cpuCeiling} found. */
export interface CpuCeiling {
  /** The CPUs this process can really use: the smallest of host, affinity and quota (a quota may be fractional). */
  cpus: number;
  /** Whole CPUs to plan workers for: `cpus` rounded down, at least 1. */
  wholeCpus: number;
  /** The host's CPUs (`onlineCpus`, else `hardwareConcurrency`). */
  hostCpus: number;
  /** How many CPUs the affinity mask allows, when it was read. */
  affinityCpus?: number;
  /** The cgroup CPU quota in CPUs, when there is one. */
  quotaCpus?: number;
  /** Physical cores among the allowed CPUs, when the SMT siblings were read. */
  physicalCores?: number;
  /** Which limit set `cpus`. */
  limitedBy: CpuLimit;
  /** Why, as a phrase: "this container's quota of 2 CPUs, on a 64-CPU host". */
  reason: string;
}

/** cgroup v2's word for "no quota". */
const NO_QUOTA_V2 = "max";

/** cgroup v1's quota for "no quota". */
const NO_QUOTA_V1 = -1;

/** Decimals a fractional quota is shown with (1.5 CPUs). */
const QUOTA_DECIMALS = 2;

function unparsable(what: string, text: string): SyntaxError {
  return new SyntaxError(
    `Cannot read the CPU ceiling: unparsable ${what}: ${JSON.stringify(text)}`,
  );
}

/**
 * The CPU numbers of a Linux CPU list (`"0-3,8,10-11"`).
 *
 * @param text The list.
 * @returns The CPU numbers, in the order listed.
 * @throws {SyntaxError} When the text is not a CPU list.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCpuList } from "./ceiling.ts";
 *
 * assert.deepEqual(parseCpuList("0-2,8\n"), [0, 1, 2, 8]);
 * ```
 */
export function parseCpuList(text: string): number[] {
  const cpus: number[] = [];
  const trimmed = text.trim();
  if (trimmed === "") return cpus;
  for (const part of trimmed.split(",")) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!match) throw unparsable("CPU list", text);
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first) throw unparsable("CPU list", text);
    for (let cpu = first; cpu <= last; cpu++) cpus.push(cpu);
  }
  return cpus;
}

/** The affinity mask's CPUs from `/proc/self/status`, or undefined without the line. */
function affinityFrom(procStatus: string): number[] | undefined {
  const line = /^Cpus_allowed_list:\s*(.*)$/m.exec(procStatus);
  return line ? parseCpuList(line[1]) : undefined;
}

function quotaV2(text: string): number | undefined {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === NO_QUOTA_V2) return undefined;
  const quotaUs = Number(quota);
  const periodUs = Number(period);
  if (!(quotaUs > 0 && periodUs > 0)) throw unparsable("cgroup v2 cpu.max", text);
  return quotaUs / periodUs;
}

function quotaV1(quotaText: string, periodText: string | undefined): number | undefined {
  const quotaUs = Number(quotaText.trim());
  if (quotaUs === NO_QUOTA_V1) return undefined;
  const periodUs = Number(periodText?.trim());
  if (!(quotaUs > 0)) throw unparsable("cgroup v1 cpu.cfs_quota_us", quotaText);
  if (!(periodUs > 0)) throw unparsable("cgroup v1 cpu.cfs_period_us", periodText ?? "");
  return quotaUs / periodUs;
}

function cpusWord(count: number): string {
  const shown = Number.isInteger(count) ? String(count) : count.toFixed(QUOTA_DECIMALS);
  return `${shown} CPU${count === 1 ? "" : "s"}`;
}

/**
 * The CPUs this process can really use: the smallest of the host's CPUs, the
 * affinity mask and the cgroup CPU quota (v2, else v1), with the reason; and
 * the physical cores behind them when the SMT siblings are given (SMT threads
 * are usable CPUs, so they do not lower the ceiling, but two threads of one
 * core share it). An affinity mask and a quota of the same size name the mask.
 * Deno's `navigator.hardwareConcurrency` may already count only the allowed
 * CPUs; `onlineCpus` gives the host's count when it does.
 *
 * @param readings The files' text (missing ones left out) and `navigator.hardwareConcurrency`.
 * @returns The ceiling, what set it and why.
 * @throws {SyntaxError} When a file's text cannot be parsed.
 *
 * @example A container's quota of 2 CPUs on a 64-CPU host
 * ```ts
 * import assert from "node:assert/strict";
 * import { cpuCeiling } from "./ceiling.ts";
 *
 * const ceiling = cpuCeiling({
 *   hardwareConcurrency: 64,
 *   procStatus: "Name:\tdeno\nCpus_allowed_list:\t0-63\n",
 *   cgroupV2CpuMax: "200000 100000\n",
 * });
 * assert.equal(ceiling.cpus, 2);
 * assert.equal(ceiling.reason, "this container's quota of 2 CPUs, on a 64-CPU host");
 * ```
 */
export function cpuCeiling(readings: CpuReadings): CpuCeiling {
  const online = readings.onlineCpus === undefined
    ? undefined
    : parseCpuList(readings.onlineCpus).length;
  const affinity = readings.procStatus === undefined
    ? undefined
    : affinityFrom(readings.procStatus);
  const affinityCpus = affinity?.length || undefined;
  const hostCpus = Math.max(
    online ?? readings.hardwareConcurrency,
    affinityCpus ?? 0,
    1,
  );
  const quotaCpus = readings.cgroupV2CpuMax !== undefined
    ? quotaV2(readings.cgroupV2CpuMax)
    : readings.cgroupV1QuotaUs !== undefined
    ? quotaV1(readings.cgroupV1QuotaUs, readings.cgroupV1PeriodUs)
    : undefined;

  let cpus = hostCpus;
  let limitedBy: CpuLimit = "none";
  if (affinityCpus !== undefined && affinityCpus < cpus) {
    cpus = affinityCpus;
    limitedBy = "affinity";
  }
  if (quotaCpus !== undefined && quotaCpus < cpus) {
    cpus = quotaCpus;
    limitedBy = "quota";
  }

  let physicalCores: number | undefined;
  if (readings.threadSiblings !== undefined) {
    const allowed = affinity ?? readings.threadSiblings.map((_, cpu) => cpu);
    const groups = new Set<string>();
    for (const cpu of allowed) {
      const siblings = readings.threadSiblings[cpu];
      if (siblings !== undefined) groups.add(parseCpuList(siblings).join(","));
    }
    physicalCores = groups.size || undefined;
  }

  // "an 8-CPU host", "an 11-CPU host": the article follows the spoken number.
  const article = /^(8|11$|18$)/.test(String(hostCpus)) ? "an" : "a";
  const host = `on ${article} ${hostCpus}-CPU host`;
  let reason = limitedBy === "quota"
    ? `this container's quota of ${cpusWord(cpus)}, ${host}`
    : limitedBy === "affinity"
    ? `this process's affinity mask of ${cpusWord(cpus)}, ${host}`
    : `all ${cpusWord(cpus)} of this machine`;
  if (physicalCores !== undefined && physicalCores < Math.min(affinityCpus ?? hostCpus, hostCpus)) {
    reason += ` (${physicalCores} physical core${
      physicalCores === 1 ? "" : "s"
    }: SMT siblings share one)`;
  }
  return {
    cpus,
    wholeCpus: Math.max(1, Math.floor(cpus)),
    hostCpus,
    affinityCpus,
    quotaCpus,
    physicalCores,
    limitedBy,
    reason,
  };
}

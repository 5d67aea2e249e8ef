/**
 * What the CLI records about the machine in JSON output, and the Pi kernel's
 * bytes for the build hash and for naming WASM frames in profiles.
 *
 * @module
 */
import { cpus } from "node:os";
import type { MachineInfo } from "../report/format/json.ts";
import type { CpuCeiling } from "../sweep/ceiling.ts";
import { cpuCeiling } from "../sweep/ceiling.ts";
import { readCpuCeiling } from "./ceiling.ts";
import { plural } from "../text.ts";

const PI_WASM_URL = new URL("../../wasm/build/pi.wasm", import.meta.url);

/**
 * The committed Pi kernel's bytes.
 *
 * @returns The bytes of `wasm/build/pi.wasm`, fetched from a file or a remote URL.
 */
export async function piWasmBytes(): Promise<Uint8Array<ArrayBuffer>> {
  return await (await fetch(PI_WASM_URL)).bytes();
}

/**
 * The machine the sweep ran on, for the JSON report.
 *
 * @returns CPU model and count, Deno/V8/TypeScript versions, OS, architecture, WASM build hash.
 */
export async function machineInfo(): Promise<MachineInfo> {
  // node:os reads the model on every OS Deno runs on; without the sys permission it is unknown.
  let cpuModel: string | null = null;
  try {
    cpuModel = cpus()[0]?.model.trim() || null;
  } catch {
    // Not allowed: the model stays unknown.
  }
  let wasmBuildHash: string | null = null;
  try {
    const bytes = await piWasmBytes();
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    wasmBuildHash = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  } catch {
    // Unreadable build: the hash stays unknown.
  }
  const ceiling = machineCeiling();
  return {
    cpuModel,
    cpuCount: navigator.hardwareConcurrency,
    usableCpus: ceiling.cpus,
    cpuCeiling: ceiling,
    denoVersion: Deno.version.deno,
    v8Version: Deno.version.v8,
    typescriptVersion: Deno.version.typescript,
    os: Deno.build.os,
    arch: Deno.build.arch,
    wasmBuildHash,
  };
}

let ceiling: CpuCeiling | undefined;

/**
 * This process's CPU ceiling (affinity mask, cgroup quota, SMT siblings), read once.
 *
 * @returns The ceiling and its reason.
 */
export function machineCeiling(): CpuCeiling {
  // Without read permission the files are not asked for (a terminal would prompt for each).
  return ceiling ??= Deno.permissions.querySync({ name: "read" }).state === "granted"
    ? readCpuCeiling()
    : cpuCeiling({ hardwareConcurrency: navigator.hardwareConcurrency });
}

/**
 * The machine line of the table output: the CPUs this process can use, what
 * limits them, next to `navigator.hardwareConcurrency`, and that the default
 * worker and job counts follow them.
 *
 * @param defaults The default `--max-workers` and `--jobs`, when they were used.
 * @returns The line.
 */
export function machineLine(defaults: { maxWorkers?: number; jobCount?: number } = {}): string {
  const ceiling = machineCeiling();
  const shown = Number.isInteger(ceiling.cpus) ? String(ceiling.cpus) : ceiling.cpus.toFixed(2);
  const parts = [
    `Machine: ${shown} CPU${ceiling.cpus === 1 ? "" : "s"} available to this process ` +
    `(${ceiling.reason}; navigator.hardwareConcurrency ${navigator.hardwareConcurrency})`,
  ];
  const used = [
    defaults.maxWorkers !== undefined && `--max-workers ${defaults.maxWorkers}`,
    defaults.jobCount !== undefined && `--jobs ${defaults.jobCount}`,
  ].filter((text) => text);
  if (used.length > 0) {
    parts.push(
      `the defaults ${used.join(" and ")} follow the ${plural(ceiling.wholeCpus, "CPU")} available`,
    );
  }
  return parts.join("; ");
}

/**
 * The CPUs this process can really use (a quota may be fractional).
 *
 * @returns `machineCeiling().cpus`.
 */
export function usableCpus(): number {
  return machineCeiling().cpus;
}

/**
 * The main thread's checks of what a draining worker says: job code shares the
 * worker with our entry and can post anything, so a report or a `drained` is
 * believed only where the channel's own state words agree. Private to
 * `src/pool/`: the pool worker's message handler calls them.
 *
 * @module
 */
import { HEADER, isFinal, JOB_STATE, slotState } from "../channel/mod.ts";
import type { JobReport } from "./protocol.ts";

/** The parts of a channel a drain's messages are checked against, and the worker's slot. */
export interface DrainView {
  /** One state word per job. */
  states: Int32Array;
  /** The slot that started each job. */
  slots: Int32Array;
  /** The channel's header words. */
  header: Int32Array;
  /** The draining worker's slot. */
  slot: number;
}

const BROKE = "The worker broke the protocol";

/**
 * Why a batch of reports cannot be the worker's own, or `undefined`: each must
 * name a job in range, once, whose state word says this slot reported it (or,
 * late, a job this slot started that the main thread has settled since).
 */
export function checkReports(view: DrainView, reports: readonly JobReport[]): string | undefined {
  const { states, slots, slot } = view;
  const reported = slotState(JOB_STATE.REPORTED_TAG, slot);
  const seen = new Set<number>();
  for (const { index } of reports) {
    if (!Number.isInteger(index) || index < 0 || index >= states.length) {
      return `${BROKE}: it reported job index ${index}, outside 0 to ${states.length - 1}`;
    }
    if (seen.has(index)) return `${BROKE}: it reported job ${index + 1} twice in one batch`;
    seen.add(index);
    const state = Atomics.load(states, index);
    if (state === reported || (isFinal(state) && slots[index] === slot)) continue;
    return `${BROKE}: it reported job ${index + 1}, which its slot had not reported (state ${
      describeState(state, slot)
    })`;
  }
  return undefined;
}

/**
 * Whether a checked report is late: its job, started by this slot, was settled
 * by the main thread meanwhile (a retired slot's report on its way). Dropped.
 */
export function isLateReport(view: DrainView, index: number): boolean {
  return Atomics.load(view.states, index) !== slotState(JOB_STATE.REPORTED_TAG, view.slot);
}

/**
 * Why a `drained` cannot be the worker's own, or `undefined`: no job may still
 * be this slot's, claimed, running, cancelling or reported (the worker posts
 * its reports before `drained`, and each report settles its job).
 */
export function checkDrained(view: DrainView): string | undefined {
  const { states, header, slot } = view;
  // A closed channel has every job final or settled by the main thread: nothing to look at
  // (and the usual end of a step costs no scan of a million jobs per worker).
  if (Atomics.load(header, HEADER.CLOSED_I32) !== 0) return undefined;
  const held = heldBy(slot);
  for (let index = 0; index < states.length; index++) {
    const state = Atomics.load(states, index);
    const word = held.get(state);
    if (word !== undefined) {
      return `${BROKE}: it said it had drained while job ${index + 1} was ${word} by its slot`;
    }
  }
  return undefined;
}

/** The state words of the jobs `slot` holds (claimed, running, cancelling, reported), in words. */
function heldBy(slot: number): Map<number, string> {
  return new Map([
    [slotState(JOB_STATE.CLAIMED_TAG, slot), "claimed"],
    [slotState(JOB_STATE.RUNNING_TAG, slot), "running"],
    [slotState(JOB_STATE.CANCELLING_TAG, slot), "cancelling"],
    [slotState(JOB_STATE.REPORTED_TAG, slot), "reported"],
  ]);
}

/** A state word in words, for a protocol violation's message (as seen from `slot`). */
function describeState(state: number, slot: number): string {
  const held = heldBy(slot).get(state);
  if (held !== undefined) return `${held} by its slot`;
  if (state === JOB_STATE.QUEUED) return "queued";
  if (!isFinal(state)) return "held by another slot";
  const final = Object.entries(JOB_STATE).find(([name, value]) =>
    value === state && !name.endsWith("_TAG")
  );
  return final ? final[0].toLowerCase() : String(state);
}

/**
 * The steps with a usable speed-up, shared by the recommendation and the
 * explanation.
 *
 * @module
 */

/** The steps whose speed-up is a positive finite number. */
export function measured<T extends { speedup: number | null }>(
  steps: readonly T[],
): (T & { speedup: number })[] {
  return steps.filter((step): step is T & { speedup: number } =>
    step.speedup !== null && step.speedup > 0 && Number.isFinite(step.speedup)
  );
}

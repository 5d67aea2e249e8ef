/**
 * The speed-up chart's colours and its rule for leaving out a fit. Private to
 * `src/report/format/`.
 *
 * @module
 */
import { CREDIBLE_R_SQUARED, type FitFailure } from "../analysis/fit.ts";

/** The chart's colours, one per kind of mark. */
export const COLORS = {
  ideal: "#888888",
  measured: "#d62728",
  amdahl: "#1f77b4",
  usl: "#ff7f0e",
  uslFree: "#9467bd",
  cpu: "#8c564b",
  recommended: "#2ca02c",
  grid: "#e6e6e6",
  axis: "#333333",
  text: "#222222",
  muted: "#555555",
};

/** Why a fit's curve is left out, or `undefined` when it is drawn. */
export function hiddenBecause(
  fit: { ok: true; rSquared: number } | FitFailure,
): string | undefined {
  if (!fit.ok) return fit.reason;
  if (fit.rSquared >= CREDIBLE_R_SQUARED) return undefined;
  const why = "so the model does not explain these points";
  // A negative R² (worse than a flat line at the mean) is no figure worth reading, and one just
  // below 0 would print as "-0.00".
  if (fit.rSquared < 0) return `R² is below 0 (worse than a flat line), ${why}`;
  return `R² ${fit.rSquared.toFixed(2)} is below ${CREDIBLE_R_SQUARED}, ${why}`;
}

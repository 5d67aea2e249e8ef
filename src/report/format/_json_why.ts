/**
 * A step's why as the JSON report writes it: the efficiency breakdown, the
 * batch's bound and the speed-up interval. Private to `src/report/format/`:
 * `json.ts` uses it and re-exports the types.
 *
 * @module
 */
import { finite } from "../_common.ts";
import type { WhyStep } from "../analysis/why.ts";

/** A step's efficiency breakdown as written to JSON (ratios and seconds). */
export interface JsonBreakdown {
  /** Load balance: average ÷ largest useful time per worker. */
  balance: number | null;
  /** Dispatch efficiency, relative to the baseline's. */
  dispatch: number | null;
  /** Computation scalability: total useful time at the baseline ÷ here. */
  computation: number | null;
  /** `balance × dispatch × computation`. */
  product: number | null;
  /** The measured efficiency of the run the factors come from. */
  measured: number | null;
  /** The busiest worker's useful time ÷ the step time. */
  rawDispatch: number | null;
  /** How useful time was counted. */
  counted: string;
  /** The factor that lost most. */
  lostMost: string;
  /** The identity and what the lost factor means, in one sentence. */
  sentence: string;
  /** The run (1-based) the factors come from: the median run with repeats. */
  repeat: number;
}

/** A step's bound as written to JSON, in seconds. */
export interface JsonBound {
  /** The better of the two schedules. */
  best: number | null;
  /** List scheduling in claim order. */
  claimOrder: number | null;
  /** List scheduling longest job first. */
  longestFirst: number | null;
  /** `max(total ÷ workers, longest job)`. */
  lowerBound: number | null;
  /** What claim order costs over longest-first. */
  orderCostSeconds: number | null;
}

/** A step's `breakdown`, `bound` and `speedupInterval` keys. */
export function jsonWhy(why: WhyStep | undefined): {
  breakdown: JsonBreakdown | null;
  bound: JsonBound | null;
  speedupInterval: { low: number | null; high: number | null } | null;
} {
  const b = why?.breakdown;
  return {
    breakdown: b
      ? {
        balance: finite(b.balance),
        dispatch: finite(b.dispatch),
        computation: finite(b.computation),
        product: finite(b.product),
        measured: finite(b.measured),
        rawDispatch: finite(b.rawDispatch),
        counted: b.counted,
        lostMost: b.lostMost,
        sentence: b.sentence,
        repeat: why!.repeat,
      }
      : null,
    bound: why
      ? {
        best: finite(why.bound.best),
        claimOrder: finite(why.bound.claimOrder),
        longestFirst: finite(why.bound.longestFirst),
        lowerBound: finite(why.bound.lowerBound),
        orderCostSeconds: finite(why.bound.orderCostSeconds),
      }
      : null,
    speedupInterval: why?.interval
      ? { low: finite(why.interval.low), high: finite(why.interval.high) }
      : null,
  };
}

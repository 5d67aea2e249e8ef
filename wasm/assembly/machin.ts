// Fixed-point Machin kernel: pi = 16·arctan(1/5) − 4·arctan(1/239).
//
// Numbers are arrays of f64 limbs in base 1e9 (nine decimal digits per limb, limb 0 is the integer
// part). Why f64 and base 1e9:
// - Decimal limbs make the final conversion to text linear instead of another O(n²) pass.
// - Dividing a limb array by a small divisor d is a serial chain over the limbs:
//   v = r·1e9 + x, q = round(v / d), r = v − q·d. With q from one multiply by a precomputed
//   reciprocal and round-to-nearest, q may be off by one, but the identity v = q·d + r stays exact
//   because every value is an integer below 2^53. The remainder is then balanced (|r| <= d/2 + 2)
//   and the limbs are signed (|limb| < 0.61e9), so no correction step and no carries are needed in
//   the hot loop; carries are resolved once at the end. The exactness bound
//   (d/2 + 2)·1e9 + 0.61e9 < 2^53 holds for |d| <= DIVISOR_MAX.
// - f64x2 SIMD runs two independent chains per instruction, and each pass over the limbs advances
//   several terms so the out-of-order core has many independent chains to overlap.
// - Leading zero limbs are skipped: term k of arctan(1/x) starts about 2k·log10(x) digits down.

/** Decimal digits held by one limb. */
export const DIGITS_PER_LIMB: i32 = 9;

/** The limb base, 10^DIGITS_PER_LIMB. */
const BASE: f64 = 1_000_000_000.0;

/** Largest |divisor| for which the balanced f64 division above is exact (bound: ~18e6). */
const DIVISOR_MAX: f64 = 16_000_000.0;

/** 5^8: the power step of the paired arctan(1/5) kernel, which advances each lane by 4 terms. */
const FIVE_POW_8: f64 = 390_625.0;

/** Phases of the computation, in order. */
const PHASE_FIVE_PAIRS: i32 = 0;
const PHASE_FIVE_SINGLES: i32 = 1;
const PHASE_239_SINGLES: i32 = 2;
const PHASE_DONE: i32 = 3;

/** Vector chains per limb in one pass of each kernel (the unit of the work budget). */
const PAIR_PASS_CHAINS: i32 = 6;
const SINGLE_PASS_CHAINS: i32 = 4;

let limbCount: i32 = 0;
let sumPtr: usize = 0; // f64[limbCount]: the signed, uncarried sum of all terms
let fivePairPtr: usize = 0; // f64x2[limbCount]: (p_k, p_k+2) of 16·arctan(1/5), p_k = 16/5^(2k+1)
let fivePtr: usize = 0; // f64[limbCount]: p_k of 16·arctan(1/5) once the pairs' divisors grow too large
let twoThirtyNinePtr: usize = 0; // f64[limbCount]: q_j = 4/239^(2j+1)
let digitsPtr: usize = 0; // u8[1 + 9·(limbCount − 1)]: ASCII output
let phase: i32 = PHASE_DONE;
let term: i32 = 0; // index of the next term of the current series
let firstLimb: i32 = 0; // first limb of the current series' power that may be nonzero

// The three steps of one division chain. Binaryen inlines them at -O3 (the build is byte-identical
// with @inline, which deno fmt would strip as invalid TypeScript).
function shiftIn(remainder: v128, limb: v128): v128 {
  return f64x2.add(f64x2.mul(remainder, f64x2.splat(BASE)), limb);
}

function quotient(value: v128, inverse: v128): v128 {
  return f64x2.nearest(f64x2.mul(value, inverse));
}

function remainderOf(value: v128, q: v128, divisor: v128): v128 {
  return f64x2.sub(value, f64x2.mul(q, divisor));
}

function reciprocal(divisor: v128): v128 {
  return f64x2.div(f64x2.splat(1.0), divisor);
}

/** Writes numerator/divisor as limbs at ptr, one limb every stride bytes (exact integer division). */
function writeQuotient(ptr: usize, stride: usize, numerator: i64, divisor: i64): void {
  let rest = numerator;
  for (let i = 0; i < limbCount; i++) {
    store<f64>(ptr + <usize> i * stride, <f64> (rest / divisor));
    rest = (rest % divisor) * 1_000_000_000;
  }
}

/**
 * Lays out the arrays for `fractionLimbs` limbs after the decimal point and seeds the series.
 * Returns false when memory cannot grow that far.
 */
export function start(fractionLimbs: i32): bool {
  if (fractionLimbs < 1 || fractionLimbs > 1_000_000) return false;
  const count = fractionLimbs + 1;
  const base = (__heap_base + 15) & ~(<usize> 15);
  const arraysBytes = <usize> count * 40;
  const endPtr = base + arraysBytes + 1 + <usize> fractionLimbs * DIGITS_PER_LIMB;
  const pagesNeeded = <i32> ((endPtr + 0xffff) >>> 16);
  const pagesHave = memory.size();
  if (pagesNeeded > pagesHave && memory.grow(pagesNeeded - pagesHave) < 0) return false;

  limbCount = count;
  sumPtr = base;
  fivePairPtr = sumPtr + <usize> count * 8;
  fivePtr = fivePairPtr + <usize> count * 16;
  twoThirtyNinePtr = fivePtr + <usize> count * 8;
  digitsPtr = twoThirtyNinePtr + <usize> count * 8;
  memory.fill(base, 0, arraysBytes);

  writeQuotient(fivePairPtr, 16, 16, 5); // p_0 = 16/5
  writeQuotient(fivePairPtr + 8, 16, 16, 3125); // p_2 = 16/5^5
  writeQuotient(twoThirtyNinePtr, 8, 4, 239); // q_0 = 4/239
  phase = PHASE_FIVE_PAIRS;
  term = 0;
  firstLimb = 0;
  return true;
}

/**
 * One pass of 16·arctan(1/5) = Σ (−1)^k p_k/(2k+1), eight terms at once. Lane 0 holds p_k and
 * lane 1 holds p_k+2, so from one source vector: (p_k/(2k+1), p_k+2/(2k+5)),
 * −(p_k/(25(2k+3)), p_k+2/(25(2k+7))) and the next source (p_k+4, p_k+6) = source / 5^8.
 * A second step does the same from that next source within the same limb iteration.
 */
function passFivePairs(): void {
  const k = <f64> term;
  const a0 = f64x2(2 * k + 1, 2 * k + 5);
  const b0 = f64x2(-25 * (2 * k + 3), -25 * (2 * k + 7));
  const a1 = f64x2(2 * k + 9, 2 * k + 13);
  const b1 = f64x2(-25 * (2 * k + 11), -25 * (2 * k + 15));
  const p = f64x2.splat(FIVE_POW_8);
  const ia0 = reciprocal(a0);
  const ib0 = reciprocal(b0);
  const ia1 = reciprocal(a1);
  const ib1 = reciprocal(b1);
  const ip = reciprocal(p);
  let ra0 = f64x2.splat(0);
  let rb0 = ra0;
  let rp0 = ra0;
  let ra1 = ra0;
  let rb1 = ra0;
  let rp1 = ra0;
  for (let i = firstLimb; i < limbCount; i++) {
    const at = fivePairPtr + (<usize> i << 4);
    const x0 = v128.load(at);

    let v = shiftIn(ra0, x0);
    const qa0 = quotient(v, ia0);
    ra0 = remainderOf(v, qa0, a0);
    v = shiftIn(rb0, x0);
    const qb0 = quotient(v, ib0);
    rb0 = remainderOf(v, qb0, b0);
    v = shiftIn(rp0, x0);
    const x1 = quotient(v, ip);
    rp0 = remainderOf(v, x1, p);

    v = shiftIn(ra1, x1);
    const qa1 = quotient(v, ia1);
    ra1 = remainderOf(v, qa1, a1);
    v = shiftIn(rb1, x1);
    const qb1 = quotient(v, ib1);
    rb1 = remainderOf(v, qb1, b1);
    v = shiftIn(rp1, x1);
    const x2 = quotient(v, ip);
    rp1 = remainderOf(v, x2, p);

    v128.store(at, x2);
    const terms = f64x2.add(f64x2.add(qa0, qb0), f64x2.add(qa1, qb1));
    const sumAt = sumPtr + (<usize> i << 3);
    store<f64>(
      sumAt,
      load<f64>(sumAt) + f64x2.extract_lane(terms, 0) + f64x2.extract_lane(terms, 1),
    );
  }
  term += 8;
  while (firstLimb < limbCount) {
    const at = fivePairPtr + (<usize> firstLimb << 4);
    if (load<f64>(at) != 0 || load<f64>(at, 8) != 0) break;
    firstLimb++;
  }
}

/**
 * One pass of a series Σ sign·(−1)^j q_j/(2j+1) with q_j+1 = q_j/square, four terms at once.
 * Each step divides the splatted source by (±(2j+1), square): lane 0 is the signed term, lane 1
 * the next power, which is splatted into the following step.
 */
function passSingles(ptr: usize, square: f64, sign: f64): void {
  const j = <f64> term;
  const d0 = f64x2(sign * (2 * j + 1), square);
  const d1 = f64x2(-sign * (2 * j + 3), square);
  const d2 = f64x2(sign * (2 * j + 5), square);
  const d3 = f64x2(-sign * (2 * j + 7), square);
  const i0 = reciprocal(d0);
  const i1 = reciprocal(d1);
  const i2 = reciprocal(d2);
  const i3 = reciprocal(d3);
  let r0 = f64x2.splat(0);
  let r1 = r0;
  let r2 = r0;
  let r3 = r0;
  for (let i = firstLimb; i < limbCount; i++) {
    const at = ptr + (<usize> i << 3);
    let x = v128.load64_splat(at);

    let v = shiftIn(r0, x);
    const q0 = quotient(v, i0);
    r0 = remainderOf(v, q0, d0);
    x = v128.shuffle<f64>(q0, q0, 1, 1);
    v = shiftIn(r1, x);
    const q1 = quotient(v, i1);
    r1 = remainderOf(v, q1, d1);
    x = v128.shuffle<f64>(q1, q1, 1, 1);
    v = shiftIn(r2, x);
    const q2 = quotient(v, i2);
    r2 = remainderOf(v, q2, d2);
    x = v128.shuffle<f64>(q2, q2, 1, 1);
    v = shiftIn(r3, x);
    const q3 = quotient(v, i3);
    r3 = remainderOf(v, q3, d3);

    store<f64>(at, f64x2.extract_lane(q3, 1));
    // Lane 1 of this sum adds up powers and is never read.
    const terms = f64x2.add(f64x2.add(q0, q1), f64x2.add(q2, q3));
    const sumAt = sumPtr + (<usize> i << 3);
    store<f64>(sumAt, load<f64>(sumAt) + f64x2.extract_lane(terms, 0));
  }
  term += 4;
  while (firstLimb < limbCount && load<f64>(ptr + (<usize> firstLimb << 3)) == 0) firstLimb++;
}

/** Runs one pass of the current phase, moves to the next phase when due; returns the work done. */
function pass(): i32 {
  if (phase == PHASE_FIVE_PAIRS) {
    // The paired kernel's largest divisor, 25·(2k+15), must stay exact.
    if (25 * (2 * <f64> term + 15) > DIVISOR_MAX) {
      for (let i = 0; i < limbCount; i++) {
        store<f64>(fivePtr + (<usize> i << 3), load<f64>(fivePairPtr + (<usize> i << 4)));
      }
      phase = PHASE_FIVE_SINGLES;
      return limbCount;
    }
    const work = (limbCount - firstLimb) * PAIR_PASS_CHAINS;
    passFivePairs();
    if (firstLimb >= limbCount) nextSeries();
    return work;
  }
  if (phase == PHASE_FIVE_SINGLES) {
    const work = (limbCount - firstLimb) * SINGLE_PASS_CHAINS;
    passSingles(fivePtr, 25, 1);
    if (firstLimb >= limbCount) nextSeries();
    return work;
  }
  if (phase == PHASE_239_SINGLES) {
    const work = (limbCount - firstLimb) * SINGLE_PASS_CHAINS;
    passSingles(twoThirtyNinePtr, 57_121, -1);
    if (firstLimb >= limbCount) phase = PHASE_DONE;
    return work;
  }
  return 0;
}

function nextSeries(): void {
  phase = PHASE_239_SINGLES;
  term = 0;
  firstLimb = 0;
}

/**
 * Advances the computation by passes until at least `workBudget` units (one vector chain over one
 * limb) are done or the computation is finished. Returns true when finished.
 */
export function step(workBudget: i32): bool {
  let work = 0;
  while (phase != PHASE_DONE && work < workBudget) work += pass();
  return phase == PHASE_DONE;
}

/** Whether every series has been summed. */
export function isDone(): bool {
  return phase == PHASE_DONE;
}

/**
 * Resolves the carries of the sum and writes it as ASCII: the integer part's digit, then
 * 9·(limbCount − 1) decimals. Returns the address of the text.
 */
export function finish(): usize {
  let carry: i64 = 0;
  for (let i = limbCount - 1; i >= 1; i--) {
    const total = <i64> load<f64>(sumPtr + (<usize> i << 3)) + carry;
    let high = total / 1_000_000_000;
    let low = total % 1_000_000_000;
    if (low < 0) {
      low += 1_000_000_000;
      high -= 1;
    }
    let at = digitsPtr + 1 + <usize> (i - 1) * DIGITS_PER_LIMB + DIGITS_PER_LIMB;
    for (let d = 0; d < DIGITS_PER_LIMB; d++) {
      at--;
      store<u8>(at, <u8> (0x30 + low % 10));
      low /= 10;
    }
    carry = high;
  }
  const integerPart = <i64> load<f64>(sumPtr) + carry;
  store<u8>(digitsPtr, <u8> (0x30 + integerPart));
  return digitsPtr;
}

// Pi by the Chudnovsky series, summed by binary splitting, over the base-1e9 naturals of bignum.ts:
//
//   1/pi = 12 Σ (−1)^k (6k)! (A + Bk) / ((3k)! (k!)³ 640320^(3k+3/2)),  A = 13591409, B = 545140134
//   pi = 426880·sqrt(10005)·Q / T  with P, Q, T of terms [0, n) by binary splitting.
//
// 1/T comes from Newton's iteration R ← R + R(1 − T·R), and sqrt(10005) = 10005·y from
// y ← y + y(1 − 10005·y²)/2; both double their precision each step, from an f64 seed, so each costs
// a few multiplications of the full size. Every value is a natural number with an implicit scale
// B^k (B = 1e9) that the code tracks; T carries its sign separately.
import {
  addTo,
  alloc,
  arenaReset,
  arenaResetTo,
  BASE,
  compare,
  divSmall,
  fromU64,
  keep,
  limb,
  LINEAR_CHUNK,
  LINEAR_CHUNK_MASK,
  mark,
  moveDown,
  mulSmall,
  norm,
  setLimb,
  subFrom,
  tick,
  zero,
} from "./bignum";
import { mul, mulPair, NTT_MIN_LIMBS } from "./mul";
import { forgetTwiddles, mulNttNode, prepareTwiddles, twiddlesCover, twiddlesEnd } from "./ntt";

/** Decimal digits per limb. */
const DIGITS_PER_LIMB: i32 = 9;

/** Decimals gained per term of the series: log10(640320³ / 1728). */
const DIGITS_PER_TERM: f64 = 14.181647462725477;

/** Limbs computed beyond the requested ones: they absorb the few units of error of the divisions. */
const GUARD_LIMBS: i32 = 4;

/** The most limbs after the point that `compute` accepts (10 million digits and a margin). */
export const MAX_FRACTION_LIMBS: i32 = 1_200_000;

const A: u64 = 13_591_409;
const B: u64 = 545_140_134;
const C3_OVER_24: u64 = 10_939_058_860_032_000; // 640320³ / 24

// The result of `split`: P, Q and T of a range of terms, lying consecutively in the arena.
let resultP: usize = 0;
let resultPLen: i32 = 0;
let resultQ: usize = 0;
let resultQLen: i32 = 0;
let resultT: usize = 0;
let resultTLen: i32 = 0;
let resultTNegative: bool = false;

/** p, q and t of the single term k, allocated at the top of the arena. */
function leaf(k: i32): void {
  const p = alloc(3);
  const q = alloc(5);
  const t = alloc(5);
  if (k == 0) {
    setLimb(p, 0, 1);
    setLimb(q, 0, 1);
    setLimb(t, 0, <u32> A);
    resultPLen = 1;
    resultQLen = 1;
    resultTLen = 1;
  } else {
    const kk = <u64> k;
    // p = (6k−5)(2k−1)(6k−1), q = k³·640320³/24, t = (−1)^k p(A + Bk)
    resultPLen = mulSmall(p, p, fromU64(p, (6 * kk - 5) * (2 * kk - 1)), <u32> (6 * kk - 1));
    let qLen = fromU64(q, C3_OVER_24);
    qLen = mulSmall(q, q, qLen, <u32> k);
    qLen = mulSmall(q, q, qLen, <u32> k);
    resultQLen = mulSmall(q, q, qLen, <u32> k);
    const ab = alloc(2);
    const abLen = fromU64(ab, A + B * kk);
    const product = alloc(resultPLen + abLen);
    mul(product, p, resultPLen, ab, abLen);
    const tLen = norm(product, resultPLen + abLen);
    memory.copy(t, product, <usize> tLen << 2);
    resultTLen = tLen;
    keep(t, t, tLen);
  }
  resultP = p;
  resultQ = q;
  resultT = t;
  resultTNegative = (k & 1) == 1;
  tick(64);
}

/**
 * P, Q and T of terms [first, end), left at the top of the arena where it stood on entry (in the
 * result globals). P is skipped (length 0) unless `wantP`: the right spine of the tree never needs it.
 */
function split(first: i32, end: i32, wantP: bool): void {
  const base = mark();
  if (end - first == 1) {
    leaf(first);
    if (!wantP) resultPLen = 0;
    return;
  }
  const middle = first + ((end - first) >> 1);
  split(first, middle, true);
  const lp = resultP;
  const lpn = resultPLen;
  const lq = resultQ;
  const lqn = resultQLen;
  const lt = resultT;
  const ltn = resultTLen;
  const lNegative = resultTNegative;
  split(middle, end, wantP);
  const rp = resultP;
  const rpn = resultPLen;
  const rq = resultQ;
  const rqn = resultQLen;
  const rt = resultT;
  const rtn = resultTLen;
  const rNegative = resultTNegative;

  // Q = Q_left·Q_right and T1 = T_left·Q_right share Q_right; P = P_left·P_right and
  // T2 = P_left·T_right share P_left.
  const q = alloc(lqn + rqn);
  let p: usize = 0;
  let pn = 0;
  let t: usize = 0;
  let tn = 0;
  let negative = lNegative;
  if (
    nttWins(lqn, rqn) && nttWins(ltn, rqn) && nttWins(lpn, rtn) && (!wantP || nttWins(lpn, rpn))
  ) {
    // All in one: T1 ± T2 summed in the transform domain. The difference (signs unlike) is never
    // negative: |T_left|·Q_right exceeds P_left·|T_right| by many orders of magnitude (each
    // term's p_k/q_k is below 1e-12), so T has T_left's sign.
    const tSize = (ltn + rqn > lpn + rtn ? ltn + rqn : lpn + rtn) + 1;
    t = alloc(tSize);
    if (wantP) p = alloc(lpn + rpn);
    const subtract = lNegative != rNegative;
    if (
      mulNttNode(q, lq, lqn, rq, rqn, t, tSize, lt, ltn, lp, lpn, rt, rtn, subtract, p, rp, rpn)
    ) {
      // A negative difference would come out modulo B^tSize, with a top limb of B − 1.
      if (subtract && limb(t, tSize - 1) != 0) unreachable();
      tn = norm(t, tSize);
      if (wantP) pn = norm(p, lpn + rpn);
      moveNodeDown(base, p, pn, q, norm(q, lqn + rqn), t, tn, negative);
      return;
    }
    p = 0;
  }
  const t1Size = ltn + rqn + 1;
  const t1 = alloc(t1Size);
  setLimb(t1, t1Size - 1, 0);
  mulPair(q, lq, lqn, t1, lt, ltn, rq, rqn);
  const qn = norm(q, lqn + rqn);
  let t1n = norm(t1, t1Size);
  const t2 = alloc(lpn + rtn);
  if (wantP) {
    p = alloc(lpn + rpn);
    mulPair(p, rp, rpn, t2, rt, rtn, lp, lpn);
    pn = norm(p, lpn + rpn);
  } else {
    mul(t2, lp, lpn, rt, rtn);
  }
  const t2n = norm(t2, lpn + rtn);
  t = t1;
  tn = t1n;
  if (lNegative == rNegative) {
    if (t2n > t1Size) unreachable();
    addTo(t1, t1Size, t2, t2n);
    tn = norm(t1, t1Size);
  } else if (compare(t1, t1n, t2, t2n) >= 0) {
    subFrom(t1, t1n, t2, t2n);
    tn = norm(t1, t1n);
  } else {
    subFrom(t2, t2n, t1, t1n);
    t = t2;
    tn = norm(t2, t2n);
    negative = rNegative;
  }
  moveNodeDown(base, p, pn, q, qn, t, tn, negative);
}

/** Whether a product with these operand lengths goes to the NTT (mul's choice). */
function nttWins(na: i32, nb: i32): bool {
  return (na < nb ? na : nb) >= NTT_MIN_LIMBS;
}

/**
 * Moves a node's P, Q, T down to `base`, over its children, frees everything above them and sets
 * the result globals. Each lands below its source, so the ascending copies are safe.
 */
function moveNodeDown(
  base: usize,
  p: usize,
  pn: i32,
  q: usize,
  qn: i32,
  t: usize,
  tn: i32,
  negative: bool,
): void {
  const newP = base;
  moveDown(newP, p, <usize> pn << 2);
  const newQ = newP + (<usize> pn << 2);
  moveDown(newQ, q, <usize> qn << 2);
  const newT = newQ + (<usize> qn << 2);
  moveDown(newT, t, <usize> tn << 2);
  keep(base, base, pn + qn + tn);
  resultP = newP;
  resultPLen = pn;
  resultQ = newQ;
  resultQLen = qn;
  resultT = newT;
  resultTLen = tn;
  resultTNegative = negative;
}

// The length of the last value a function below returned.
let resultLen: i32 = 0;

/**
 * One Newton step for R ≈ B^(2n)/D from R0 = Rs·B^s:
 * E' = B^(2n−s) − D·Rs, R = Rs·B^s + Rs·E'/B^(2n−2s). Returns R at `at` (the arena's mark).
 */
function recipStep(d: usize, n: i32, rs: usize, rsn: i32, s: i32): usize {
  const at = mark();
  const m = 2 * n - s;
  const dr = alloc(n + rsn + 1);
  mul(dr, d, n, rs, rsn);
  const drn = norm(dr, n + rsn);
  let e: usize;
  let tooLarge = false;
  if (drn <= m) {
    // E' = B^m − DR: the limbwise complement to B − 1, plus one.
    e = alloc(m + 1);
    for (let i = 0; i < m; i++) setLimb(e, i, BASE - 1 - (i < drn ? limb(dr, i) : 0));
    tick(m);
    setLimb(e, m, 0);
    const one = alloc(1);
    setLimb(one, 0, 1);
    addTo(e, m + 1, one, 1);
  } else {
    if (drn > m + 1) unreachable();
    e = dr;
    setLimb(e, m, limb(e, m) - 1);
    tooLarge = true;
  }
  const en = norm(e, m + 1);
  const shift = m - s;
  // E's limbs below `cut` change Rs·E'/B^shift by less than one unit (Rs < B^rsn), within the few
  // units the result may be off anyway: dropping them makes the product Rs × (top half of E')
  // instead of Rs × E', half the transform length.
  let cut = shift - rsn - 1;
  if (cut < 0) cut = 0;
  if (cut > en) cut = en;
  const etn = en - cut;
  const c = alloc(rsn + etn);
  mul(c, rs, rsn, e + (<usize> cut << 2), etn);
  const cn = norm(c, rsn + etn);
  const corrShift = shift - cut;
  const corr = c + (<usize> corrShift << 2);
  const corrn = cn > corrShift ? cn - corrShift : 0;
  const rn = s + rsn + 1;
  const r = alloc(rn);
  zero(r, s);
  memory.copy(r + (<usize> s << 2), rs, <usize> rsn << 2);
  setLimb(r, rn - 1, 0);
  if (tooLarge) subFrom(r, rn, corr, corrn);
  else addTo(r, rn, corr, corrn);
  resultLen = norm(r, rn);
  return keep(at, r, resultLen);
}

/** R ≈ B^(2n)/D for D of n limbs (top limb nonzero), within a few units. */
function reciprocal(d: usize, n: i32): usize {
  const at = mark();
  if (n <= 5) {
    const k = n < 3 ? n : 3;
    let top: f64 = 0;
    for (let i = 0; i < k; i++) top = top * 1e9 + <f64> limb(d, n - 1 - i);
    let scale: f64 = 1;
    for (let i = 0; i <= k; i++) scale *= 1e9;
    // B^(k+1)/top lies in (B, B²], so it fits a u64; R0 = it·B^(n−1).
    const seed = alloc(2);
    const estimate = scale / top;
    const seedLen = fromU64(seed, estimate < 9.99e17 ? <u64> estimate : 999_000_000_000_000_000);
    let r = recipStep(d, n, seed, seedLen, n - 1);
    for (let i = 0; i < 3; i++) r = recipStep(d, n, r, resultLen, 0);
    return keep(at, r, resultLen);
  }
  // Two limbs of overlap: the top h limbs of D are exact to B^−(h−1) only, so R0's error squared
  // must still fall below B^−n.
  const h = (n >> 1) + 2;
  const rh = reciprocal(d + (<usize> (n - h) << 2), h);
  const r = recipStep(d, n, rh, resultLen, n - h);
  return keep(at, r, resultLen);
}

/** The radicand of sqrt(10005). */
const RADICAND: u32 = 10_005;

/**
 * One Newton step for Y ≈ B^k/sqrt(10005) from Y0 = Ys·B^s:
 * E' = B^(2k−2s) − 10005·Ys², Y = Ys·B^s + Ys·E'/(2·B^(2k−3s)).
 */
function invSqrtStep(ys: usize, ysn: i32, k: i32, s: i32): usize {
  const at = mark();
  const m = 2 * k - 2 * s;
  const sq = alloc(2 * ysn + 1);
  mul(sq, ys, ysn, ys, ysn);
  const sqn = mulSmall(sq, sq, norm(sq, 2 * ysn), RADICAND);
  let e: usize;
  let tooLarge = false;
  if (sqn <= m) {
    e = alloc(m + 1);
    for (let i = 0; i < m; i++) setLimb(e, i, BASE - 1 - (i < sqn ? limb(sq, i) : 0));
    tick(m);
    setLimb(e, m, 0);
    const one = alloc(1);
    setLimb(one, 0, 1);
    addTo(e, m + 1, one, 1);
  } else {
    if (sqn > m + 1) unreachable();
    e = sq;
    setLimb(e, m, limb(e, m) - 1);
    tooLarge = true;
  }
  const en = norm(e, m + 1);
  const c = alloc(ysn + en);
  mul(c, ys, ysn, e, en);
  const cn = norm(c, ysn + en);
  const shift = 2 * k - 3 * s;
  const corr = c + (<usize> shift << 2);
  const corrn = cn > shift ? divSmall(corr, cn - shift, 2) : 0;
  const yn = s + ysn + 1;
  const y = alloc(yn);
  zero(y, s);
  memory.copy(y + (<usize> s << 2), ys, <usize> ysn << 2);
  setLimb(y, yn - 1, 0);
  if (tooLarge) subFrom(y, yn, corr, corrn);
  else addTo(y, yn, corr, corrn);
  resultLen = norm(y, yn);
  return keep(at, y, resultLen);
}

/** Y ≈ B^k/sqrt(10005) for k >= 2, within a few units. */
function invSqrt(k: i32): usize {
  const at = mark();
  if (k <= 5) {
    // Y0 = floor(1e18/sqrt(10005))·B^(k−2): 16 correct digits, and three steps give 128.
    const y0 = alloc(k);
    zero(y0, k);
    fromU64(y0 + (<usize> (k - 2) << 2), <u64> (1e18 / Math.sqrt(<f64> RADICAND)));
    let y = invSqrtStep(y0, norm(y0, k), k, 0);
    for (let i = 0; i < 2; i++) y = invSqrtStep(y, resultLen, k, 0);
    return keep(at, y, resultLen);
  }
  const h = (k >> 1) + 2;
  const yh = invSqrt(h);
  const y = invSqrtStep(yh, resultLen, k, k - h);
  return keep(at, y, resultLen);
}

/**
 * Computes pi with `fractionLimbs` limbs after the point and writes it as ASCII: one integer
 * digit, then 9·fractionLimbs decimals, truncated (the last few units of the last limb may be
 * wrong by the error of the divisions, which the guard limbs keep far below the returned limbs).
 * Returns the address of the text, or 0 when the size is out of range.
 */
export function compute(fractionLimbs: i32): usize {
  if (fractionLimbs < 1 || fractionLimbs > MAX_FRACTION_LIMBS) return 0;
  const w = fractionLimbs + GUARD_LIMBS;
  const terms = <i32> (<f64> (w * DIGITS_PER_LIMB) / DIGITS_PER_TERM) + 2;
  // The longest products are those at the root of the splitting, about as long as Q:
  // log10 Q = Σ log10(k³·640320³/24) = 3·log10(terms!) + terms·log10(640320³/24) (Stirling).
  const n = <f64> terms;
  const log10Factorial = (n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n)) / Math.LN10;
  const rootProduct = <i32> ((3 * log10Factorial + n * 16.04) / 9) + 64;
  // The final products (Y·Q', then by 1/T) are about 2w limbs long, longer than the root's at
  // small sizes.
  const longestProduct = rootProduct > 2 * w + 16 ? rootProduct : 2 * w + 16;
  // The tables lie at the bottom of the arena: a computation no longer than the last keeps them.
  if (twiddlesCover(longestProduct)) {
    arenaResetTo(twiddlesEnd());
  } else {
    arenaReset();
    forgetTwiddles();
    prepareTwiddles(longestProduct);
  }
  split(0, terms, false);
  if (resultTNegative) unreachable();
  // Only the top w + 2 limbs of Q and T matter to pi's w limbs.
  const keepLimbs = w + 2;
  const qShift = resultQLen > keepLimbs ? resultQLen - keepLimbs : 0;
  const q = resultQ + (<usize> qShift << 2);
  const qn = resultQLen - qShift;
  const tShift = resultTLen > keepLimbs ? resultTLen - keepLimbs : 0;
  const t = resultT + (<usize> tShift << 2);
  const tn = resultTLen - tShift;

  const r = reciprocal(t, tn); // B^(2tn)/T'
  const rn = resultLen;
  const y = invSqrt(w + 2); // B^(w+2)/sqrt(10005)
  const yn = resultLen;
  const m1 = alloc(yn + qn);
  mul(m1, y, yn, q, qn);
  const m1n = norm(m1, yn + qn);
  const drop1 = m1n > w + 4 ? m1n - (w + 4) : 0;
  const m1t = m1 + (<usize> drop1 << 2);
  const m1tn = m1n - drop1;
  const m2 = alloc(m1tn + rn + 2);
  mul(m2, m1t, m1tn, r, rn);
  let m2n = norm(m2, m1tn + rn);
  m2n = mulSmall(m2, m2, m2n, 426_880);
  m2n = mulSmall(m2, m2, m2n, RADICAND);
  // pi·B^w = 426880·10005·Y·Q'·R / B^(2 + 2tn + tShift − qShift − drop1)
  const exponent = 2 + 2 * tn + tShift - qShift - drop1;
  if (exponent < 0 || m2n - exponent != w + 1) unreachable();
  const x = m2 + (<usize> exponent << 2);
  const integerPart = limb(x, w);
  if (integerPart > 9) unreachable();

  const text = alloc((1 + fractionLimbs * DIGITS_PER_LIMB + 3) >> 2);
  store<u8>(text, <u8> (0x30 + integerPart));
  for (let i = 0; i < fractionLimbs; i++) {
    // Nine divisions by ten a limb: about 30 ns, so ticks every 4,096 limbs.
    if ((i & 4095) == 4095) tick(4096 * 32);
    let value = limb(x, w - 1 - i);
    let at = text + 1 + <usize> (i + 1) * DIGITS_PER_LIMB;
    for (let d = 0; d < DIGITS_PER_LIMB; d++) {
      at--;
      store<u8>(at, <u8> (0x30 + value % 10));
      value /= 10;
    }
  }
  return text;
}

/** The number of bytes of WebAssembly memory in use at the arena's top. */
export function arenaTopBytes(): usize {
  return mark();
}

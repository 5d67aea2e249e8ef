// The multiplication dispatcher: schoolbook, Karatsuba or NTT by the shorter operand's length.
import { KARATSUBA_MIN_LIMBS, mulKaratsuba, mulSchoolbook } from "./bignum";
import { mulNtt, mulNttShared, nttLength } from "./ntt";

/** The NTT wins over Karatsuba from about this many limbs in the shorter operand. */
export const NTT_MIN_LIMBS: i32 = 200;

export const METHOD_AUTO: i32 = 0;
export const METHOD_SCHOOLBOOK: i32 = 1;
export const METHOD_KARATSUBA: i32 = 2;
export const METHOD_NTT: i32 = 3;

/** out[0..na+nb) = a · b (out must not overlap a or b), by `method` or the fastest. */
export function mulWith(out: usize, a: usize, na: i32, b: usize, nb: i32, method: i32): void {
  if (na == 0 || nb == 0) {
    memory.fill(out, 0, <usize> (na + nb) << 2);
    return;
  }
  if (method == METHOD_AUTO) {
    const shorter = na < nb ? na : nb;
    method = shorter < KARATSUBA_MIN_LIMBS
      ? METHOD_SCHOOLBOOK
      : shorter < NTT_MIN_LIMBS
      ? METHOD_KARATSUBA
      : METHOD_NTT;
  }
  if (method == METHOD_SCHOOLBOOK) mulSchoolbook(out, a, na, b, nb);
  else if (method == METHOD_KARATSUBA) mulKaratsuba(out, a, na, b, nb);
  else mulNtt(out, a, na, b, nb);
}

/** out[0..na+nb) = a · b by the fastest method. */
export function mul(out: usize, a: usize, na: i32, b: usize, nb: i32): void {
  mulWith(out, a, na, b, nb, METHOD_AUTO);
}

/**
 * out1 = a1 · b and out2 = a2 · b. When both go to the NTT at the same transform length, b is
 * transformed once for both (5 transforms per prime instead of 6).
 */
export function mulPair(
  out1: usize,
  a1: usize,
  na1: i32,
  out2: usize,
  a2: usize,
  na2: i32,
  b: usize,
  nb: i32,
): void {
  const shorter1 = na1 < nb ? na1 : nb;
  const shorter2 = na2 < nb ? na2 : nb;
  if (
    shorter1 >= NTT_MIN_LIMBS && shorter2 >= NTT_MIN_LIMBS &&
    nttLength(na1, nb) == nttLength(na2, nb)
  ) {
    mulNttShared(out1, a1, na1, out2, a2, na2, b, nb);
  } else {
    mul(out1, a1, na1, b, nb);
    mul(out2, a2, na2, b, nb);
  }
}

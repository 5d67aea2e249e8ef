import assert from "node:assert/strict";
import { loadPiModule, piDigits, piDigitsBigInt, PiKernel } from "../src/pi/mod.ts";
import { fnv1a32 } from "../src/jobs/pi.ts";
import { multiplyNaturals, multiplyNode, type NaturalsMultiplication } from "../src/pi/naturals.ts";
import { PI_1000_DECIMALS } from "./fixtures/pi_1000_digits.ts";

const piModule = await loadPiModule();
const LIMB = 1_000_000_000n;

/** A small deterministic generator (xorshift32), so that a failure can be replayed. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

/** A natural of exactly `limbs` base-1e9 limbs, with runs of 0 and 999999999 limbs mixed in. */
function randomNatural(limbs: number, next: () => number): bigint {
  // Through decimal text: one BigInt parse instead of a multiplication per limb (quadratic).
  const parts: string[] = [];
  for (let i = 0; i < limbs; i++) {
    const kind = next() % 8;
    const limb = kind === 0 ? 0 : kind === 1 ? 999_999_999 : next() % 1_000_000_000;
    parts.push(String(i === 0 && limb === 0 ? 1 : limb).padStart(i === 0 ? 0 : 9, "0"));
  }
  return BigInt(parts.join(""));
}

const METHODS: readonly NaturalsMultiplication[] = ["schoolbook", "karatsuba", "ntt", "auto"];

Deno.test("multiplyNaturals() matches BigInt by every method, across the Karatsuba and NTT thresholds", () => {
  const next = randomSource(20_261_202);
  // Shorter-operand lengths around the thresholds (Karatsuba from 96 limbs, NTT from 200), the
  // schoolbook's row blocks (8 rows at a time, carried every 16), unbalanced shapes, and products
  // whose convolution length is a power of two, or one more.
  const shapes: [number, number][] = [
    [1, 1],
    [1, 7],
    [2, 3],
    [5, 5],
    [5, 9],
    [13, 21],
    [16, 17],
    [31, 33],
    [39, 39],
    [55, 55],
    [56, 56],
    [57, 120],
    [95, 95],
    [96, 96],
    [97, 150],
    [111, 113],
    [199, 199],
    [200, 200],
    [201, 700],
    [100, 3],
    [250, 1_000],
    [599, 599],
    [600, 600],
    [601, 2_000],
    [512, 513],
    [513, 513],
    [1_024, 1_025],
    [3_000, 2_900],
  ];
  for (const [na, nb] of shapes) {
    const a = randomNatural(na, next);
    const b = randomNatural(nb, next);
    const expected = a * b;
    for (const method of METHODS) {
      assert.equal(multiplyNaturals(piModule, a, b, method), expected, `${method} ${na}x${nb}`);
      assert.equal(multiplyNaturals(piModule, b, a, method), expected, `${method} ${nb}x${na}`);
    }
  }
});

Deno.test("multiplyNaturals() is exact for the largest limbs, zero and squares", () => {
  for (const limbs of [1, 8, 95, 96, 199, 200, 600, 2_000]) {
    const largest = LIMB ** BigInt(limbs) - 1n;
    for (const method of METHODS) {
      assert.equal(multiplyNaturals(piModule, largest, largest, method), largest * largest);
      assert.equal(multiplyNaturals(piModule, largest, 0n, method), 0n);
    }
  }
  assert.throws(() => multiplyNaturals(piModule, -1n, 2n), RangeError);
});

Deno.test("multiplyNaturals() matches BigInt on random shapes up to 4,000 limbs", () => {
  const next = randomSource(7);
  for (let round = 0; round < 40; round++) {
    const na = 1 + (next() % (round < 20 ? 200 : 4_000));
    const nb = 1 + (next() % (round < 20 ? 200 : 4_000));
    const a = randomNatural(na, next);
    const b = randomNatural(nb, next);
    const method = METHODS[round % METHODS.length];
    assert.equal(multiplyNaturals(piModule, a, b, method), a * b, `${method} ${na}x${nb}`);
  }
});

Deno.test("multiplyNaturals() matches BigInt by NTT on transforms longer than a cache block", () => {
  // Transforms of 2^15 to 2^17 entries: levels that sweep the whole buffer in ticked chunks, then
  // 16,384-entry blocks; an operand longer than half the transform takes the unfused first level.
  const next = randomSource(2_026);
  for (const [na, nb] of [[20_000, 20_000], [9_000, 30_000], [40_000, 1_000], [65_000, 65_000]]) {
    const a = randomNatural(na, next);
    const b = randomNatural(nb, next);
    assert.equal(multiplyNaturals(piModule, a, b, "ntt"), a * b, `${na}x${nb}`);
  }
});

Deno.test("multiplyNode() matches BigInt: Q, T summed or subtracted in the transform domain, P", () => {
  const next = randomSource(14);
  // [lq, rq, lt, lp, rt, rp] limbs: shapes of splitting nodes (T about Q's size, P about half)
  // from the smallest NTT products to transforms longer than a cache block, all of Q's transform
  // length (lp·rt longer than half of it).
  const shapes = [
    [300, 310, 300, 220, 300, 200],
    [1_000, 1_100, 1_050, 960, 1_100, 900],
    [3_000, 2_900, 3_000, 1_400, 2_950, 1_450],
    [12_000, 12_500, 12_200, 6_000, 12_400, 6_100],
  ];
  for (const [lqn, rqn, ltn, lpn, rtn, rpn] of shapes) {
    const operands = {
      lq: randomNatural(lqn, next),
      rq: randomNatural(rqn, next),
      lt: randomNatural(ltn, next),
      lp: randomNatural(lpn, next),
      rt: randomNatural(rtn, next),
      rp: randomNatural(rpn, next),
    };
    const { lq, rq, lt, lp, rt, rp } = operands;
    for (const subtract of [false, true]) {
      const t = subtract ? lt * rq - lp * rt : lt * rq + lp * rt;
      assert.deepEqual(
        multiplyNode(piModule, operands, subtract),
        { q: lq * rq, t, p: lp * rp },
        `${[lqn, rqn, ltn, lpn, rtn, rpn]} ${subtract ? "minus" : "plus"}`,
      );
    }
  }
  // A positive difference whose convolution coefficients are almost all negative: lt·rq = B^602
  // has only one nonzero coefficient, lp·rt all limbs 999999999.
  const power = LIMB ** 301n;
  const nines = LIMB ** 299n - 1n;
  const operands = { lq: power, rq: power, lt: power, lp: nines, rt: nines, rp: nines };
  assert.deepEqual(multiplyNode(piModule, operands, true), {
    q: power * power,
    t: power * power - nines * nines,
    p: nines * nines,
  });
  // Products of different transform lengths are left to the separate path.
  const short = { ...operands, rt: 5n };
  assert.equal(multiplyNode(piModule, short, false), undefined);
});

Deno.test("piDigits() matches the BigInt reference at every size from 1 to 300 digits", () => {
  // The splitting tree's first levels, every Newton base case (up to 5 limbs) and the first
  // multiplication-size switches.
  const reference = `3.${PI_1000_DECIMALS}`;
  for (let digits = 1; digits <= 300; digits++) {
    assert.equal(piDigits(digits), reference.slice(0, 2 + digits), `${digits} digits`);
  }
});

Deno.test("piDigits() matches the BigInt reference at sizes crossing every threshold", () => {
  // Around 1,500 digits the root products pass 200 limbs (NTT); beyond, each doubling adds an NTT
  // length and a level to the splitting tree and to both Newton iterations.
  const reference = piDigitsBigInt(200_000);
  for (
    const digits of [
      500,
      1_001,
      1_500,
      2_000,
      2_500,
      3_000,
      4_999,
      7_000,
      10_000,
      16_384,
      25_000,
      40_000,
      65_536,
      100_000,
      131_072,
      200_000,
    ]
  ) {
    assert.equal(piDigits(digits), reference.slice(0, 2 + digits), `${digits} digits`);
  }
});

Deno.test("piDigits() returns the known first million decimals (checksum and last ten)", () => {
  // fnv1a32 of the BigInt reference's 1,000,000 digits; decimals 999,991..1,000,000 of pi are
  // 5779458151 in published tables.
  const digits = piDigits(1_000_000);
  assert.equal(digits.slice(-10), "5779458151");
  assert.equal(fnv1a32(digits), "28efd91e");
});

Deno.test("PiKernel instances are independent and reusable after any size", () => {
  const first = new PiKernel(piModule);
  const second = new PiKernel(piModule);
  assert.equal(first.compute(50_000), piDigits(50_000));
  assert.equal(second.compute(10), "3.1415926535");
  assert.equal(first.compute(1_000), `3.${PI_1000_DECIMALS}`);
  assert.ok(first.memoryBytes > second.memoryBytes);
});

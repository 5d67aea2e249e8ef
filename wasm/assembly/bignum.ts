// Natural numbers for the Chudnovsky kernel: little-endian arrays of u32 limbs in base 1e9.
//
// Why a decimal base: the digits of pi come out of the last limbs as text directly, so no binary to
// decimal conversion (and no divide-and-conquer radix conversion) is needed at all; the price is a
// 3 % denser packing than base 2^32 (9 digits in 32 bits instead of 9.63), and carries by division
// by 1e9 instead of shifts, which the schoolbook loop below amortises over 16 rows.
//
// Memory is one bump arena above __heap_base: every function allocates its output and scratch at
// the top, and releases scratch by resetting the top to a mark. Results that must outlive their
// scratch are moved down with `keep` (memory.copy is memmove). Nothing is ever freed otherwise, and
// the arena restarts with every computation.
import { shouldStop } from "./host";

/** The limb base. */
export const BASE: u32 = 1_000_000_000;
export const BASE64: u64 = 1_000_000_000;

/** Karatsuba below this many limbs in the smaller operand is slower than schoolbook. */
export const KARATSUBA_MIN_LIMBS: i32 = 96;

/**
 * Work units between two cancellation polls. A unit is about a nanosecond on the test machine:
 * four SIMD schoolbook products, half an NTT butterfly, half a limb of a carry pass; the weights
 * are where the work is counted. A poll costs one call into the host (tens of nanoseconds), so
 * polling every millisecond or so costs nothing measurable and leaves room for a loaded machine
 * before the ~10 ms that cancellation may wait.
 */
const POLL_WORK: i64 = 1_000_000;

/**
 * Linear passes over long numbers (carries, residues, small multipliers) count their work every
 * LINEAR_CHUNK limbs, so that at ten million digits no pass runs for long between two polls.
 */
export const LINEAR_CHUNK: i32 = 1 << 16;
export const LINEAR_CHUNK_MASK: i32 = LINEAR_CHUNK - 1;

let heapTop: usize = 0;
let workSincePoll: i64 = 0;

/** Restarts the arena at the heap base and the poll counter at zero. */
export function arenaReset(): void {
  heapTop = (__heap_base + 15) & ~(<usize> 15);
  workSincePoll = 0;
}

/** Restarts the arena at `at` (above data kept from the last computation) and the poll counter. */
export function arenaResetTo(at: usize): void {
  heapTop = at;
  workSincePoll = 0;
}

/** The current top of the arena, to release everything allocated after it with `release`. */
export function mark(): usize {
  return heapTop;
}

/** Releases everything allocated after `at`. */
export function release(at: usize): void {
  heapTop = at;
}

/** Allocates `limbs` u32 limbs (8-byte aligned), growing memory as needed; traps when it cannot. */
export function alloc(limbs: i32): usize {
  const ptr = heapTop;
  const end = (ptr + (<usize> limbs << 2) + 7) & ~(<usize> 7);
  const pagesNeeded = <i32> ((end + 0xffff) >>> 16);
  const pagesHave = memory.size();
  if (pagesNeeded > pagesHave) {
    // Grow by at least an eighth, so that a growing computation does not grow page by page.
    let grow = pagesNeeded - pagesHave;
    const eighth = pagesHave >> 3;
    if (grow < eighth) grow = eighth;
    if (memory.grow(grow) < 0 && memory.grow(pagesNeeded - pagesHave) < 0) unreachable();
  }
  heapTop = end;
  return ptr;
}

/** Bytes that `fillZero` and `moveDown` fill or copy between two work ticks (about 0.1 ms). */
const BYTES_CHUNK: usize = 1 << 20;

/** memory.fill(ptr, 0, bytes), counted as work every megabyte. */
export function fillZero(ptr: usize, bytes: usize): void {
  while (bytes > BYTES_CHUNK) {
    memory.fill(ptr, 0, BYTES_CHUNK);
    tick(<i32> (BYTES_CHUNK >> 2));
    ptr += BYTES_CHUNK;
    bytes -= BYTES_CHUNK;
  }
  memory.fill(ptr, 0, bytes);
}

/**
 * memory.copy(to, from, bytes), counted as work every megabyte when to < from: then ascending
 * chunks never overwrite a source byte before it is read (an upward move is one memmove).
 */
export function moveDown(to: usize, from: usize, bytes: usize): void {
  if (to == from) return;
  while (to < from && bytes > BYTES_CHUNK) {
    memory.copy(to, from, BYTES_CHUNK);
    tick(<i32> (BYTES_CHUNK >> 2));
    to += BYTES_CHUNK;
    from += BYTES_CHUNK;
    bytes -= BYTES_CHUNK;
  }
  memory.copy(to, from, bytes);
}

/** Moves `len` limbs at `ptr` (at or above `at`) down to `at` and frees everything above them. */
export function keep(at: usize, ptr: usize, len: i32): usize {
  moveDown(at, ptr, <usize> len << 2);
  heapTop = at;
  alloc(len);
  return at;
}

/** Counts `units` of work and polls the host for cancellation every POLL_WORK units. */
export function tick(units: i32): void {
  workSincePoll += units;
  if (workSincePoll >= POLL_WORK) {
    workSincePoll = 0;
    // The host throws to cancel: the exception unwinds through this module and the arena is
    // simply restarted by the next computation.
    shouldStop();
  }
}

export function limb(ptr: usize, i: i32): u32 {
  return load<u32>(ptr + (<usize> i << 2));
}

export function setLimb(ptr: usize, i: i32, value: u32): void {
  store<u32>(ptr + (<usize> i << 2), value);
}

/** The length of `ptr[0..len)` without its leading zero limbs (0 for zero). */
export function norm(ptr: usize, len: i32): i32 {
  while (len > 0 && limb(ptr, len - 1) == 0) len--;
  return len;
}

export function zero(ptr: usize, len: i32): void {
  fillZero(ptr, <usize> len << 2);
}

/** Writes a u64 below 1e18 as 2 limbs at ptr; returns the normalised length. */
export function fromU64(ptr: usize, value: u64): i32 {
  setLimb(ptr, 0, <u32> (value % BASE64));
  setLimb(ptr, 1, <u32> (value / BASE64));
  return norm(ptr, 2);
}

/** Compares two normalised numbers: -1, 0 or 1. */
export function compare(a: usize, na: i32, b: usize, nb: i32): i32 {
  if (na != nb) return na < nb ? -1 : 1;
  for (let i = na - 1; i >= 0; i--) {
    const x = limb(a, i);
    const y = limb(b, i);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

/** dst[0..dn) += src[0..sn), sn <= dn; the sum must fit in dn limbs. */
export function addTo(dst: usize, dn: i32, src: usize, sn: i32): void {
  let carry: u32 = 0;
  let i = 0;
  // Branchless carries: they are random, and a mispredicted branch costs more than the add.
  for (; i < sn; i++) {
    const s = limb(dst, i) + limb(src, i) + carry;
    carry = <u32> (s >= BASE);
    setLimb(dst, i, s - (BASE & (0 - carry)));
    if ((i & LINEAR_CHUNK_MASK) == LINEAR_CHUNK_MASK) tick(LINEAR_CHUNK * 2);
  }
  for (; carry != 0 && i < dn; i++) {
    let s = limb(dst, i) + 1;
    carry = 0;
    if (s >= BASE) {
      s -= BASE;
      carry = 1;
    }
    setLimb(dst, i, s);
  }
}

/** dst[0..dn) -= src[0..sn), sn <= dn; dst must not be smaller than src. */
export function subFrom(dst: usize, dn: i32, src: usize, sn: i32): void {
  let borrow: u32 = 0;
  let i = 0;
  for (; i < sn; i++) {
    const x = limb(dst, i);
    const y = limb(src, i) + borrow;
    borrow = <u32> (x < y);
    setLimb(dst, i, x - y + (BASE & (0 - borrow)));
    if ((i & LINEAR_CHUNK_MASK) == LINEAR_CHUNK_MASK) tick(LINEAR_CHUNK * 2);
  }
  for (; borrow != 0 && i < dn; i++) {
    const x = limb(dst, i);
    borrow = 0;
    if (x == 0) {
      setLimb(dst, i, BASE - 1);
      borrow = 1;
    } else {
      setLimb(dst, i, x - 1);
    }
  }
}

/** out[0..n+1) = a[0..n) · m for m < 2^32; returns the normalised length. out may equal a. */
export function mulSmall(out: usize, a: usize, n: i32, m: u32): i32 {
  let carry: u64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <u64> limb(a, i) * m + carry;
    carry = v / BASE64;
    setLimb(out, i, <u32> (v - carry * BASE64));
    if ((i & LINEAR_CHUNK_MASK) == LINEAR_CHUNK_MASK) tick(LINEAR_CHUNK * 16);
  }
  let len = n;
  while (carry != 0) {
    setLimb(out, len++, <u32> (carry % BASE64));
    carry /= BASE64;
  }
  return norm(out, len);
}

/** a[0..n) /= d in place for 0 < d < 2^32; returns the normalised length. */
export function divSmall(a: usize, n: i32, d: u32): i32 {
  let rest: u64 = 0;
  for (let i = n - 1; i >= 0; i--) {
    const v = rest * BASE64 + limb(a, i);
    const q = v / d;
    rest = v - q * d;
    setLimb(a, i, <u32> q);
    if ((i & LINEAR_CHUNK_MASK) == LINEAR_CHUNK_MASK && i != n - 1) tick(LINEAR_CHUNK * 16);
  }
  return norm(a, n);
}

/**
 * floor(x / 1e9). A plain division: V8 turns division by a constant into a multiplication (an f64
 * estimate with a correction measured slower).
 */
export function divideByBase(x: u64): u64 {
  return x / BASE64;
}

/**
 * out[0..na+nb) = a · b when one operand has at most 4 limbs (the splitting tree's leaves and
 * lowest levels): product scanning with no scratch memory. A column holds at most 4 products
 * below 1e18 plus a carry below 4e9, so it stays below 2^64.
 */
function mulTiny(out: usize, a: usize, na: i32, b: usize, nb: i32): void {
  const n = na + nb;
  let carry: u64 = 0;
  for (let k = 0; k < n - 1; k++) {
    const first = k < nb ? 0 : k - nb + 1;
    const last = k < na ? k : na - 1;
    let total = carry;
    for (let i = first; i <= last; i++) total += <u64> limb(a, i) * <u64> limb(b, k - i);
    carry = divideByBase(total);
    setLimb(out, k, <u32> (total - carry * BASE64));
  }
  setLimb(out, n - 1, <u32> carry);
}

/**
 * out[0..na+nb) = a · b, schoolbook. The rows accumulate in u64 cells and are carried every 16 rows:
 * a carried cell is below 1e9 and each product below 1e18, so 16 products more stay below
 * 1.6e19 + 1e9 < 2^64 = 1.84e19. Rows go eight at a time and cells four at a time, so that each
 * cell is loaded and stored once per eight products: a is read at eight offsets from a copy with
 * zero limbs around it.
 */
export function mulSchoolbook(out: usize, a: usize, na: i32, b: usize, nb: i32): void {
  if (na <= 4 || nb <= 4) {
    mulTiny(out, a, na, b, nb);
    return;
  }
  const n = na + nb;
  const at = mark();
  // Three cells more than the product: the four-cell steps of the last rows run past it, adding 0.
  const acc = alloc(2 * (n + 3));
  fillZero(acc, <usize> (n + 3) << 3);
  // padded[7 + i] = a[i], zero at 0..6 and na + 7 .. na + 19.
  const padded = alloc(na + 20);
  memory.fill(padded, 0, 28);
  memory.copy(padded + 28, a, <usize> na << 2);
  memory.fill(padded + 28 + (<usize> na << 2), 0, 52);
  for (let j0 = 0; j0 < nb; j0 += 16) {
    const jEnd = j0 + 16 < nb ? j0 + 16 : nb;
    let j = j0;
    for (; j + 8 <= jEnd; j += 8) {
      const b0 = i32x4.splat(limb(b, j));
      const b1 = i32x4.splat(limb(b, j + 1));
      const b2 = i32x4.splat(limb(b, j + 2));
      const b3 = i32x4.splat(limb(b, j + 3));
      const b4 = i32x4.splat(limb(b, j + 4));
      const b5 = i32x4.splat(limb(b, j + 5));
      const b6 = i32x4.splat(limb(b, j + 6));
      const b7 = i32x4.splat(limb(b, j + 7));
      const row = acc + (<usize> j << 3);
      // Four cells at a time: one load of four limbs of a per row feeds two extmuls (cells k, k+1
      // and k+2, k+3), with two independent sums.
      for (let k = 0; k < na + 7; k += 4) {
        const from = padded + (<usize> (k + 7) << 2);
        const cell = row + (<usize> k << 3);
        let x = v128.load(from);
        let low = i64x2.extmul_low_i32x4_u(x, b0);
        let high = i64x2.extmul_high_i32x4_u(x, b0);
        x = v128.load(from - 4);
        low = i64x2.add(low, i64x2.extmul_low_i32x4_u(x, b1));
        high = i64x2.add(high, i64x2.extmul_high_i32x4_u(x, b1));
        x = v128.load(from - 8);
        low = i64x2.add(low, i64x2.extmul_low_i32x4_u(x, b2));
        high = i64x2.add(high, i64x2.extmul_high_i32x4_u(x, b2));
        x = v128.load(from - 12);
        low = i64x2.add(low, i64x2.extmul_low_i32x4_u(x, b3));
        high = i64x2.add(high, i64x2.extmul_high_i32x4_u(x, b3));
        x = v128.load(from - 16);
        low = i64x2.add(low, i64x2.extmul_low_i32x4_u(x, b4));
        high = i64x2.add(high, i64x2.extmul_high_i32x4_u(x, b4));
        x = v128.load(from - 20);
        low = i64x2.add(low, i64x2.extmul_low_i32x4_u(x, b5));
        high = i64x2.add(high, i64x2.extmul_high_i32x4_u(x, b5));
        x = v128.load(from - 24);
        low = i64x2.add(low, i64x2.extmul_low_i32x4_u(x, b6));
        high = i64x2.add(high, i64x2.extmul_high_i32x4_u(x, b6));
        x = v128.load(from - 28);
        low = i64x2.add(low, i64x2.extmul_low_i32x4_u(x, b7));
        high = i64x2.add(high, i64x2.extmul_high_i32x4_u(x, b7));
        v128.store(cell, i64x2.add(v128.load(cell), low));
        v128.store(cell, i64x2.add(v128.load(cell, 16), high), 16);
      }
    }
    for (; j < jEnd; j++) {
      const bj = limb(b, j);
      const row = acc + (<usize> j << 3);
      // Two products per step: extmul multiplies two u32 lanes into two u64 lanes.
      const bjV = i32x4.splat(bj);
      for (let i = 0; i < na; i += 2) {
        const cell = row + (<usize> i << 3);
        const product = i64x2.extmul_low_i32x4_u(
          v128.load64_zero(padded + (<usize> (i + 7) << 2)),
          bjV,
        );
        v128.store(cell, i64x2.add(v128.load(cell), product));
      }
    }
    tick((na * (jEnd - j0)) >> 2);
    let carry: u64 = 0;
    for (let k = j0; k < n && (k < na + jEnd || carry != 0); k++) {
      const cell = acc + (<usize> k << 3);
      const v = load<u64>(cell) + carry;
      carry = v / BASE64;
      store<u64>(cell, v - carry * BASE64);
    }
  }
  for (let k = 0; k < n; k++) setLimb(out, k, <u32> load<u64>(acc + (<usize> k << 3)));
  release(at);
}

/**
 * out[0..na+nb) = a · b by Karatsuba: a = a1·B^m + a0, b = b1·B^m + b0,
 * a·b = a1b1·B^2m + ((a0+a1)(b0+b1) − a0b0 − a1b1)·B^m + a0b0. Operands more than twice as long
 * as the other are cut into pieces as long as the shorter one.
 */
export function mulKaratsuba(out: usize, a: usize, na: i32, b: usize, nb: i32): void {
  if (na < nb) {
    const t = a;
    a = b;
    b = t;
    const tn = na;
    na = nb;
    nb = tn;
  }
  if (nb < KARATSUBA_MIN_LIMBS) {
    mulSchoolbook(out, a, na, b, nb);
    return;
  }
  const m = (na + 1) >> 1;
  if (nb <= m) {
    mulUnbalanced(out, a, na, b, nb);
    return;
  }
  const at = mark();
  const n = na + nb;
  mulKaratsuba(out, a, m, b, m);
  mulKaratsuba(
    out + (<usize> (2 * m) << 2),
    a + (<usize> m << 2),
    na - m,
    b + (<usize> m << 2),
    nb - m,
  );
  const sa = alloc(m + 1);
  const sb = alloc(m + 1);
  zero(sa, m + 1);
  zero(sb, m + 1);
  memory.copy(sa, a, <usize> m << 2);
  memory.copy(sb, b, <usize> m << 2);
  addTo(sa, m + 1, a + (<usize> m << 2), na - m);
  addTo(sb, m + 1, b + (<usize> m << 2), nb - m);
  const san = norm(sa, m + 1);
  const sbn = norm(sb, m + 1);
  const z1 = alloc(2 * m + 2);
  zero(z1, 2 * m + 2);
  mulKaratsuba(z1, sa, san, sb, sbn);
  subFrom(z1, 2 * m + 2, out, 2 * m);
  subFrom(z1, 2 * m + 2, out + (<usize> (2 * m) << 2), n - 2 * m);
  addTo(out + (<usize> m << 2), n - m, z1, norm(z1, 2 * m + 2));
  release(at);
}

/**
 * out[0..na+nb) = a · b for na > nb: a is cut into pieces of nb limbs, each multiplied by b with
 * Karatsuba and added in at its offset.
 */
export function mulUnbalanced(out: usize, a: usize, na: i32, b: usize, nb: i32): void {
  const at = mark();
  zero(out, na + nb);
  const piece = alloc(2 * nb);
  for (let offset = 0; offset < na; offset += nb) {
    const len = offset + nb <= na ? nb : na - offset;
    mulKaratsuba(piece, a + (<usize> offset << 2), len, b, nb);
    addTo(out + (<usize> offset << 2), na + nb - offset, piece, norm(piece, len + nb));
  }
  release(at);
}

/*
 * The native anchor of bench/pi_long.ts: pi to N decimals with GMP, the Chudnovsky series by
 * binary splitting and pi = 426880·sqrt(10005)·Q / T in integers, as src/pi/bigint_reference.ts
 * does with BigInt. Build: gcc -O2 -o gmp_chudnovsky gmp_chudnovsky.c -lgmp
 * Prints: digits, milliseconds (series, root, division and decimal text), the last ten decimals.
 */
#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const unsigned long A = 13591409, B = 545140134;

/* P, Q, T of terms [a, b); P is skipped on the right spine when want_p is 0. */
static void split(unsigned long a, unsigned long b, mpz_t p, mpz_t q, mpz_t t, int want_p) {
  if (b - a == 1) {
    if (a == 0) {
      mpz_set_ui(p, 1);
      mpz_set_ui(q, 1);
    } else {
      mpz_set_ui(p, 6 * a - 5);
      mpz_mul_ui(p, p, 2 * a - 1);
      mpz_mul_ui(p, p, 6 * a - 1);
      mpz_set_ui(q, a);
      mpz_mul_ui(q, q, a);
      mpz_mul_ui(q, q, a);
      mpz_mul_ui(q, q, 10939058860032000UL); /* 640320³ / 24 */
    }
    mpz_set_ui(t, B);
    mpz_mul_ui(t, t, a);
    mpz_add_ui(t, t, A);
    mpz_mul(t, t, p);
    if (a % 2 == 1) mpz_neg(t, t);
    return;
  }
  unsigned long m = (a + b) / 2;
  mpz_t p2, q2, t2;
  mpz_inits(p2, q2, t2, NULL);
  split(a, m, p, q, t, 1);
  split(m, b, p2, q2, t2, want_p);
  mpz_mul(t, t, q2);
  mpz_mul(t2, t2, p);
  mpz_add(t, t, t2);
  mpz_mul(q, q, q2);
  if (want_p) mpz_mul(p, p, p2);
  mpz_clears(p2, q2, t2, NULL);
}

int main(int argc, char **argv) {
  long digits = argc > 1 ? atol(argv[1]) : 1000000;
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  long precision = digits + 20;
  unsigned long terms = (unsigned long)(precision / 14.181647462725477) + 2;
  mpz_t p, q, t, root;
  mpz_inits(p, q, t, root, NULL);
  split(0, terms, p, q, t, 0);
  mpz_ui_pow_ui(root, 10, 2 * precision);
  mpz_mul_ui(root, root, 10005);
  mpz_sqrt(root, root);
  mpz_mul(q, q, root);
  mpz_mul_ui(q, q, 426880);
  mpz_tdiv_q(q, q, t);
  char *text = mpz_get_str(NULL, 10, q);
  clock_gettime(CLOCK_MONOTONIC, &end);
  double ms = (end.tv_sec - start.tv_sec) * 1e3 + (end.tv_nsec - start.tv_nsec) / 1e6;
  /* text is "3" followed by precision decimals; keep `digits` of them. */
  printf("%ld %.1f %.10s\n", digits, ms, text + 1 + digits - 10);
  free(text);
  mpz_clears(p, q, t, root, NULL);
  return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * test_stats.c - lib/stats.c against answers known without GSL: closed-form
 * moments of 1..n, hand-computed type-7 quantiles, exact binomial sums for
 * the median CI, and t distributions with 1 and 2 degrees of freedom (Cauchy
 * and a closed form) for Welch's test.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include <gsl/gsl_cdf.h>

#include "stats.h"

#define EPS 1e-9		/* values computed with a handful of flops */
#define EPS_P 1e-7		/* p values from GSL's incomplete beta */
#define N_BIG 1000000		/* a long latency run keeps this many samples */

/* x[i] = i + 1 */
static double *seq(size_t n)
{
	double *x = malloc(n * sizeof(*x));

	assert_non_null(x);
	for (size_t i = 0; i < n; i++)
		x[i] = (double)(i + 1);
	return x;
}

/* P(B <= k), B ~ Bin(n, 1/2), summed term by term: independent of GSL. */
static long double binom_half_cdf(unsigned int k, unsigned int n)
{
	long double term = powl(0.5L, n), sum = 0.0L;

	for (unsigned int i = 0; i <= k; i++) {
		sum += term;
		term = term * (n - i) / (i + 1);
	}
	return sum;
}

static double coverage_exact(unsigned int j, unsigned int n)
{
	return (double)(1.0L - 2.0L * binom_half_cdf(j - 1, n));
}

static void test_one_to_ten(void **state)
{
	double *x = seq(10);
	struct stats st;

	(void)state;
	assert_int_equal(stats_compute(x, 10, &st), 0);
	assert_int_equal(st.n, 10);
	assert_near(st.min, 1.0, EPS);
	assert_near(st.max, 10.0, EPS);
	assert_near(st.mean, 5.5, EPS);
	assert_near(st.stddev, sqrt(55.0 / 6.0), EPS); /* n(n+1)/12 */
	/* type 7: h = (n - 1) q, x(floor h) + frac(h) * next */
	assert_near(st.median, 5.5, EPS);
	assert_near(st.p10, 1.9, EPS);
	assert_near(st.p90, 9.1, EPS);
	assert_near(st.p99, 9.91, EPS);
	/* j = 2: coverage 1 - 2 * 11/1024 */
	assert_near(st.ci_lo, 2.0, EPS);
	assert_near(st.ci_hi, 9.0, EPS);
	assert_near(st.ci_level, 1.0 - 22.0 / 1024.0, EPS);
	free(x);
}

static void test_one_to_hundred(void **state)
{
	double *x = seq(100);
	struct stats st;

	(void)state;
	assert_int_equal(stats_compute(x, 100, &st), 0);
	assert_near(st.mean, 50.5, EPS);
	assert_near(st.stddev, sqrt(100.0 * 101.0 / 12.0), EPS);
	assert_near(st.median, 50.5, EPS);
	assert_near(st.p10, 10.9, EPS);
	assert_near(st.p90, 90.1, EPS);
	assert_near(st.p99, 99.01, EPS);
	assert_near(st.ci_lo, 40.0, EPS);
	assert_near(st.ci_hi, 61.0, EPS);
	assert_near(st.ci_level, 0.9647997998, 1e-9);
	free(x);
}

static void test_constant(void **state)
{
	double x[20];
	struct stats st;

	(void)state;
	for (size_t i = 0; i < 20; i++)
		x[i] = 7.25;
	assert_int_equal(stats_compute(x, 20, &st), 0);
	assert_near(st.stddev, 0.0, EPS);
	assert_near(st.mean, 7.25, EPS);
	assert_near(st.min, 7.25, EPS);
	assert_near(st.max, 7.25, EPS);
	assert_near(st.median, 7.25, EPS);
	assert_near(st.p10, 7.25, EPS);
	assert_near(st.p99, 7.25, EPS);
	assert_near(st.ci_lo, 7.25, EPS);
	assert_near(st.ci_hi, 7.25, EPS);
}

static void test_single_sample(void **state)
{
	double x = 3.5;
	struct stats st;

	(void)state;
	assert_int_equal(stats_compute(&x, 1, &st), 0);
	assert_int_equal(st.n, 1);
	assert_near(st.stddev, 0.0, EPS);
	assert_near(st.mean, 3.5, EPS);
	assert_near(st.min, 3.5, EPS);
	assert_near(st.max, 3.5, EPS);
	assert_near(st.median, 3.5, EPS);
	assert_near(st.p10, 3.5, EPS);
	assert_near(st.p90, 3.5, EPS);
	assert_near(st.p99, 3.5, EPS);
	assert_true(isnan(st.ci_lo) && isnan(st.ci_hi));
	assert_near(st.ci_level, 0.0, EPS);
}

/* Non-integer values in a scrambled order (fixed LCG, so deterministic). */
static void test_permutation_and_input_untouched(void **state)
{
	enum { N = 97 };
	double x[N], orig[N];
	struct stats a, b;
	uint32_t lcg = 12345;

	(void)state;
	for (size_t i = 0; i < N; i++)
		x[i] = 1000.0 + sin((double)i) * 333.3;
	assert_int_equal(stats_compute(x, N, &a), 0);
	for (size_t i = N - 1; i > 0; i--) {
		size_t k;
		double tmp;

		lcg = lcg * 1664525u + 1013904223u;
		k = lcg % (i + 1);
		tmp = x[i];
		x[i] = x[k];
		x[k] = tmp;
	}
	memcpy(orig, x, sizeof(x));
	assert_int_equal(stats_compute(x, N, &b), 0);
	assert_memory_equal(x, orig, sizeof(x));
	/* Exact: both runs work on the same sorted copy. */
	assert_true(a.n == b.n && a.min == b.min && a.max == b.max);
	assert_true(a.mean == b.mean && a.stddev == b.stddev);
	assert_true(a.median == b.median && a.p10 == b.p10);
	assert_true(a.p90 == b.p90 && a.p99 == b.p99);
	assert_true(a.ci_lo == b.ci_lo && a.ci_hi == b.ci_hi);
	assert_true(a.ci_level == b.ci_level);
}

static void expect_einval(const double *x, size_t n)
{
	struct stats st;

	errno = 0;
	assert_int_equal(stats_compute(x, n, &st), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_bad_input(void **state)
{
	double nan_mid[] = { 1.0, NAN, 3.0 };
	double inf_end[] = { 1.0, 2.0, INFINITY };
	double ok[] = { 1.0 };
	struct stats st;

	(void)state;
	expect_einval(ok, 0);
	expect_einval(NULL, 1);
	expect_einval(nan_mid, 3);
	expect_einval(inf_end, 3);
	errno = 0;
	assert_int_equal(stats_compute(ok, 1, NULL), -1);
	assert_int_equal(errno, EINVAL);
	/* n * sizeof(double) would overflow: refused before x is read. */
	errno = 0;
	assert_int_equal(stats_compute(ok, SIZE_MAX, &st), -1);
	assert_int_equal(errno, ENOMEM);
}

static void test_quantile_type7(void **state)
{
	const double x[] = { 1.0, 2.0, 3.0, 4.0 };

	(void)state;
	assert_near(stats_quantile_sorted(x, 4, 0.5), 2.5, EPS);
	assert_near(stats_quantile_sorted(x, 4, 0.9), 3.7, EPS);
	assert_near(stats_quantile_sorted(x, 4, 0.25), 1.75, EPS);
	assert_near(stats_quantile_sorted(x, 4, 0.0), 1.0, EPS);
	assert_near(stats_quantile_sorted(x, 4, 1.0), 4.0, EPS);
	assert_true(isnan(stats_quantile_sorted(x, 4, -0.1)));
	assert_true(isnan(stats_quantile_sorted(x, 4, 1.1)));
	assert_true(isnan(stats_quantile_sorted(x, 4, NAN)));
	assert_true(isnan(stats_quantile_sorted(x, 0, 0.5)));
}

static void test_ci_table(void **state)
{
	static const struct {
		unsigned int n, j;
		double coverage;
	} tab[] = {
		{ 6, 1, 0.96875 },	/* 1 - 2/64 */
		{ 10, 2, 0.978515625 },	/* 1 - 22/1024 */
		{ 20, 6, 0.9586105347 },	/* 1 - 2 * 21700/2^20 */
		{ 100, 40, 0.9647997998 },
	};

	(void)state;
	for (size_t t = 0; t < sizeof(tab) / sizeof(tab[0]); t++) {
		unsigned int n = tab[t].n, j = tab[t].j;
		double *x = seq(n), lo, hi, got;

		assert_int_equal(stats_median_ci(x, n, 0.95, &lo, &hi, &got),
				 0);
		assert_near(lo, (double)j, EPS);
		assert_near(hi, (double)(n - j + 1), EPS);
		assert_near(got, tab[t].coverage, 1e-9);
		assert_near(got, coverage_exact(j, n), 1e-12);
		free(x);
	}
}

static void test_ci_unavailable_and_bad_args(void **state)
{
	double *x = seq(5), lo = 0, hi = 0, got = 1;

	(void)state;
	/* n = 5: even [x(1), x(5)] covers only 1 - 2/32 = 0.9375 */
	assert_int_equal(stats_median_ci(x, 5, 0.95, &lo, &hi, &got), 0);
	assert_true(isnan(lo) && isnan(hi));
	assert_near(got, 0.0, EPS);
	/* ... which is enough at 90% */
	assert_int_equal(stats_median_ci(x, 5, 0.90, &lo, &hi, &got), 0);
	assert_near(lo, 1.0, EPS);
	assert_near(hi, 5.0, EPS);
	assert_near(got, 0.9375, EPS);

	errno = 0;
	assert_int_equal(stats_median_ci(x, 5, 1.0, &lo, &hi, &got), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(stats_median_ci(x, 5, 0.0, &lo, &hi, &got), -1);
	assert_int_equal(stats_median_ci(x, 5, NAN, &lo, &hi, &got), -1);
	assert_int_equal(stats_median_ci(x, 0, 0.95, &lo, &hi, &got), -1);
	assert_int_equal(stats_median_ci(NULL, 5, 0.95, &lo, &hi, &got), -1);
	free(x);
}

/*
 * For every n up to 300: the interval brackets the sample median, reaches
 * the level, and is the narrowest that does (one step inward falls short).
 * With x(i) = i the lower bound is j itself.
 */
static void test_ci_brackets_and_is_narrowest(void **state)
{
	enum { N_MAX = 300 };
	double *x = seq(N_MAX);

	(void)state;
	for (unsigned int n = 6; n <= N_MAX; n++) {
		struct stats st;
		unsigned int j;

		assert_int_equal(stats_compute(x, n, &st), 0);
		assert_true(st.ci_lo <= st.median && st.median <= st.ci_hi);
		assert_true(st.ci_level >= STATS_CI_LEVEL);
		j = (unsigned int)st.ci_lo;
		assert_near(st.ci_hi, (double)(n - j + 1), EPS);
		assert_near(st.ci_level, coverage_exact(j, n), 1e-9);
		if (j < n / 2)
			assert_true(coverage_exact(j + 1, n) < STATS_CI_LEVEL);
	}
	free(x);
}

/* Many samples: the normal approximation places j; GSL checks the edge. */
static void test_ci_large_n(void **state)
{
	double *x = seq(N_BIG), lo, hi, got, approx_j;
	unsigned int j;

	(void)state;
	assert_int_equal(stats_median_ci(x, N_BIG, 0.95, &lo, &hi, &got), 0);
	j = (unsigned int)lo;
	/* P(B <= j-1) <= 0.025 with continuity correction */
	approx_j = N_BIG / 2.0 + 0.5 - 1.959964 * sqrt((double)N_BIG) / 2.0;
	assert_true(fabs(j - approx_j) <= 2.0);
	assert_near(hi, (double)(N_BIG - j + 1), EPS);
	assert_true(got >= 0.95);
	assert_true(1.0 - 2.0 * gsl_cdf_binomial_P(j, 0.5, N_BIG) < 0.95);
	free(x);
}

/* Welch's t and df from the textbook formulas, written out. */
static void welch_by_hand(const double *a, size_t na, const double *b,
			  size_t nb, double *t, double *df)
{
	double ma = 0, mb = 0, va = 0, vb = 0, ea, eb;

	for (size_t i = 0; i < na; i++)
		ma += a[i] / na;
	for (size_t i = 0; i < nb; i++)
		mb += b[i] / nb;
	for (size_t i = 0; i < na; i++)
		va += (a[i] - ma) * (a[i] - ma) / (na - 1);
	for (size_t i = 0; i < nb; i++)
		vb += (b[i] - mb) * (b[i] - mb) / (nb - 1);
	ea = va / na;
	eb = vb / nb;
	*t = (ma - mb) / sqrt(ea + eb);
	*df = (ea + eb) * (ea + eb) /
	      (ea * ea / (na - 1) + eb * eb / (nb - 1));
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The selection quantiles equal the sorted ones, ties and all. */
static void test_quantiles_select(void **state)
{
	static const double q[] = { 0.0, 0.1, 0.5, 0.9, 0.99, 1.0 };
	static const size_t sizes[] = { 1, 2, 3, 7, 100, 1001, 20000 };
	double got[6];
	unsigned seed = 1;

	(void)state;
	for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		size_t n = sizes[z];
		double *x = malloc(n * sizeof(*x)), *s = malloc(n * sizeof(*s));

		assert_non_null(x);
		assert_non_null(s);
		for (size_t i = 0; i < n; i++)	/* few distinct values: ties */
			x[i] = s[i] = (double)(rand_r(&seed) % (n / 3 + 2));
		qsort(s, n, sizeof(*s), cmp_dbl);
		assert_int_equal(stats_quantiles_select(x, n, q, 6, got), 0);
		for (size_t k = 0; k < 6; k++)
			assert_true(fabs(got[k] - stats_quantile_sorted(s, n, q[k])) <
				    1e-9);
		free(x);
		free(s);
	}
	assert_int_equal(stats_quantiles_select(got, 0, q, 1, got), -1);
	assert_int_equal(stats_quantiles_select(got, 1, (double[]){ 1.5 }, 1,
						got), -1);
}

static void test_welch_known(void **state)
{
	const double a[] = { 1, 2, 3, 4, 5 }, b[] = { 2, 4, 6, 8, 10 };
	double t, df, p;

	(void)state;
	welch_by_hand(a, 5, b, 5, &t, &df);
	assert_near(t, -1.8973665961, 1e-9);	/* -3 / sqrt(2.5) */
	assert_near(df, 100.0 / 17.0, 1e-9);	/* 6.25 / 1.0625 */
	p = stats_welch_p(a, 5, b, 5);
	/* also by numerical integration of the t density (Simpson) */
	assert_near(p, 0.1075311949, EPS_P);
	assert_near(stats_welch_p(b, 5, a, 5), p, EPS);
}

/* t densities with closed-form tails: df = 2 and df = 1 (Cauchy). */
static void test_welch_closed_forms(void **state)
{
	const double a[] = { 0, 2 }, b[] = { 3, 5 }, c[] = { 4, 4, 4 };
	double t, df, want;

	(void)state;
	/* equal variances, na = nb = 2: df = 2, P(|T| > t) = 1 - t/sqrt(2+t^2) */
	welch_by_hand(a, 2, b, 2, &t, &df);
	assert_near(df, 2.0, EPS);
	want = 1.0 - fabs(t) / sqrt(2.0 + t * t);
	assert_near(stats_welch_p(a, 2, b, 2), want, EPS_P);

	/* c has no variance, so df = na - 1 = 1: t = -3 */
	welch_by_hand(a, 2, c, 3, &t, &df);
	assert_near(t, -3.0, EPS);
	assert_near(df, 1.0, EPS);
	want = 1.0 - 2.0 / M_PI * atan(3.0);
	assert_near(stats_welch_p(a, 2, c, 3), want, EPS_P);
}

static void test_welch_edges(void **state)
{
	const double a[] = { 1, 2, 3, 4, 5 }, k[] = { 4, 4, 4 };
	double sa[5], sb[5];

	(void)state;
	assert_near(stats_welch_p(a, 5, a, 5), 1.0, EPS);
	assert_true(isnan(stats_welch_p(k, 3, k, 3)));
	assert_true(isnan(stats_welch_p(a, 1, a, 5)));
	assert_true(isnan(stats_welch_p(a, 5, a, 1)));
	assert_true(isnan(stats_welch_p(NULL, 5, a, 5)));
	/* scale-free: tiny variances must not underflow the df */
	for (size_t i = 0; i < 5; i++) {
		sa[i] = a[i] * 1e-100;
		sb[i] = 2.0 * a[i] * 1e-100;
	}
	assert_near(stats_welch_p(sa, 5, sb, 5), 0.1075311949,
			   EPS_P);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_to_ten),
		cmocka_unit_test(test_one_to_hundred),
		cmocka_unit_test(test_constant),
		cmocka_unit_test(test_single_sample),
		cmocka_unit_test(test_permutation_and_input_untouched),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_quantile_type7),
		cmocka_unit_test(test_ci_table),
		cmocka_unit_test(test_ci_unavailable_and_bad_args),
		cmocka_unit_test(test_ci_brackets_and_is_narrowest),
		cmocka_unit_test(test_ci_large_n),
		cmocka_unit_test(test_quantiles_select),
		cmocka_unit_test(test_welch_known),
		cmocka_unit_test(test_welch_closed_forms),
		cmocka_unit_test(test_welch_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

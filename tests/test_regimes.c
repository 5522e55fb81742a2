// SPDX-License-Identifier: GPL-2.0
/*
 * test_regimes.c - lib/stats.c's regime detector and run-level bootstrap
 * on synthetic data with known answers: the two-regime sequence,
 * a two-regime series and a one-regime series of the same spread; A/A
 * comparisons of runs with a run-level random effect, where the
 * hierarchical bootstrap must keep false alarms at the 5% level and the
 * pooled-trials bootstrap must not.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>

#include "stats.h"

#define EPS 1e-9

/* issue 18: gup_fast_ns of 1 s trials in one process on the VM. */
static const double vm_seq[] = { 137, 224, 240, 135, 134, 130, 130, 134,
				 124, 196, 190, 192, 195 };

static void test_vm_sequence(void **state)
{
	struct regimes g;

	(void)state;
	assert_int_equal(stats_regimes(vm_seq, 13, &g), 0);
	assert_true(g.found);
	assert_int_equal(g.n_lo, 7);
	assert_int_equal(g.n_hi, 6);
	assert_near(g.med_lo, 134, EPS);
	assert_near(g.med_hi, 195.5, EPS);
	assert_near(g.gap, 53, EPS);
	assert_near(g.cut, 137, EPS);
}

/* n values: normal quantiles, mean m, sd s, in a shuffled order. */
static void normal_series(double *x, size_t n, double m, double s)
{
	for (size_t i = 0; i < n; i++)
		x[(i * 7) % n] = m + s * gsl_cdf_ugaussian_Pinv((i + 0.5) / n);
}

static void test_two_vs_one_regime(void **state)
{
	double two[20], one[20], sd;
	struct regimes g;

	(void)state;
	normal_series(two, 9, 130, 3);		/* 9 trials at 130 */
	normal_series(two + 9, 11, 195, 3);	/* 11 at 195 */
	assert_int_equal(stats_regimes(two, 20, &g), 0);
	assert_true(g.found);
	assert_int_equal(g.n_lo, 9);
	assert_int_equal(g.n_hi, 11);
	assert_near(g.med_lo, 130, 1e-6);
	assert_near(g.med_hi, 195, 1e-6);

	/* One regime with the same overall spread: silent. */
	sd = gsl_stats_sd(two, 1, 20);
	normal_series(one, 20, 165, sd);
	assert_near(gsl_stats_sd(one, 1, 20), sd, sd * 0.1);
	assert_int_equal(stats_regimes(one, 20, &g), 0);
	assert_false(g.found);
}

static void test_random_one_regime_silent(void **state)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	unsigned flagged = 0;
	double x[20];
	struct regimes g;

	(void)state;
	gsl_rng_set(rng, 18);
	for (int s = 0; s < 1000; s++) {
		for (int i = 0; i < 20; i++)
			x[i] = 100 + gsl_ran_gaussian(rng, 5);
		assert_int_equal(stats_regimes(x, 20, &g), 0);
		flagged += g.found;
	}
	gsl_rng_free(rng);
	assert_true(flagged <= 10);	/* <= 1% of normal series */
}

static void test_regime_edges(void **state)
{
	double same[8] = { 5, 5, 5, 5, 5, 5, 5, 5 }, nan_[6] = { 1, 2, NAN, 4, 5, 6 };
	struct regimes g;

	(void)state;
	assert_int_equal(stats_regimes(same, 8, &g), 0);
	assert_false(g.found);
	assert_int_equal(stats_regimes(same, 5, &g), 0);	/* too few */
	assert_false(g.found);
	assert_int_equal(stats_regimes(nan_, 6, &g), -1);
	assert_near(stats_mad_sd((double[]){ 1, 2, 3, 4, 100 }, 5), 1.4826, EPS);
}

/* A/A: nsim comparisons of 3 runs x 20 trials per side, every run with
 * its own offset (sd run_sd) and trial noise (sd 0.5): how often does the
 * CI of the change exclude 0? */
static unsigned aa_alarms(enum boot_kind kind, unsigned nsim, double run_sd)
{
	enum { NR = 3, NT = 20 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double xa[NR * NT], xb[NR * NT], lo, hi;
	size_t n[NR] = { NT, NT, NT };
	struct runs_sample a = { xa, n, NR }, b = { xb, n, NR };
	unsigned alarms = 0;

	gsl_rng_set(rng, 13);
	for (unsigned s = 0; s < nsim; s++) {
		for (int r = 0; r < NR; r++) {
			double oa = gsl_ran_gaussian(rng, run_sd);
			double ob = gsl_ran_gaussian(rng, run_sd);

			for (int t = 0; t < NT; t++) {
				xa[r * NT + t] = 100 + oa + gsl_ran_gaussian(rng, 0.5);
				xb[r * NT + t] = 100 + ob + gsl_ran_gaussian(rng, 0.5);
			}
		}
		assert_int_equal(stats_boot_ratio(&a, &b, kind, 500, s + 1, 0.95,
						  &lo, &hi), 0);
		alarms += lo > 0 || hi < 0;
	}
	gsl_rng_free(rng);
	return alarms;
}

static void test_hierarchical_aa(void **state)
{
	unsigned nsim = 200;
	unsigned hier = aa_alarms(BOOT_HIERARCHICAL, nsim, 2.0);
	unsigned pooled = aa_alarms(BOOT_POOLED, nsim, 2.0);

	(void)state;
	print_message("# A/A false alarms in %u: hierarchical %u, pooled %u\n",
		      nsim, hier, pooled);
	assert_true(hier <= nsim / 20);		/* <= 5% */
	assert_true(pooled > nsim / 20);	/* today's method fails */
}

static void test_boot_detects_change(void **state)
{
	double xa[40], xb[40], lo, hi, between, within;
	size_t n[2] = { 20, 20 };
	struct runs_sample a = { xa, n, 2 }, b = { xb, n, 2 };

	(void)state;
	normal_series(xa, 20, 100, 0.5);
	normal_series(xa + 20, 20, 100.2, 0.5);
	normal_series(xb, 20, 105, 0.5);
	normal_series(xb + 20, 20, 105.2, 0.5);
	assert_int_equal(stats_boot_ratio(&a, &b, BOOT_HIERARCHICAL, 1000, 1,
					  0.95, &lo, &hi), 0);
	assert_true(lo > 0.03 && hi < 0.07);
	stats_run_spread(&a, &between, &within);
	assert_near(between, 0.2 / sqrt(2), 1e-9);
	assert_near(within, gsl_stats_sd(xa, 1, 20), 1e-9);
	n[0] = 0;
	a.nruns = 0;
	assert_int_equal(stats_boot_ratio(&a, &b, BOOT_POOLED, 10, 1, 0.95,
					  &lo, &hi), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vm_sequence),
		cmocka_unit_test(test_two_vs_one_regime),
		cmocka_unit_test(test_random_one_regime_silent),
		cmocka_unit_test(test_regime_edges),
		cmocka_unit_test(test_hierarchical_aa),
		cmocka_unit_test(test_boot_detects_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * test_slices.c - paired slices (lib/slices.c, pool_pair_window): the ABBA
 * schedule, every worker in the schedule's mode in every slice, and the
 * paired estimators on synthetic slices with known answers, including a
 * multiplicative drift that the ratio cancels and the difference does not.
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

#include "bench.h"
#include "slices.h"
#include "workers.h"

#define EPS 1e-9
static const struct bench_pair PAIR = { .base = 0, .test = 1 };

static void test_abba(void **state)
{
	static const unsigned abba[] = { 0, 1, 1, 0, 0, 1, 1, 0 };
	struct bench_pair p = { .base = 2, .test = 5 };

	(void)state;
	for (uint64_t k = 0; k < 8; k++) {
		assert_int_equal(slice_mode(PAIR, false, k), abba[k]);
		assert_int_equal(slice_mode(PAIR, true, k), 1 - abba[k]);
		assert_int_equal(slice_mode(p, false, k), abba[k] ? 5 : 2);
	}
	/* Every adjacent pair (2j, 2j+1) holds both modes. */
	for (uint64_t j = 0; j < 100; j++)
		assert_int_not_equal(slice_mode(PAIR, false, 2 * j),
				     slice_mode(PAIR, false, 2 * j + 1));
}

/* nk slices: base costs base_ns, test test_ns, both times drift(k). */
static struct slice_sum *synth(size_t nk, double base_ns, double test_ns,
			       double (*drift)(size_t k, size_t nk))
{
	struct slice_sum *s = calloc(nk, sizeof(*s));

	assert_non_null(s);
	for (size_t k = 0; k < nk; k++) {
		double ns = slice_mode(PAIR, false, k) == PAIR.base ? base_ns : test_ns;

		s[k].mode = slice_mode(PAIR, false, k);
		s[k].ops = 1000;
		s[k].ns = (uint64_t)llround(ns * drift(k, nk) * 1000);
	}
	return s;
}

static double flat(size_t k, size_t nk)
{
	(void)k, (void)nk;
	return 1.0;
}

/* The host slows everything by up to 2x over the window, in steps. */
static double doubling(size_t k, size_t nk)
{
	return 1.0 + (double)(k / 4) / (double)(nk / 4);
}

static void test_estimate_known(void **state)
{
	struct slice_sum *s = synth(400, 100.0, 140.0, flat);
	double diff, rel;

	(void)state;
	assert_int_equal(slices_estimate(s, 400, PAIR, &diff, &rel), 200);
	assert_near(diff, 40.0, EPS);
	assert_near(rel, 0.4, EPS);
	free(s);
}

static void test_ratio_cancels_drift(void **state)
{
	struct slice_sum *s = synth(400, 100.0, 140.0, doubling);
	double diff, rel;

	(void)state;
	assert_int_equal(slices_estimate(s, 400, PAIR, &diff, &rel), 200);
	assert_near(rel, 0.4, 1e-6);		/* cancelled */
	assert_true(diff > 40.0 * 1.4);		/* scaled with the host */
	free(s);
}

static void test_median_resists_hits(void **state)
{
	struct slice_sum *s = synth(400, 100.0, 140.0, flat);
	double diff, rel;

	(void)state;
	/* An interrupt storm in a few slices of each mode. */
	for (size_t k = 0; k < 400; k += 37)
		s[k].ns *= 5;
	slices_estimate(s, 400, PAIR, &diff, &rel);
	assert_near(diff, 40.0, EPS);
	assert_near(rel, 0.4, EPS);
	free(s);
}

static void test_missing_slices(void **state)
{
	struct slice_sum *s = synth(10, 100.0, 150.0, flat);
	double diff, rel;

	(void)state;
	s[1].ops = 0;	/* pair 0 incomplete: left out */
	s[9].ops = 0;	/* pair 4 too */
	assert_int_equal(slices_estimate(s, 10, PAIR, &diff, &rel), 3);
	assert_near(rel, 0.5, EPS);
	for (size_t k = 0; k < 10; k++)
		s[k].ops = 0;
	assert_int_equal(slices_estimate(s, 10, PAIR, &diff, &rel), 0);
	assert_true(isnan(diff) && isnan(rel));
	assert_true(isnan(slice_ns_per_op(&s[0])));
	free(s);
}

static void test_sum_by_slice(void **state)
{
	const struct slice_rec w0[] = { { 0, 10, 100 }, { 1, 10, 200 }, { 2, 10, 200 } };
	const struct slice_rec w1[] = { { 1, 5, 100 }, { 2, 5, 100 }, { 7, 1, 1 } };
	const struct slice_rec *recs[] = { w0, w1 };
	size_t n[] = { 3, 3 };
	struct slice_sum s[3];

	(void)state;
	slices_sum(recs, n, 2, PAIR, false, s, 3);	/* k = 7 is past nk */
	assert_int_equal(s[0].ops, 10);
	assert_int_equal(s[1].ops, 15);
	assert_int_equal(s[1].ns, 300);
	assert_int_equal(s[1].mode, 1);
	assert_near(slice_ns_per_op(&s[2]), 20.0, EPS);
}

static void test_slice_ops(void **state)
{
	(void)state;
	assert_int_equal(slice_ops_for(500000, 250.0), 2000);
	assert_int_equal(slice_ops_for(500000, NAN), SLICE_FIRST_OPS);
	assert_int_equal(slice_ops_for(10000, 1e9), SLICE_MIN_OPS);
}

/* A benchmark that logs the mode each op ran in, per slice index. */
#define LOG_MAX (1u << 22)
#define NWORKERS 2
static uint32_t logk[NWORKERS][LOG_MAX];
static uint8_t logm[NWORKERS][LOG_MAX];
static size_t nlog[NWORKERS];

static void log_loop(struct worker *w)
{
	while (worker_running(w)) {
		if (nlog[w->id] < LOG_MAX) {
			logk[w->id][nlog[w->id]] = (uint32_t)worker_slice(w);
			logm[w->id][nlog[w->id]++] = (uint8_t)w->mode;
		}
		for (volatile int i = 0; i < 50; i++)
			;
		worker_tick(w);
	}
}

static const struct bench log_bench = {
	.name = "slice-log",
	.kind = BENCH_THROUGHPUT,
	.modes = { { "a", "base", false }, { "b", "test", false } },
	.pair = { .base = 0, .test = 1 },
	.loop = log_loop,
};

static void test_workers_follow_schedule(void **state)
{
	static const int pus[NWORKERS] = { -1, -1 };
	struct point pt = { .bench = &log_bench, .nthreads = NWORKERS, .pus = pus };
	struct mode_result res[2];
	struct pair_info info;
	struct pool *pool;
	char err[256];

	(void)state;
	assert_int_equal(pool_start(&pt, &pool, err, sizeof(err)), BENCH_OK);
	/* Two windows: the second starts on a later index, BAAB. */
	for (int win = 0; win < 2; win++) {
		memset(nlog, 0, sizeof(nlog));
		assert_int_equal(pool_pair_window(pool, log_bench.pair, win, 20000,
						  1000000, 20000000, NULL, res,
						  &info, err, sizeof(err)), 0);
		assert_true(info.nk >= 1 && nlog[0] > 0);
		/* The leader starts the window on its first index. */
		for (unsigned w = 0; w < NWORKERS; w++) {
			for (size_t i = 0; i < nlog[w]; i++) {
				uint64_t rel = logk[w][i] - logk[0][0];

				assert_int_equal(logm[w][i],
						 slice_mode(log_bench.pair, win, rel));
			}
		}
		assert_true(res[1].paired);
		free(info.sums);
	}
	pool_stop(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abba),
		cmocka_unit_test(test_estimate_known),
		cmocka_unit_test(test_ratio_cancels_drift),
		cmocka_unit_test(test_median_resists_hits),
		cmocka_unit_test(test_missing_slices),
		cmocka_unit_test(test_sum_by_slice),
		cmocka_unit_test(test_slice_ops),
		cmocka_unit_test(test_workers_follow_schedule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * test_slices.c - paired slices (lib/slices.c, pool_pair_window): the ABBA
 * schedule, every worker in the schedule's mode in every slice, and the
 * paired estimators on synthetic slices with known answers, including a
 * multiplicative drift that the ratio cancels and the difference does not.
 * Latency pairs too: calls in slices, every caller in the knob's mode and
 * none inside a call while the leader switches it.
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

/* ---- latency pairs: calls in slices ------------------------------------ */

static void test_lat_slice_end(void **state)
{
	(void)state;
	/* One call always; then the leader's call time reaches the target. */
	assert_false(slice_lat_done(0, 1000000, 150000));
	assert_true(slice_lat_done(1, 8000000, 150000));  /* a normal GP */
	assert_false(slice_lat_done(3, 149999, 150000));
	assert_true(slice_lat_done(30, 150000, 150000));
}

/*
 * Per-call pairs: base slices of one call, test slices of a batch of
 * calls, the host's speed doubling over the window.  Each slice is one
 * worker's record, summed as pool_pair_window() sums them.
 */
static void test_lat_pairs_drift(void **state)
{
	enum { NK = 200 };
	struct slice_rec recs[NK];
	const struct slice_rec *rp[] = { recs };
	size_t n[] = { NK };
	struct slice_sum sums[NK];
	double diff, rel;

	(void)state;
	for (size_t k = 0; k < NK; k++) {
		bool base = slice_mode(PAIR, true, k) == PAIR.base;
		uint64_t calls = base ? 1 : 40;	/* 8 ms vs 40 x 5 us */
		double ns = (base ? 8e6 : 5e3) * doubling(k, NK);

		recs[k] = (struct slice_rec){ k, calls, (uint64_t)llround(ns * calls) };
	}
	slices_sum(rp, n, 1, PAIR, true, sums, NK);
	assert_int_equal(sums[0].mode, PAIR.test);	/* BAAB */
	assert_int_equal(slices_estimate(sums, NK, PAIR, &diff, &rel), NK / 2);
	assert_near(rel, 5e3 / 8e6 - 1, 1e-9);		/* cancelled */
	assert_true(diff < (5e3 - 8e6) * 1.4);		/* scaled with the host */
}

/*
 * A latency benchmark whose mode_enter() is a knob every call must see:
 * each call checks that the knob holds its worker's mode and counts the
 * callers inside; mode_enter() checks that none is.  Violations are
 * counted on the workers' threads and asserted on the main one.
 */
static volatile unsigned knob;
static volatile int inflight;
static int bad_mode, bad_enter, enters;
static size_t lat_calls[NWORKERS][2];

static int lat_op(struct worker *w)
{
	__atomic_add_fetch(&inflight, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&knob, __ATOMIC_SEQ_CST) != w->mode)
		__atomic_add_fetch(&bad_mode, 1, __ATOMIC_RELAXED);
	for (volatile int i = 0; i < 2000; i++)
		;
	if (w->id < NWORKERS && w->mode < 2)
		lat_calls[w->id][w->mode]++;
	__atomic_sub_fetch(&inflight, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static int lat_enter(struct point *pt, unsigned mode)
{
	(void)pt;
	if (__atomic_load_n(&inflight, __ATOMIC_SEQ_CST))
		bad_enter++;
	enters++;
	__atomic_store_n(&knob, mode, __ATOMIC_SEQ_CST);
	return BENCH_OK;
}

static const struct bench lat_bench = {
	.name = "slice-lat",
	.kind = BENCH_LATENCY,
	.modes = { { "a", "base", false }, { "b", "test", false } },
	.pair = { .base = 0, .test = 1 },
	.op = lat_op,
	.mode_enter = lat_enter,
};

static void test_lat_workers_share_mode(void **state)
{
	static const int pus[NWORKERS] = { -1, -1 };
	struct point pt = { .bench = &lat_bench, .nthreads = NWORKERS, .pus = pus };
	struct mode_result res[2];
	struct pair_info info;
	struct pool *pool;
	char err[256];

	(void)state;
	assert_int_equal(pool_start(&pt, &pool, err, sizeof(err)), BENCH_OK);
	for (int win = 0; win < 2; win++) {
		uint64_t ops[2] = { 0, 0 };

		bad_mode = bad_enter = enters = 0;
		assert_int_equal(pool_pair_window(pool, lat_bench.pair, win, 20000,
						  1000000, 20000000, NULL, res,
						  &info, err, sizeof(err)), 0);
		assert_int_equal(bad_mode, 0);
		assert_int_equal(bad_enter, 0);
		assert_true(enters >= 2 && info.nk >= 2);
		/* Every recorded call is one sample of its slice's mode. */
		for (size_t k = 0; k < info.nk; k++) {
			assert_int_equal(info.sums[k].mode,
					 slice_mode(lat_bench.pair, win, k));
			ops[info.sums[k].mode == lat_bench.pair.test] += info.sums[k].ops;
		}
		assert_int_equal(info.nsamples[0], ops[0]);
		assert_int_equal(info.nsamples[1], ops[1]);
		assert_int_equal(res[0].ops, ops[0]);
		assert_int_equal(res[1].ops, ops[1]);
		assert_true(ops[0] > 0 && ops[1] > 0 && res[1].paired);
		assert_true(res[1].pair_n > 0);
		free(info.sums), free(info.samples[0]), free(info.samples[1]);
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
		cmocka_unit_test(test_lat_slice_end),
		cmocka_unit_test(test_lat_pairs_drift),
		cmocka_unit_test(test_lat_workers_share_mode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

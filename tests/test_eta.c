// SPDX-License-Identifier: GPL-2.0
/*
 * test_eta.c - the time model, its learning and --budget (lib/eta.c) on
 * hand-built runs with synthetic timings: nothing is measured or timed
 * (the "elapsed" time is set by moving the start back).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eta.h"
#include "run.h"
#include "workers.h"

#define NPOINTS 3
#define MS 1000000ull

static const struct metric_spec fake_metrics[] = {
	{ .name = "x_ns", .unit = "ns", .better = BETTER_LOWER, .headline = true },
	{ .name = "y", .unit = "1", .better = BETTER_NONE },
};

static const struct bench fake_bench = {
	.name = "fake",
	.kind = BENCH_THROUGHPUT,
	.modes = {
		{ "a", "timed", false },
		{ "b", "timed", false },
		{ "p", "proof only", true },
	},
	METRIC_TABLE(fake_metrics),
	.time = { .round_s = 0.5, .proof_s = 2.0 },
};

static struct run_point points[NPOINTS];

/* Three points of two timed modes (and a proof-only one), 100 ms windows
 * after 50 ms warm-ups, 10 trials. */
static void fake_run(struct run *r)
{
	memset(r, 0, sizeof(*r));
	memset(points, 0, sizeof(points));
	r->b = &fake_bench;
	r->nmodes = 3;
	r->nmeasured = 2;
	r->trials = 10;
	r->npoints = NPOINTS;
	r->points = points;
	r->rc.duration_ns = 100 * MS;
	r->rc.warmup_ns = 50 * MS;
	r->rc.interleave = INTERLEAVE_WINDOWS;
	for (size_t i = 0; i < NPOINTS; i++) {
		points[i].status = POINT_NOT_RUN;
		points[i].rc = r->rc;
	}
}

/* The model adds up what it says it adds up. */
static void test_model_parts(void **state)
{
	struct run r;
	struct eta_model m;
	double win = 0.15, trial, proof;

	(void)state;
	fake_run(&r);
	trial = eta_point_trial_s(&r, 0);
	proof = eta_point_proof_s(&r, 0);
	/* Two windows, the harness's costs, the benchmark's 0.5 s. */
	assert_true(trial > 2 * win + 0.5 && trial < 2 * win + 0.5 + 0.1);
	/* Every mode once (the proof-only one too), plus its 2 s. */
	assert_true(proof > 3 * win + 2.0 && proof < 3 * win + 2.0 + 0.1);
	eta_model(&r, &m);
	assert_true(fabs(m.per_trial_s - NPOINTS * trial) < 1e-9);
	assert_true(fabs(m.proof_s - NPOINTS * proof) < 1e-9);
	assert_int_equal(m.trials, 10);
	assert_true(fabs(eta_model_total(&m, 10) -
			 (m.fixed_s + m.proof_s + 10 * m.per_trial_s)) < 1e-9);
	/* One figure per metric with a direction: 2 per mode + x_ns + the
	 * two IPI figures. */
	assert_int_equal(m.figures, 2 * 2 + 1 + 2);
	/* A skipped point costs nothing. */
	points[1].status = BENCH_SKIP;
	eta_model(&r, &m);
	assert_true(fabs(m.per_trial_s - 2 * trial) < 1e-9);
	/* Before anything ran, the estimate is the model's (less the start). */
	points[1].status = POINT_NOT_RUN;
	eta_model(&r, &m);
	assert_true(fabs(eta_left_s(&r) - (eta_model_total(&m, 10) -
					   ETA_START_S)) < 1e-6);
}

/* At each progress line the estimate takes the pace of the trials so
 * far: a machine five times as slow as the model makes the rest five
 * times as long; after a round at 2x, the pace over both. */
static void test_learning(void **state)
{
	struct run r;
	double trial, proof, left, want;
	uint64_t now;

	(void)state;
	fake_run(&r);
	trial = eta_point_trial_s(&r, 0);
	proof = eta_point_proof_s(&r, 0);
	eta_begin(&r);
	assert_true(fabs(eta_progress(&r) - eta_left_s(&r)) < 1e-9);
	r.eta.mark_t = 0;	/* as if round 1 began with the trials */
	/* Round 1: every proof and one trial of every point; the proofs
	 * took 3x the model, the trials 5x (one-time costs). */
	for (size_t i = 0; i < NPOINTS; i++) {
		snprintf(points[i].verdict, sizeof(points[i].verdict), "ok");
		points[i].ntrials = 1;
		eta_proof_done(&r, i);
		eta_trial_done(&r, i);
	}
	r.time.proof = r.eta.proof0 + (uint64_t)(3 * NPOINTS * proof * 1e9);
	r.eta.t0 = now_ns() - (uint64_t)((3 * NPOINTS * proof +
					   5 * NPOINTS * trial) * 1e9);
	left = eta_progress(&r);
	want = 5 * 9 * NPOINTS * trial;	/* nine trials each, at 5x */
	assert_true(left > want && left < want + 1.0);
	/* Round 2 at 2x the model: the pace over both rounds, 3.5x. */
	for (size_t i = 0; i < NPOINTS; i++) {
		points[i].ntrials = 2;
		eta_trial_done(&r, i);
	}
	now = now_ns();
	r.eta.mark_t = now - (uint64_t)(2 * NPOINTS * trial * 1e9);
	left = eta_progress(&r);
	want = 3.5 * 8 * NPOINTS * trial;
	assert_true(left > want && left < want + 1.0);
	assert_true(fabs(eta_left_s(&r) - left) < 0.01);
	/* A pending proof is scaled by the proofs' own pace (3x). */
	points[2].verdict[0] = 0;
	assert_true(eta_left_s(&r) - left > 3 * proof - 0.01 &&
		    eta_left_s(&r) - left < 3 * proof + 0.01);
	/* All done: only the end is left. */
	for (size_t i = 0; i < NPOINTS; i++) {
		points[i].ntrials = 10;
		snprintf(points[i].verdict, sizeof(points[i].verdict), "ok");
	}
	assert_true(eta_left_s(&r) < 1.0);
}

/* A first round whose point setups took 10 s once (memory first
 * populated) and whose trials ran at 2x: the rest is estimated at 2x, the
 * 10 s not repeated. */
static void test_one_time_setup(void **state)
{
	struct run r;
	double trial, left, want;

	(void)state;
	fake_run(&r);
	trial = eta_point_trial_s(&r, 0);
	eta_begin(&r);
	eta_progress(&r);	/* round 1's line: nothing to learn yet */
	for (size_t i = 0; i < NPOINTS; i++) {
		snprintf(points[i].verdict, sizeof(points[i].verdict), "ok");
		points[i].ntrials = 1;
		eta_trial_done(&r, i);
	}
	r.time.point_setup = r.eta.setup0 + 10000000000ull;
	r.eta.mark_t = now_ns() - (uint64_t)((10.0 + 2 * NPOINTS * trial) * 1e9);
	left = eta_progress(&r);
	want = 2 * 9 * NPOINTS * trial;
	assert_true(left > want && left < want * 1.05 + 0.2);
}

/* --budget: trials first, down to the statistics' minimum, then shorter
 * windows down to a third; never more trials than asked. */
static void test_budget(void **state)
{
	struct run r;
	struct eta_model m;
	double full, b5;

	(void)state;
	fake_run(&r);
	eta_model(&r, &m);
	full = eta_model_total(&m, 10);

	/* Room for everything: nothing changes. */
	eta_fit(&r, full + 10, 6);
	assert_int_equal(r.trials, 10);
	assert_int_equal(r.rc.duration_ns, 100 * MS);
	assert_int_equal(r.budget.want, 10);
	assert_true(fabs(r.budget.want_s - full) < 1e-9);

	/* Room for 8 trials. */
	fake_run(&r);
	eta_fit(&r, eta_model_total(&m, 8) + 0.01, 6);
	assert_int_equal(r.trials, 8);
	assert_int_equal(r.rc.duration_ns, 100 * MS);
	for (size_t i = 0; i < NPOINTS; i++)
		assert_int_equal(r.points[i].rc.trials, 8);

	/* Less than 6 trials' worth: 6 trials, shorter windows that fit. */
	fake_run(&r);
	b5 = eta_model_total(&m, 5);
	eta_fit(&r, b5, 6);
	assert_int_equal(r.trials, 6);
	assert_true(r.rc.duration_ns < 100 * MS);
	assert_true(r.rc.duration_ns >= 50 * MS);
	assert_true(r.points[2].rc.duration_ns == r.rc.duration_ns);
	assert_true(r.rc.warmup_ns < 50 * MS);
	eta_model(&r, &m);
	assert_true(eta_model_total(&m, 6) <= b5);	/* it fits */

	/* Far too little: the floors hold (6 trials, windows >= 50 ms), and
	 * the note warns. */
	fake_run(&r);
	eta_fit(&r, 0.5, 6);
	assert_int_equal(r.trials, 6);
	assert_true(r.rc.duration_ns >= 50 * MS);
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		r.rc.budget_ns = 500 * MS;
		eta_budget_note(&r, f);
		fclose(f);
		assert_non_null(strstr(buf, "WARNING"));
		assert_non_null(strstr(buf, "6 trials"));
		free(buf);
	}

	/* Asked for fewer trials than the minimum: never more than asked. */
	fake_run(&r);
	r.trials = 3;
	eta_fit(&r, 0.5, 6);
	assert_int_equal(r.trials, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_parts),
		cmocka_unit_test(test_learning),
		cmocka_unit_test(test_one_time_setup),
		cmocka_unit_test(test_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

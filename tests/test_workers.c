// SPDX-License-Identifier: GPL-2.0
/*
 * test_workers.c - the worker pool's contract with a benchmark
 * (lib/workers.c): per-worker state of .worker_priv_size allocated zeroed
 * before worker_setup(), reachable through point_worker_priv() while the
 * workers exist, released after worker_teardown(); and every worker's
 * counter alone in its cache line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "bench.h"
#include "workers.h"

#define NMEAS 2
#define NBG 1
#define NW (NMEAS + NBG)

/* Bigger than a cache line, so "zeroed" means more than one word. */
struct fake_wpriv {
	unsigned magic;
	char bytes[4096];
};

/* What the workers saw, checked on the main thread (a cmocka assert
 * must not fail on another thread). */
static void *seen_priv[NW];
static bool seen_zeroed[NW], seen_aligned[NW];
static unsigned torn_down, fail_id = NW;

static int fake_worker_setup(struct point *pt, struct worker *w)
{
	static const struct fake_wpriv zero;
	struct fake_wpriv *fp = w->priv;

	(void)pt;
	seen_priv[w->id] = fp;
	seen_aligned[w->id] = (uintptr_t)&w->count % CACHELINE == 0;
	if (fp) {
		seen_zeroed[w->id] = !memcmp(fp, &zero, sizeof(zero));
		fp->magic = w->id + 1;
	}
	return w->id == fail_id ? BENCH_SKIP : BENCH_OK;
}

static void fake_loop(struct worker *w)
{
	while (worker_running(w))
		worker_tick(w);
}

static void fake_worker_teardown(struct point *pt, struct worker *w)
{
	(void)pt;
	(void)w;
	__atomic_fetch_add(&torn_down, 1, __ATOMIC_RELAXED);
}

static const struct bench with_priv = {
	.name = "fake-priv",
	.kind = BENCH_THROUGHPUT,
	.modes = { { "a", "the only mode", false } },
	.worker_priv_size = sizeof(struct fake_wpriv),
	.worker_setup = fake_worker_setup,
	.loop = fake_loop,
	.bg_loop = fake_loop,
	.worker_teardown = fake_worker_teardown,
};

static const struct bench without_priv = {
	.name = "fake-nopriv",
	.kind = BENCH_THROUGHPUT,
	.modes = { { "a", "the only mode", false } },
	.worker_setup = fake_worker_setup,
	.loop = fake_loop,
	.bg_loop = fake_loop,
	.worker_teardown = fake_worker_teardown,
};

static const int pus[NW] = { -1, -1, -1 };

/* pool_start() notes the futex hash: the point's notes are the test's. */
static void free_notes(struct point *pt)
{
	while (pt->notes) {
		struct note *n = pt->notes;

		pt->notes = n->next;
		free(n);
	}
}

static void reset(unsigned fail)
{
	memset(seen_priv, 0, sizeof(seen_priv));
	memset(seen_zeroed, 0, sizeof(seen_zeroed));
	memset(seen_aligned, 0, sizeof(seen_aligned));
	torn_down = 0;
	fail_id = fail;
}

static void test_priv_allocated(void **state)
{
	struct point pt = { .bench = &with_priv, .nthreads = NMEAS, .nbg = NBG,
			    .pus = pus };
	struct mode_result res;
	struct pool *pool;
	char err[256];

	(void)state;
	reset(NW);
	assert_null(point_worker_priv(&pt, 0));	/* no workers yet */
	assert_int_equal(pool_start(&pt, &pool, err, sizeof(err)), BENCH_OK);
	for (unsigned i = 0; i < NW; i++) {
		struct fake_wpriv *fp = point_worker_priv(&pt, i);

		assert_non_null(seen_priv[i]);
		assert_true(seen_zeroed[i]);
		assert_true(seen_aligned[i]);
		assert_ptr_equal(fp, seen_priv[i]);
		assert_int_equal(fp->magic, i + 1);
		for (unsigned j = 0; j < i; j++)
			assert_ptr_not_equal(seen_priv[j], seen_priv[i]);
	}
	assert_null(point_worker_priv(&pt, NW));
	/* A window runs with it (how many ops it gets is timing: not
	 * tested). */
	assert_int_equal(pool_window(pool, 0, 0, 2000000, NULL, NULL, &res,
				     NULL, NULL, err, sizeof(err)), 0);
	pool_stop(pool);
	assert_int_equal(torn_down, NW);
	assert_null(point_worker_priv(&pt, 0));	/* workers gone */
	free_notes(&pt);
}

static void test_no_priv(void **state)
{
	struct point pt = { .bench = &without_priv, .nthreads = NMEAS,
			    .nbg = NBG, .pus = pus };
	struct pool *pool;
	char err[256];

	(void)state;
	reset(NW);
	assert_int_equal(pool_start(&pt, &pool, err, sizeof(err)), BENCH_OK);
	for (unsigned i = 0; i < NW; i++) {
		assert_null(seen_priv[i]);
		assert_null(point_worker_priv(&pt, i));
	}
	pool_stop(pool);
	assert_int_equal(torn_down, NW);
	free_notes(&pt);
}

/* A worker whose setup fails gets no teardown; the harness still frees
 * its state (built with -fsanitize=address, this file leaks nothing). */
static void test_failed_setup(void **state)
{
	struct point pt = { .bench = &with_priv, .nthreads = NMEAS, .nbg = NBG,
			    .pus = pus };
	struct pool *pool;
	char err[256];

	(void)state;
	reset(1);
	assert_int_equal(pool_start(&pt, &pool, err, sizeof(err)), BENCH_SKIP);
	pool_stop(pool);
	assert_int_equal(torn_down, NW - 1);
	free_notes(&pt);
}

static void test_counter_alone(void **state)
{
	(void)state;
	assert_int_equal(offsetof(struct worker, count), 0);
	assert_int_equal(offsetof(struct worker, id), CACHELINE);
	assert_int_equal(sizeof(struct worker) % CACHELINE, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_priv_allocated),
		cmocka_unit_test(test_no_priv),
		cmocka_unit_test(test_failed_setup),
		cmocka_unit_test(test_counter_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

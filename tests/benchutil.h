/* SPDX-License-Identifier: GPL-2.0 */
/*
 * benchutil.h - a benchmark's data point as the harness makes it, for the
 * tests that reach a benchmark only through its descriptor (bench_find(),
 * lib/bench.h): options parsed from argv with the descriptor's own table
 * into a conf_size config, priv_size bytes zeroed, and counters that say
 * supported (counters_fake) so derive() and verify() can be fed hand-made
 * deltas.  Include after <cmocka.h>; link the bench/ objects.
 */
#ifndef GUPSYNC_BENCHUTIL_H
#define GUPSYNC_BENCHUTIL_H

#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "counters.h"
#include "options.h"

/* The registered benchmark called name; fails the test if none is. */
static inline const struct bench *test_bench(const char *name)
{
	const struct bench *b = bench_find(name);

	if (!b)
		fail_msg("no benchmark %s registered", name);
	return b;
}

/* Index of the mode called name in b->modes; fails the test if none. */
static inline unsigned test_mode(const struct bench *b, const char *name)
{
	for (unsigned m = 0; m < BENCH_MAX_MODES && b->modes[m].name; m++)
		if (!strcmp(b->modes[m].name, name))
			return m;
	fail_msg("%s has no mode %s", b->name, name);
	return 0;
}

/* *pt: a point of b with nthreads measured and nbg background workers,
 * its options from argv[0..argc) (the defaults for the rest), as the
 * harness's opt_parse() and opt_apply() would give its first point. */
static inline void test_point(struct point *pt, const struct bench *b,
			      unsigned nthreads, unsigned nbg,
			      int argc, char *const argv[])
{
	static struct opt_set set;
	const struct opt_spec *tables[] = { b->opts };
	void *conf = calloc(1, b->conf_size ? b->conf_size : 1);
	void *confs[] = { conf };
	char err[512];
	bool help = false;

	assert_non_null(conf);
	*pt = (struct point){ .bench = b, .conf = conf, .nthreads = nthreads,
			      .nbg = nbg };
	pt->priv = calloc(1, b->priv_size ? b->priv_size : 1);
	assert_non_null(pt->priv);
	if (!b->opts) {
		assert_int_equal(argc, 0);
		return;
	}
	if (opt_parse(tables, 1, argc, argv, &set, &help, err, sizeof(err)) < 0)
		fail_msg("%s: %s", b->name, err);
	assert_false(help);
	opt_apply(&set, 0, confs);
}

/* Fake counters for pt: the benchmark's own (b->counters) and extra ones
 * (NULL-terminated), in that order: delta[i] is the i-th of them. */
static inline void test_point_counters(struct point *pt, const char *const *extra)
{
	const char *specs[2 * BENCH_MAX_COUNTERS];
	size_t n = 0;

	for (size_t i = 0; i < BENCH_MAX_COUNTERS && pt->bench->counters[i]; i++)
		specs[n++] = pt->bench->counters[i];
	for (size_t i = 0; extra && extra[i] && n < BENCH_MAX_COUNTERS; i++)
		specs[n++] = extra[i];
	counters_close(pt->ctr);
	pt->ctr = counters_fake(specs, n);
	assert_non_null(pt->ctr);
}

/* Index of spec in pt's counters (delta[]); fails the test if absent. */
static inline int test_counter(const struct point *pt, const char *spec)
{
	int i = point_counter(pt, spec);

	if (i < 0)
		fail_msg("counter %s not in the point's set", spec);
	return i;
}

static inline void test_point_free(struct point *pt)
{
	while (pt->notes) {
		struct note *n = pt->notes;

		pt->notes = n->next;
		free(n);
	}
	counters_close(pt->ctr);
	free((void *)pt->conf);
	free(pt->priv);
	memset(pt, 0, sizeof(*pt));
}

#endif

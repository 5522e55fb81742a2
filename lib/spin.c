// SPDX-License-Identifier: GPL-2.0
/* spin.c - calibrated user-space spinning; see spin.h. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "spin.h"

#define CALIB_ITERS 2000000	/* one long spin: the cost of an iteration */
#define CALIB_CALLS 200000	/* short spins in a row: the cost of a call */
#define CALIB_TRIES 5		/* the fastest try: preemption only adds */

__attribute__((noinline)) void spin(uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		__asm__ volatile("" ::: "memory");
}

/* ns per round, the fastest of CALIB_TRIES: each round calls spin(iters),
 * or (call false) is an empty round, the loop alone. */
static double calib_ns(uint64_t iters, uint64_t rounds, bool call)
{
	double best = INFINITY;

	for (int t = 0; t < CALIB_TRIES; t++) {
		struct timespec a, b;

		/* Cannot fail: spin_calibrate() checked the clock. */
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (uint64_t r = 0; r < rounds; r++)
			if (call)
				spin(iters);
			else
				__asm__ volatile("" ::: "memory");
		clock_gettime(CLOCK_MONOTONIC, &b);
		best = fmin(best, (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec));
	}
	return best / (double)rounds;
}

/*
 * spin() iterations that add ns nanoseconds to each call, on this CPU:
 * first from one long spin, then scaled by what a call of that many
 * costs over an empty round (a short loop pays for its entry and exit).
 */
int spin_calibrate(struct point *pt, struct worker *w, uint64_t ns,
		   uint64_t *iters)
{
	struct timespec probe;
	double each, got;
	char key[32];

	if (clock_gettime(CLOCK_MONOTONIC, &probe) < 0)
		return point_skip(pt, "clock_gettime(CLOCK_MONOTONIC): %s",
				  strerror(errno));
	each = calib_ns(CALIB_ITERS, 1, true) / CALIB_ITERS;
	*iters = (uint64_t)llround((double)ns / each);
	got = calib_ns(*iters, CALIB_CALLS, true) - calib_ns(0, CALIB_CALLS, false);
	if (got > 0)
		*iters = (uint64_t)llround((double)*iters * (double)ns / got);
	got = calib_ns(*iters, CALIB_CALLS, true) - calib_ns(0, CALIB_CALLS, false);
	snprintf(key, sizeof(key), "extra_ns_worker%u", w->id);
	point_note(pt, key, "%llu ns after every call = %llu spin iterations "
		   "(%.3f ns each in a long spin; a call measured %.1f ns)",
		   (unsigned long long)ns, (unsigned long long)*iters, each, got);
	return BENCH_OK;
}

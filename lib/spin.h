/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spin.h - a known slowdown: user-space spinning calibrated in ns, for a
 * benchmark's calibration option (an --extra-ns N that follows every
 * call with N ns of spinning, to check that `gupsync compare` detects a
 * change of that size).  The spin count is calibrated against
 * CLOCK_MONOTONIC once per worker, on its own CPU (vCPUs can run at
 * different speeds), so the loop itself reads no clock.
 */
#ifndef GUPSYNC_SPIN_H
#define GUPSYNC_SPIN_H

#include <stdint.h>

#include "bench.h"

/* User-space work the compiler cannot drop: one iteration per cycle or
 * so.  Not inlined, so that the calibration times what the loop runs. */
void spin(uint64_t iters);

/*
 * From worker_setup(), on the worker's CPU: the spin() iterations that add
 * ns nanoseconds to each call there, in *iters, with how they were found
 * noted for the point ("extra_ns_workerN").  BENCH_OK, or the point
 * skipped (no CLOCK_MONOTONIC).
 */
int spin_calibrate(struct point *pt, struct worker *w, uint64_t ns,
		   uint64_t *iters);

#endif

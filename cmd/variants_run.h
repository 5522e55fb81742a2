/* SPDX-License-Identifier: GPL-2.0 */
/*
 * variants_run.h - the run mode of `gupsync variants` (see variants.h):
 * with no run directory given, run ipi-broadcast and rcu-wait briefly
 * over n = 0..N-1 busy other CPUs into OUTPUT/variants-DATE/, then print
 * the report of those runs on stdout.
 */
#ifndef GUPSYNC_VARIANTS_RUN_H
#define GUPSYNC_VARIANTS_RUN_H

#include "variants.h"

/*
 * Both runs with the selection sel under directory out; extra[0..nextra)
 * are the user's harness options (--name=value), given to both runs and
 * replacing ours of the same name.  Returns the exit status: 0, 1,
 * EXIT_USAGE, or EXIT_SKIP when both runs skipped every point.
 */
int vt_run_mode(const struct variants_sel *sel, const char *out,
		char **extra, int nextra);

#endif

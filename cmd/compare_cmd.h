/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compare_cmd.h - the command layer of `gupsync compare` and `gupsync
 * report`: their arguments and the loading of the runs, shared by both,
 * and `gupsync compare` itself (cmd_compare(), declared in compare.h).
 * The statistics and the table are in compare.c, the cover letter of
 * `gupsync report` in report.c.
 */
#ifndef GUPSYNC_COMPARE_CMD_H
#define GUPSYNC_COMPARE_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "compare.h"
#include "rundir.h"

#define CMP_MAX_RUNS 32		/* runs in all, one side or two */

struct cmp_args {
	struct cmp_opts o;
	const char *paths[CMP_MAX_RUNS];
	size_t n;
	/* Replication: two sides of several runs each ("A1,A2,A3 B1,B2,B3"
	 * or two directories holding run directories): paths[0..side_a)
	 * are A, the rest B.  0 when every argument is one run. */
	size_t side_a;
	char *owned[CMP_MAX_RUNS]; /* paths made here (freed by the command) */
	const char *outdir;	/* report: -o DIR */
	bool no_plots;		/* report */
};

/*
 * The start of both commands (argv[0] is the command's name): parse the
 * arguments into a and load the runs into runs[] (room for a->n of them:
 * CMP_MAX_RUNS for compare, 2 for report), all of one benchmark.
 * Returns 0 when the runs are loaded (the caller frees them), or -1 when
 * the command ends here (--help, bad input, a run that does not load)
 * with its exit status in *status.
 */
int compare_cmd_setup(int argc, char **argv, struct cmp_args *a,
		      struct rundir *runs, int *status);
/* Free what compare_cmd_setup() made: the runs and owned paths. */
void compare_cmd_free(struct cmp_args *a, struct rundir *runs);

#endif

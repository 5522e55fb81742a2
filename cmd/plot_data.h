/* SPDX-License-Identifier: GPL-2.0 */
/*
 * plot_data.h - the gnuplot data files of `gupsync plot` (DIR/data/
 * NAME.dat), and the state the plot_*.c files share while they draw: the
 * set of figures (struct pl_fig) and the curves of one figure (struct
 * pl_curves).
 *
 * A data file holds gnuplot "index" blocks, one per curve, each led by
 * its quoted title and followed by two blank lines.  The points of a
 * curve come from trials.csv: per data point, the median over trials of
 * the quantity (one metric, or a sum of counters per operation) and its
 * 95% CI; the lines read "x median lo hi".
 */
#ifndef GUPSYNC_PLOT_DATA_H
#define GUPSYNC_PLOT_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "plot.h"
#include "rundir.h"

#define PL_MAX_RUNS 16
#define PL_MAX_CURVES 64	/* per figure: past that it is unreadable */
#define PL_MAX_PARAMS 32
#define PL_X_PARAM "threads"	/* the CPU count of a data point */
#define PL_PT_CIRCLE 7		/* gnuplot point type: run A's, and CDFs' */
#define PL_NAME_MAX 200		/* a figure's file name, before .png */
#define PL_WORK_DATA "d.dat"	/* in the work directory: the data file, */
#define PL_WORK_OUT "o"		/* and the figure's base name */
#define PL_WORK_LOG "gp.log"	/* gnuplot's stdout and stderr */

/* The figures of a set of runs, as plot_runs() draws them. */
struct pl_fig {
	const struct rundir *runs;
	size_t n;
	const char *dir;
	int outfd, datafd;		/* dir and dir/data, checked (safefile.h) */
	char work[64];			/* private 0700 work directory for gnuplot */
	int workfd;
	const char *label_params[PL_MAX_PARAMS]; /* vary (not PL_X_PARAM) */
	size_t nlabel;
	const char *split[PL_MAX_PARAMS];	/* ... one figure per value */
	size_t nsplit, nfacets;
	struct pl_facet {
		const char *val[PL_MAX_PARAMS];	/* of split[] */
		char label[256];		/* "op=munmap pages=512" */
	} *facets;
	const struct pl_facet *cur;	/* the figure being drawn, or NULL */
	bool placement_differs;
	char t2[512], t3[512];		/* title lines: kernels, machine */
	long *row_point[PL_MAX_RUNS];	/* samples row -> run 0's CDF point */
	struct plot_files *out;
	char *err;
	size_t len;
};

/* The curves of one figure, in the order of their blocks. */
struct pl_curves {
	int n, ncombos;
	char label[PL_MAX_CURVES][256];
	int lc[PL_MAX_CURVES], pt[PL_MAX_CURVES], dt[PL_MAX_CURVES];
	char combo[PL_MAX_CURVES][192];	/* colour: parameter combination */
	double xmin, xmax, ymin, ymax;
};

/* The work directory's data file, new, for writing; NULL with fg->err.
 * pl_render() installs it as DIR/data/NAME.dat. */
FILE *pl_data(struct pl_fig *fg, const char *name);

/* Append word s to the label in buf, space-separated. */
void pl_cat(char *buf, size_t len, const char *s);

/*
 * Append the curves of one quantity (the sum of the trials.csv columns
 * cols, NULL-terminated) of every run to f as index blocks, titled
 * "PREFIX RUN PLACEMENT PARAMETERS", and widen cv's ranges to them.  dt:
 * the dash type of every curve, 0 for one per run.  Only the points of
 * the facet being drawn (fg->cur).  Returns 0, -1 when out of memory.
 */
int pl_blocks(struct pl_fig *fg, struct pl_curves *cv, FILE *f,
	      const char *const *cols, const char *prefix, int dt);

#endif

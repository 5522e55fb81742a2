/* SPDX-License-Identifier: GPL-2.0 */
/*
 * variants_cells.h - the numbers in the cells of a `gupsync variants`
 * table (see variants.h) and the footnotes on the ones that are missing
 * ("--": why) or in doubt ("!!": an unproven point, a warning).
 */
#ifndef GUPSYNC_VARIANTS_CELLS_H
#define GUPSYNC_VARIANTS_CELLS_H

#include <stdbool.h>
#include <stdio.h>

#include "variants_load.h"

/* A column: where its number comes from in summary.csv, and its place. */
struct vt_col {
	const char *head;
	enum vt_src src;
	const char *metric;
	double scale;		/* to the unit shown */
	bool ci;		/* "median [lo,hi]" */
	bool busy_only;		/* meaningless with no busy other CPU */
	const char *top, *sub;	/* group labels starting at this column */
};

/* Median, CI low and high of column c at row n, NaN where missing (and a
 * note in v saying why). */
void vt_lookup(struct vt *v, const struct vt_col *c, unsigned n,
	       double out[3]);

/* The notes gathered by vt_lookup() as commentary lines. */
void vt_print_notes(FILE *f, const struct vt *v);

#endif

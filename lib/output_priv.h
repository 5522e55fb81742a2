/* SPDX-License-Identifier: GPL-2.0 */
/*
 * output_priv.h - what output.c (meta.json, saving) and output_csv.c (the
 * CSV rows) share.  Others use run.h.
 */
#ifndef GUPSYNC_OUTPUT_PRIV_H
#define GUPSYNC_OUTPUT_PRIV_H

#include <stdbool.h>
#include <stdio.h>

#include "run.h"
#include "results.h"

/* An option that is a list is a parameter of the points (a CSV column). */
static inline bool is_param(const struct opt_val *v)
{
	return v->spec->list;
}

static inline const char *better_name(enum better b)
{
	return b == BETTER_HIGHER ? "higher" : b == BETTER_LOWER ? "lower" : "";
}

/* The parameter columns' names / point i's values, comma-separated. */
void csv_param_header(const struct run *r, FILE *f);
void csv_params(const struct run *r, FILE *f, size_t i);
/* summary.csv: statistics per metric and point, into t. */
void summary_csv(const struct run *r, struct textbuf *t);

#endif

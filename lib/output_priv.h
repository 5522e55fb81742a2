/* SPDX-License-Identifier: GPL-2.0 */
/*
 * output_priv.h - what the output files share: output.c (meta.json,
 * saving), output_csv.c (the CSV rows), output_text.c (the text around
 * the table), output_proof.c (the footer's proof verdicts) and
 * output_notes.c (notes said once with ranges).  Others
 * use run.h.
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

/* A "# " commentary line, wrapped to fit an email (output_text.c). */
__attribute__((format(printf, 1, 2)))
void out_comment(const char *fmt, ...);
/* The proof verdicts of the points done, about a line each
 * (output_proof.c). */
void print_proofs(const struct run *r);
/* Whether the notes with n's key (at NOTE_MERGE_MIN points or more) read
 * the same but for their numbers: then said once, each number that
 * differs as its range "lo..hi" (note_merged_text(), which returns
 * whether every point done has the note).  output_notes.c. */
bool note_merged(const struct run *r, const struct note *n);
bool note_merged_text(const struct run *r, const struct note *n, char *buf,
		      size_t len);

#endif

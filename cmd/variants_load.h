/* SPDX-License-Identifier: GPL-2.0 */
/*
 * variants_load.h - the runs a `gupsync variants` report reads (see
 * variants.h): loading run directories, the table's rows (every
 * --bg-threads value in them) and which point of a run stands for a row
 * under the selection.  struct vt is the report's whole state; its notes
 * are filled by variants_cells.c.
 */
#ifndef GUPSYNC_VARIANTS_LOAD_H
#define GUPSYNC_VARIANTS_LOAD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "rundir.h"
#include "variants.h"

#define VT_MAX_RUNS 64
#define VT_MAX_ROWS 512		/* distinct --bg-threads values */
#define VT_MAX_NOTES 48

/* The benchmarks a report takes runs of. */
enum vt_src { VT_IPI, VT_RCU, VT_KIPI, VT_KRCU, VT_NSRC };
/* The benchmark whose descriptor has the variants role of s
 * (.variant = s + 1), "?" if none is built in. */
const char *vt_bench(enum vt_src s);
/* "A, B, C or D": every benchmark with a variants role. */
const char *vt_bench_list(char *buf, size_t len, const char *last);

/* A footnote, with the rows it applies to. */
struct vt_note {
	char mark;		/* '-' for a "--" cell, '!' for a doubt */
	char what[48];
	char why[512];
	unsigned ns[16];
	size_t nn;
	bool all_rows;
};

struct vt {
	const struct variants_sel *sel;
	struct rundir runs[VT_MAX_RUNS];
	enum vt_src src[VT_MAX_RUNS];
	size_t nruns, nsrc[VT_NSRC];
	unsigned rows[VT_MAX_ROWS];	/* ascending */
	size_t nrows;
	struct vt_note notes[VT_MAX_NOTES];
	size_t nnotes;
};

/*
 * Load dirs (run directories, or directories holding them) into a new
 * *out with its rows.  Returns 0; 1 out of memory, or EXIT_USAGE with a
 * one-line reason in err (as variants_report()), *out then NULL.
 */
int vt_open(struct vt **out, char *const *dirs, size_t ndirs,
	    const struct variants_sel *sel, char *err, size_t len);
void vt_free(struct vt *v);

/* What parameter k of rd must be for row n (nstr: n as text); NULL:
 * anything. */
const char *vt_want(const struct vt *v, const struct rundir *rd, size_t k,
		    unsigned n, const char *nstr);
/* Whether summary.csv row r of rd belongs to table row n. */
bool vt_row_is(const struct vt *v, const struct rundir *rd, size_t r,
	       unsigned n);
/* The meta.json point of row n, NULL if none. */
const json_t *vt_meta_point(const struct vt *v, const struct rundir *rd,
			    unsigned n);

#endif

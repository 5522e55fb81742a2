/* SPDX-License-Identifier: GPL-2.0 */
/*
 * results.h - the run directory and its files.
 *
 * Each run gets results/<bench>-<YYYYmmdd-HHMMSS>[-N]/, created with
 * mkdir(2), which fails if the directory exists: a run directory is never
 * overwritten or shared.  Every file is written whole to a temporary file in
 * the same directory, fsync'd and renamed over the final name, so a reader
 * (or a crash) sees the old complete file or the new complete one, never
 * half of one.  The temporary file is created O_EXCL|O_NOFOLLOW and the
 * directory must be a real one owned by this user and writable by no one
 * else (safefile.h), so a planted symlink is replaced, never followed.
 * Files are rewritten after each data point, so an
 * interrupted run keeps every point it finished.
 */
#ifndef GUPSYNC_RESULTS_H
#define GUPSYNC_RESULTS_H

#include <jansson.h>
#include <stdio.h>

#include "csv.h"

/* Create base/ if missing and a new run directory under it. */
int results_mkdir(const char *base, const char *bench, char *dir, size_t len,
		  char *err, size_t errlen);

/* Atomically replace dir/name with data[0..n). */
int results_write(const char *dir, const char *name, const char *data,
		  size_t n, char *err, size_t errlen);
int results_write_json(const char *dir, const char *name, const json_t *j,
		       char *err, size_t errlen);

/* A growing text buffer for CSV files (open_memstream underneath). */
struct textbuf {
	char *data;
	size_t len;
	FILE *f;
};
int textbuf_open(struct textbuf *t);
int textbuf_flush_to(struct textbuf *t, const char *dir, const char *name,
		     char *err, size_t errlen);
void textbuf_close(struct textbuf *t);

/* csv_field(): csv.h. */
/* A number: "%.9g", "NA" for NaN. */
void csv_num(FILE *f, double v);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * csv.h - the CSV that lib/results.c writes, read back strictly.
 *
 * A header line, then rows with the same number of fields, each line
 * ended by '\n' ("\r\n" tolerated).  A field is quoted ("...", with ""
 * for a quote) only when it holds a comma, quote or newline; "NA" is a
 * missing number.  The reader accepts exactly that and says which line is
 * wrong: a NUL byte, a malformed quote, a row with more or fewer fields
 * than the header, a duplicated header name.
 *
 * A last line without its '\n' is what a crash or a full disk leaves (a
 * copy cut short, an append that did not finish): such a "torn" line is
 * never read as data.  csv_read() refuses the file unless CSV_TORN_OK,
 * and then leaves the line out and records where it was (run --resume
 * drops it and measures that trial again).
 */
#ifndef GUPSYNC_CSV_H
#define GUPSYNC_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct csv {
	size_t ncols, nrows;
	char **head;		/* ncols names */
	char **cell;		/* nrows * ncols, row-major */
	size_t *line;		/* nrows: the file line of each row */
	size_t torn_line;	/* the torn last line left out, 0 if none */
	char *buf_;		/* private: the strings live here */
};

/* Flags of csv_read()/csv_parse(). */
#define CSV_TORN_OK 1u	/* leave a torn last line out instead of failing */

/*
 * Read path: a regular file (checked with fstat before reading, so a FIFO
 * or a device cannot block), at most CSV_MAX_BYTES.  -1 with
 * "path:LINE: what is wrong" in err.
 */
#define CSV_MAX_BYTES (256ull << 20) /* samples.csv keeps <= 5000 per window */
int csv_read(const char *path, unsigned flags, struct csv *t, char *err,
	     size_t len);
/* Parse text[0..n) (text[n] must be NUL; modified in place; t takes
 * ownership of the malloc'd text).  'name' is used in error messages. */
int csv_parse_n(char *text, size_t n, const char *name, unsigned flags,
		struct csv *t, char *err, size_t len);
/* The same for a NUL-terminated text. */
int csv_parse(char *text, const char *name, struct csv *t, char *err,
	      size_t len);
void csv_free(struct csv *t);

/* Column index of name, -1 if absent. */
int csv_col(const struct csv *t, const char *name);
static inline const char *csv_get(const struct csv *t, size_t row, size_t col)
{
	return t->cell[row * t->ncols + col];
}

/*
 * A number as the writer writes it ("%.9g", "%llu", "NA"): an optional
 * '-', digits with an optional fraction, an optional exponent, finite as a
 * double.  Returns 1 and *v for a number, 0 and NaN for "NA", -1 for
 * anything else (empty, hex, "inf", "1e309", trailing text, spaces).
 */
int csv_number(const char *s, double *v);
/* A number cell: NaN for "NA" and for anything csv_number() refuses
 * (the loaders have refused such files before a reader gets here). */
double csv_num_at(const struct csv *t, size_t row, size_t col);

/* Write row 'row' of t (or the header when row is (size_t)-1) to f as the
 * writer would, quoting where needed. */
void csv_write_row(FILE *f, const struct csv *t, size_t row);

/* Field s of a row, quoted when it holds a comma, quote or line break
 * (RFC 4180); preceded by a comma unless first. */
void csv_field(FILE *f, const char *s, int first);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * variants_text.h - the plain-text form of `gupsync variants` (see
 * variants.h): numbers in VT_NUM_WIDTH columns and '#' commentary lines
 * wrapped at VARIANTS_WIDTH.
 *
 * Not text_wrap() (text.h): a commentary line keeps the spaces it was
 * given ("  ipi_us  one ..." lines the legend up) and cuts a word longer
 * than a line, so that no line is wider than VARIANTS_WIDTH.
 */
#ifndef GUPSYNC_VARIANTS_TEXT_H
#define GUPSYNC_VARIANTS_TEXT_H

#include <stddef.h>
#include <stdio.h>

#define VT_NUM_WIDTH 5		/* "14.9k", "-3.19": 3 significant digits */
#define VT_TEXT 1024		/* a commentary text before wrapping */
#define VT_HANG 4		/* indent of a wrapped note or provenance */

#define VT_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* v in at most VT_NUM_WIDTH characters, about 3 significant digits: "0.50",
 * "58.2", "501", "14.9k", "-3.19"; "--" when missing (NaN). */
void vt_num(double v, char *buf, size_t len);

/* line on f without its trailing spaces (line is modified). */
void vt_print_line(FILE *f, char *line);

/*
 * text as commentary lines of at most VARIANTS_WIDTH columns: "# " first,
 * then "# " and 'hang' spaces; a word longer than a line is cut.  Tabs
 * and newlines become spaces.
 */
__attribute__((format(printf, 3, 4)))
void vt_say(FILE *f, int hang, const char *fmt, ...);

#endif

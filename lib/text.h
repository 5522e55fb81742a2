/* SPDX-License-Identifier: GPL-2.0 */
/*
 * text.h - small text helpers shared by lib/: messages into fixed-size
 * buffers (cut short quietly: the start of a message says what went
 * wrong) and words wrapped at a width for human-readable output.
 */
#ifndef GUPSYNC_TEXT_H
#define GUPSYNC_TEXT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Every text gupsync prints fits an email: 72 columns, "# " included. */
#define TEXT_WIDTH 72

/* snprintf into buf; buf may be NULL or len 0 (then nothing is written). */
__attribute__((format(printf, 3, 4)))
void text_fmt(char *buf, size_t len, const char *fmt, ...);

/* text_fmt, then return -1: "return text_err(err, len, ...)" on failure. */
__attribute__((format(printf, 3, 4)))
int text_err(char *err, size_t len, const char *fmt, ...);

/* printf at the end of the string already in buf. */
__attribute__((format(printf, 3, 4)))
void text_append(char *buf, size_t len, const char *fmt, ...);
__attribute__((format(printf, 3, 0)))
void text_vappend(char *buf, size_t len, const char *fmt, va_list ap);

/*
 * in copied to out with every control character (below 0x20 but tab and
 * newline, and 0x7f) written as \xNN, so a string read from a file cannot drive the
 * terminal it is printed on.  Cut short to fit len.  Returns out.
 */
char *text_escape(char *out, size_t len, const char *in);

/* Whether s holds a control character (what text_escape rewrites). */
int text_has_ctl(const char *s);

/*
 * The words of text (runs of spaces separate them) onto f, continuing a
 * line the caller has already filled up to column col, one space between
 * words.  A word that would end past column width starts a new line that
 * begins with cont, unless nothing stands yet on the line after its start
 * (col, or cont), so a word longer than a line stays whole.  Ends the
 * last line with '\n'.
 */
void text_wrap(FILE *f, size_t col, const char *cont, size_t width,
	       const char *text);

#endif

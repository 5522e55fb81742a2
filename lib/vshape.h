/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vshape.h - the numbers inside a text (a verdict "EVIDENCE -> CONCLUSION"
 * or a note): find them, and compare two texts but for them.  vshape.c.
 */
#ifndef GUPSYNC_VSHAPE_H
#define GUPSYNC_VSHAPE_H

#include <stdbool.h>
#include <stddef.h>

#define SHAPE_MAX_NUMS 32	/* numbers of one text that are compared */
#define CONCLUSION_SEP " -> "

/* Where a verdict's numbers are: runs of digits with at most one '.'
 * inside (and a leading '-'), that touch no letter, digit, '_' or '.'
 * ("PU0", "x86_64", "4K" and "2M" are words, not numbers). */
struct vnums {
	size_t n;
	bool over;		/* more than SHAPE_MAX_NUMS */
	size_t off[SHAPE_MAX_NUMS], len[SHAPE_MAX_NUMS];
};

/* One point's verdict, split. */
struct vsplit {
	size_t elen;		/* the evidence: verdict[0, elen) */
	const char *concl;	/* after " -> ", or "" */
	struct vnums nums;
};

/* The numbers of s[0, len) into v. */
void find_nums(const char *s, size_t len, struct vnums *v);
/* A verdict split at its last " -> ", with the evidence's numbers. */
void split_verdict(const char *v, struct vsplit *s);
/* The same text between the numbers, and as many numbers. */
bool same_shape(const char *a, const struct vsplit *sa, const char *b,
		const struct vsplit *sb);
/* Whether number k reads the same in both. */
bool same_num(const char *a, const struct vsplit *sa, const char *b,
	      const struct vsplit *sb, size_t k);

#endif

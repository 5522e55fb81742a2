// SPDX-License-Identifier: GPL-2.0
/*
 * vshape.c - the numbers inside a text: where they are, and whether two
 * texts read the same but for their numbers.  The footer says such
 * verdicts (output_proof.c) and notes (output_notes.c) once, with the
 * numbers that differ.
 */
#include <string.h>

#include "vshape.h"

static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.';
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

void find_nums(const char *s, size_t len, struct vnums *v)
{
	v->n = 0;
	v->over = false;
	for (size_t i = 0; i < len; ) {
		size_t j = i, dots = 0;

		if (!(digit(s[i]) || (s[i] == '-' && i + 1 < len &&
				      digit(s[i + 1]))) ||
		    (i > 0 && word_char(s[i - 1]))) {
			i++;
			continue;
		}
		j += s[j] == '-';
		while (j < len && (digit(s[j]) ||
				   (s[j] == '.' && !dots++ && j + 1 < len &&
				    digit(s[j + 1]))))
			j++;
		if (j < len && word_char(s[j])) {	/* "4K", "1.2.3" */
			while (j < len && word_char(s[j]))
				j++;
			i = j;
			continue;
		}
		if (v->n == SHAPE_MAX_NUMS) {
			v->over = true;
			return;
		}
		v->off[v->n] = i;
		v->len[v->n++] = j - i;
		i = j;
	}
}

void split_verdict(const char *v, struct vsplit *s)
{
	const char *sep = NULL;

	for (const char *p = strstr(v, CONCLUSION_SEP); p;
	     p = strstr(p + 1, CONCLUSION_SEP))
		sep = p;
	s->elen = sep ? (size_t)(sep - v) : strlen(v);
	s->concl = sep ? sep + strlen(CONCLUSION_SEP) : "";
	find_nums(v, s->elen, &s->nums);
}

/* The same text between the numbers, and as many numbers. */
bool same_shape(const char *a, const struct vsplit *sa, const char *b,
		       const struct vsplit *sb)
{
	size_t pa = 0, pb = 0;

	if (sa->nums.over || sb->nums.over || sa->nums.n != sb->nums.n)
		return false;
	for (size_t k = 0; k <= sa->nums.n; k++) {
		size_t ea = k < sa->nums.n ? sa->nums.off[k] : sa->elen;
		size_t eb = k < sb->nums.n ? sb->nums.off[k] : sb->elen;

		if (ea - pa != eb - pb || memcmp(a + pa, b + pb, ea - pa))
			return false;
		if (k < sa->nums.n) {
			pa = ea + sa->nums.len[k];
			pb = eb + sb->nums.len[k];
		}
	}
	return true;
}

bool same_num(const char *a, const struct vsplit *sa, const char *b,
		     const struct vsplit *sb, size_t k)
{
	return sa->nums.len[k] == sb->nums.len[k] &&
	       !memcmp(a + sa->nums.off[k], b + sb->nums.off[k], sa->nums.len[k]);
}

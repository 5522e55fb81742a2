// SPDX-License-Identifier: GPL-2.0
/*
 * output_notes.c - notes that differ only in their numbers: said once in
 * the footer (output_text.c), each number that differs as its range.
 */
#include <stdlib.h>
#include <string.h>

#include "output_priv.h"
#include "run.h"
#include "text.h"
#include "vshape.h"

static bool ok_point(const struct run *r, size_t i)
{
	return r->points[i].status == BENCH_OK;
}

#define NOTE_MERGE_MIN 3	/* values; fewer are said one by one */

static const struct note *key_note(const struct run_point *rp, const char *key)
{
	for (const struct note *n = rp->notes; n; n = n->next)
		if (!strcmp(n->key, key))
			return n;
	return NULL;
}

/* Whether no point done before i has note m (its key and value). */
static bool first_value(const struct run *r, size_t i, const struct note *m)
{
	for (size_t j = 0; j < i; j++) {
		const struct note *o = ok_point(r, j) ?
			key_note(&r->points[j], m->key) : NULL;

		if (o && !strcmp(o->val, m->val))
			return false;
	}
	return true;
}

/* The points done that have a note with n's key: how many, and whether
 * their values all have n's shape with some number differing. */
static size_t merge_count(const struct run *r, const struct note *n,
			  bool *mergeable, bool *everywhere)
{
	struct vsplit sn = { .elen = strlen(n->val), .concl = "" }, sm;
	size_t count = 0, distinct = 0;
	bool differ = false;

	find_nums(n->val, sn.elen, &sn.nums);
	*mergeable = true;
	*everywhere = true;
	for (size_t i = 0; i < r->npoints; i++) {
		const struct note *m;

		if (!ok_point(r, i))
			continue;
		m = key_note(&r->points[i], n->key);
		if (!m) {
			*everywhere = false;
			continue;
		}
		count++;
		sm.elen = strlen(m->val);
		sm.concl = "";
		find_nums(m->val, sm.elen, &sm.nums);
		if (!same_shape(n->val, &sn, m->val, &sm))
			*mergeable = false;
		else
			differ |= strcmp(n->val, m->val) != 0;
		distinct += first_value(r, i, m);
	}
	*mergeable &= differ && distinct >= NOTE_MERGE_MIN;
	return count;
}

bool note_merged(const struct run *r, const struct note *n)
{
	bool mergeable, everywhere;

	merge_count(r, n, &mergeable, &everywhere);
	return mergeable;
}

bool note_merged_text(const struct run *r, const struct note *n, char *buf,
		      size_t len)
{
	struct vsplit sn = { .elen = strlen(n->val), .concl = "" }, sm;
	bool mergeable, everywhere;
	size_t at = 0;

	merge_count(r, n, &mergeable, &everywhere);
	find_nums(n->val, sn.elen, &sn.nums);
	buf[0] = '\0';
	for (size_t k = 0; k <= sn.nums.n; k++) {
		size_t end = k < sn.nums.n ? sn.nums.off[k] : sn.elen;
		const char *lo = n->val + (k < sn.nums.n ? sn.nums.off[k] : 0);
		const char *hi = lo;
		size_t llo = k < sn.nums.n ? sn.nums.len[k] : 0, lhi = llo;

		text_append(buf, len, "%.*s", (int)(end - at), n->val + at);
		if (k == sn.nums.n)
			break;
		for (size_t i = 0; i < r->npoints; i++) {
			const struct note *m = ok_point(r, i) ?
				key_note(&r->points[i], n->key) : NULL;
			const char *p;
			double x;

			if (!m)
				continue;
			sm.elen = strlen(m->val);
			find_nums(m->val, sm.elen, &sm.nums);
			p = m->val + sm.nums.off[k];
			x = strtod(p, NULL);
			if (x < strtod(lo, NULL))
				lo = p, llo = sm.nums.len[k];
			if (x > strtod(hi, NULL))
				hi = p, lhi = sm.nums.len[k];
		}
		if (lo == hi || (llo == lhi && !memcmp(lo, hi, llo)))
			text_append(buf, len, "%.*s", (int)llo, lo);
		else
			text_append(buf, len, "%.*s..%.*s", (int)llo, lo, (int)lhi, hi);
		at = sn.nums.off[k] + sn.nums.len[k];
	}
	text_append(buf, len, " (each point's: meta.json)");
	return everywhere;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * output_proof.c - the footer's proof verdicts, about one line per point.
 *
 * A verdict reads "EVIDENCE -> CONCLUSION" (verify() in bench.h).  The
 * points whose evidence reads the same but for its numbers share one
 * text, said once with the numbers that differ as [a], [b], ...; then a
 * table: a row per point (its parameters and those numbers), in blocks
 * of one conclusion.  A verdict no other point shares the shape of is
 * printed whole.  meta.json keeps every verdict whole (points[].proof),
 * evidence.csv the counts behind it.
 *
 * The same reading of numbers serves the notes (output_text.c): a note
 * whose values differ only in their numbers is said once, with ranges.
 */
#include <stdlib.h>
#include <string.h>

#include "output_priv.h"
#include "run.h"
#include "text.h"

#define SHAPE_MAX_NUMS 32	/* numbers of one verdict that are compared */
#define PROOF_MAX_COLS 8	/* more differing numbers: whole verdicts */
#define PROOF_MAX_PARAMS 8	/* parameters in a point's label */
#define PROOF_CELL 48

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

static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.';
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

static void find_nums(const char *s, size_t len, struct vnums *v)
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

static void split_verdict(const char *v, struct vsplit *s)
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
static bool same_shape(const char *a, const struct vsplit *sa, const char *b,
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

static bool same_num(const char *a, const struct vsplit *sa, const char *b,
		     const struct vsplit *sb, size_t k)
{
	return sa->nums.len[k] == sb->nums.len[k] &&
	       !memcmp(a + sa->nums.off[k], b + sb->nums.off[k], sa->nums.len[k]);
}

static bool ok_point(const struct run *r, size_t i)
{
	return r->points[i].status == BENCH_OK;
}

static bool every_trial(const struct run_point *rp)
{
	return rp->trials_checked && rp->trials_proven == rp->trials_checked;
}

/* One whole verdict, as before there were tables. */
static void proof_whole(const struct run *r, size_t i)
{
	const struct run_point *rp = &r->points[i];
	char label[256];

	run_point_label(r, i, label, sizeof(label));
	out_comment("proof%s%s%s: %s", label[0] ? " " : "", label,
		    every_trial(rp) ? " (every trial too)" : "", rp->verdict);
	if (rp->trials_checked && rp->trials_proven < rp->trials_checked)
		out_comment("  WARNING: only %u of %u trials showed the path",
			    rp->trials_proven, rp->trials_checked);
}

/* A group: the points (in order) whose verdicts have one shape. */
struct pgroup {
	size_t n, *pt;
	const struct vsplit *vs;	/* indexed by point */
	bool vary[SHAPE_MAX_NUMS];
	size_t nvary;
	bool one_concl, all_trials, some_short;
};

/* The table's cells of point i (header: the names): its parameter
 * values, its numbers that vary, and where not every trial of some
 * point showed the path, "proven/checked". */
static size_t row_cells(const struct run *r, const struct pgroup *g, size_t i,
			char cells[][PROOF_CELL], size_t cap, bool header)
{
	const struct run_point *rp = &r->points[i];
	const struct vsplit *s = &g->vs[i];
	char label[256], *save = NULL;
	size_t n = 0, letter = 0;

	run_point_label(r, i, label, sizeof(label));
	for (char *t = strtok_r(label, " ", &save); t && n < cap;
	     t = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(t, '=');

		if (eq)
			*eq = '\0';
		snprintf(cells[n++], PROOF_CELL, "%s", header || !eq ? t : eq + 1);
	}
	for (size_t k = 0; k < s->nums.n && n < cap; k++) {
		if (!g->vary[k])
			continue;
		if (header)
			snprintf(cells[n++], PROOF_CELL, "%c", (char)('a' + letter++));
		else
			snprintf(cells[n++], PROOF_CELL, "%.*s", (int)s->nums.len[k],
				 rp->verdict + s->nums.off[k]);
	}
	if (g->some_short && n < cap) {
		if (header)
			snprintf(cells[n++], PROOF_CELL, "trials");
		else
			snprintf(cells[n++], PROOF_CELL, "%u/%u", rp->trials_proven,
				 rp->trials_checked);
	}
	return n;
}

#define ROW_CAP (PROOF_MAX_PARAMS + PROOF_MAX_COLS + 1)

/* Column widths of the table; false if a row would not fit a line. */
static bool table_widths(const struct run *r, const struct pgroup *g,
			 size_t *w, size_t *ncols)
{
	char cells[ROW_CAP][PROOF_CELL];
	size_t total = 3;	/* "#  " before the first column's space */

	*ncols = row_cells(r, g, g->pt[0], cells, ROW_CAP, true);
	for (size_t c = 0; c < *ncols; c++)
		w[c] = strlen(cells[c]);
	for (size_t m = 0; m < g->n; m++) {
		size_t n = row_cells(r, g, g->pt[m], cells, ROW_CAP, false);

		for (size_t c = 0; c < n && c < *ncols; c++)
			if (strlen(cells[c]) > w[c])
				w[c] = strlen(cells[c]);
	}
	for (size_t c = 0; c < *ncols; c++)
		total += 1 + w[c];
	return total <= TEXT_WIDTH;
}

static void table_row(char cells[][PROOF_CELL], size_t n, const size_t *w)
{
	printf("#  ");
	for (size_t c = 0; c < n; c++)
		printf(" %*s", (int)w[c], cells[c]);
	printf("\n");
}

/* The shared text: the evidence with the varying numbers as [a], [b]. */
static void group_text(const struct run *r, const struct pgroup *g, char *buf,
		       size_t len)
{
	const struct run_point *rp = &r->points[g->pt[0]];
	const struct vsplit *s = &g->vs[g->pt[0]];
	size_t at = 0, letter = 0;

	buf[0] = '\0';
	for (size_t k = 0; k <= s->nums.n; k++) {
		size_t end = k < s->nums.n ? s->nums.off[k] : s->elen;

		text_append(buf, len, "%.*s", (int)(end - at), rp->verdict + at);
		if (k == s->nums.n)
			break;
		if (g->vary[k])
			text_append(buf, len, "[%c]", (char)('a' + letter++));
		else
			text_append(buf, len, "%.*s", (int)s->nums.len[k],
				    rp->verdict + s->nums.off[k]);
		at = s->nums.off[k] + s->nums.len[k];
	}
	if (g->one_concl && s->concl[0])
		text_append(buf, len, "%s%s", CONCLUSION_SEP, s->concl);
}

static void proof_table(const struct run *r, const struct pgroup *g,
			size_t nok)
{
	char text[PROOF_VERDICT_LEN + 64], cells[ROW_CAP][PROOF_CELL];
	size_t w[ROW_CAP], ncols;
	if (g->nvary == 0 && g->one_concl && g->n == nok) {
		out_comment("proof, every point%s: %s", g->all_trials ?
			    " (every trial too)" : "", r->points[g->pt[0]].verdict);
		return;
	}
	if (g->nvary > PROOF_MAX_COLS || !table_widths(r, g, w, &ncols)) {
		for (size_t m = 0; m < g->n; m++)
			proof_whole(r, g->pt[m]);
		return;
	}
	group_text(r, g, text, sizeof(text));
	out_comment("proof%s: %s", g->all_trials ? " (every trial too)" : "",
		    text);
	row_cells(r, g, g->pt[0], cells, ROW_CAP, true);
	table_row(cells, ncols, w);
	/* A block per conclusion, in the order they first come; the points
	 * in their order within it. */
	for (size_t b = 0; b < g->n; b++) {
		const char *c = g->vs[g->pt[b]].concl;
		bool seen = false;

		for (size_t m = 0; m < b && !seen; m++)
			seen = !strcmp(g->vs[g->pt[m]].concl, c);
		if (seen)
			continue;
		if (!g->one_concl)
			out_comment("  %s%s", c[0] ? "-> " : "", c[0] ? c : "(none)");
		for (size_t m = b; m < g->n; m++) {
			if (strcmp(g->vs[g->pt[m]].concl, c))
				continue;
			row_cells(r, g, g->pt[m], cells, ROW_CAP, false);
			table_row(cells, ncols, w);
		}
	}
	if (g->some_short)
		out_comment("  WARNING: not every trial showed the path where "
			    "trials is short");
}

void print_proofs(const struct run *r)
{
	size_t np = r->npoints, nok = 0;
	struct vsplit *vs = calloc(np ? np : 1, sizeof(*vs));
	size_t *leader = calloc(np ? np : 1, sizeof(*leader));
	size_t *members = calloc(np ? np : 1, sizeof(*members));

	if (!vs || !leader || !members) {	/* whole verdicts need no memory */
		for (size_t i = 0; i < np; i++)
			if (ok_point(r, i))
				proof_whole(r, i);
		goto out;
	}
	for (size_t i = 0; i < np; i++) {
		if (!ok_point(r, i))
			continue;
		nok++;
		split_verdict(r->points[i].verdict, &vs[i]);
		leader[i] = i;
		for (size_t j = 0; j < i; j++)
			if (ok_point(r, j) && leader[j] == j &&
			    same_shape(r->points[i].verdict, &vs[i],
				       r->points[j].verdict, &vs[j])) {
				leader[i] = j;
				break;
			}
	}
	for (size_t i = 0; i < np; i++) {
		struct pgroup g = { .pt = members, .vs = vs, .one_concl = true,
				    .all_trials = true };

		if (!ok_point(r, i) || leader[i] != i)
			continue;
		for (size_t j = i; j < np; j++) {
			const struct run_point *rp = &r->points[j];

			if (!ok_point(r, j) || leader[j] != i)
				continue;
			members[g.n++] = j;
			g.all_trials &= every_trial(rp);
			g.some_short |= rp->trials_checked &&
					rp->trials_proven < rp->trials_checked;
			g.one_concl &= !strcmp(vs[j].concl, vs[i].concl);
			for (size_t k = 0; k < vs[i].nums.n; k++)
				if (!g.vary[k] && !same_num(rp->verdict, &vs[j],
						r->points[i].verdict, &vs[i], k)) {
					g.vary[k] = true;
					g.nvary++;
				}
		}
		if (g.n == 1)
			proof_whole(r, i);
		else
			proof_table(r, &g, nok);
	}
out:
	free(vs);
	free(leader);
	free(members);
}

/* ---- notes that differ only in numbers ------------------------------ */

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

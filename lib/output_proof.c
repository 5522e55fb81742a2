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
 * The numbers are found by vshape.c, which also serves the notes
 * (output_notes.c).
 */
#include <stdlib.h>
#include <string.h>

#include "output_priv.h"
#include "run.h"
#include "text.h"
#include "vshape.h"

#define PROOF_MAX_COLS 8	/* more differing numbers: whole verdicts */
#define PROOF_MAX_PARAMS 8	/* parameters in a point's label */
#define PROOF_CELL 48

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

#define BLOCK_SUMMARY_MIN 3	/* rows; fewer are always listed */

/*
 * A block that parameter values name: the parameters whose value is the
 * same in every row of the block but not at every point of the group,
 * as "name=value ..." in label; true if the group's points with those
 * values are exactly the block's rows ("bg-threads=0": all 4 points
 * without targets).  Such a block is said in one line, with ranges.
 */
static bool block_label(const struct run *r, const struct pgroup *g,
			const size_t *rows, size_t n, char *label, size_t len)
{
	size_t np = r->opts.n, matched = 0;
	bool in_label[np ? np : 1];
	char v[64], w[64];

	*label = '\0';
	for (size_t k = 0; k < np; k++) {
		bool same = true, varies = false;
		const char *name = r->opts.vals[k].spec->name;

		in_label[k] = false;
		if (!r->opts.vals[k].spec->list)	/* not a parameter */
			continue;
		opt_point_value(&r->opts, rows[0], name, v, sizeof(v));
		for (size_t m = 0; m < n && same; m++) {
			opt_point_value(&r->opts, rows[m], name, w, sizeof(w));
			same = !strcmp(v, w);
		}
		for (size_t m = 0; m < g->n && !varies; m++) {
			opt_point_value(&r->opts, g->pt[m], name, w, sizeof(w));
			varies = strcmp(v, w) != 0;
		}
		if (!same || !varies)
			continue;
		in_label[k] = true;
		text_append(label, len, "%s%s=%s", *label ? " " : "", name, v);
	}
	if (!*label)
		return false;
	for (size_t m = 0; m < g->n; m++) {
		bool match = true;

		for (size_t k = 0; k < np && match; k++) {
			const char *name = r->opts.vals[k].spec->name;

			if (!in_label[k])
				continue;
			opt_point_value(&r->opts, rows[0], name, v, sizeof(v));
			opt_point_value(&r->opts, g->pt[m], name, w, sizeof(w));
			match = !strcmp(v, w);
		}
		matched += match;
	}
	return matched == n;
}

/* "a 0.003..0.008, b 0.00, ...": each varying number's range over the
 * rows, in the order of the letters. */
static void block_ranges(const struct run *r, const struct pgroup *g,
			 const size_t *rows, size_t n, char *buf, size_t len)
{
	const struct vsplit *s0 = &g->vs[rows[0]];
	size_t letter = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < s0->nums.n; k++) {
		const char *lo = NULL, *hi = NULL;
		size_t llo = 0, lhi = 0;

		if (!g->vary[k])
			continue;
		for (size_t m = 0; m < n; m++) {
			const struct vsplit *s = &g->vs[rows[m]];
			const char *p = r->points[rows[m]].verdict + s->nums.off[k];
			double x = strtod(p, NULL);

			if (!lo || x < strtod(lo, NULL))
				lo = p, llo = s->nums.len[k];
			if (!hi || x > strtod(hi, NULL))
				hi = p, lhi = s->nums.len[k];
		}
		if (llo == lhi && !memcmp(lo, hi, llo))
			text_append(buf, len, "%s%c %.*s", letter ? ", " : "",
				    (char)('a' + letter), (int)llo, lo);
		else
			text_append(buf, len, "%s%c %.*s..%.*s", letter ? ", " : "",
				    (char)('a' + letter), (int)llo, lo, (int)lhi, hi);
		letter++;
	}
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
	/* A block per conclusion, in the order they first come; the points
	 * in their order within it.  A block of 3 or more points that
	 * parameter values name, every trial of which showed the path, is
	 * one line of ranges; the others a row per point under the
	 * letters' header. */
	bool header = false;
	size_t rows[g->n];

	for (size_t b = 0; b < g->n; b++) {
		const char *c = g->vs[g->pt[b]].concl;
		bool seen = false, whole = true;
		size_t n = 0;
		char label[256], ranges[512];

		for (size_t m = 0; m < b && !seen; m++)
			seen = !strcmp(g->vs[g->pt[m]].concl, c);
		if (seen)
			continue;
		for (size_t m = b; m < g->n; m++)
			if (!strcmp(g->vs[g->pt[m]].concl, c)) {
				rows[n++] = g->pt[m];
				whole &= every_trial(&r->points[g->pt[m]]);
			}
		if (n >= BLOCK_SUMMARY_MIN && whole &&
		    block_label(r, g, rows, n, label, sizeof(label))) {
			block_ranges(r, g, rows, n, ranges, sizeof(ranges));
			out_comment("  %s%s%s%s, %zu points: %s", c[0] ? "-> " : "",
				    c[0] && !g->one_concl ? c : "",
				    c[0] && !g->one_concl ? ": " : "", label, n,
				    ranges);
			continue;
		}
		if (!header) {
			row_cells(r, g, g->pt[0], cells, ROW_CAP, true);
			table_row(cells, ncols, w);
			header = true;
		}
		if (!g->one_concl)
			out_comment("  %s%s", c[0] ? "-> " : "", c[0] ? c : "(none)");
		for (size_t m = 0; m < n; m++) {
			row_cells(r, g, rows[m], cells, ROW_CAP, false);
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

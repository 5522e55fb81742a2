// SPDX-License-Identifier: GPL-2.0
/*
 * table.c - the summary table on stdout, sized for an email: at most
 * TABLE_WIDTH columns, no tabs.  Rows are the data points (only the
 * parameters that vary are shown), cells the headline metrics as
 * "median [CI low,CI high]".  When the metrics do not fit beside each
 * other, the table is printed in blocks, each repeating the parameters.
 * While the run goes on, each finished point gets one line on stderr.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "stats.h"
#include "text.h"

#define TABLE_WIDTH TEXT_WIDTH
#define CELL_LEN 96
#define LINE_LEN 1024
#define PROOF_COL "proof"

/* Compact number: 3-4 significant digits, k/M/G suffix. */
static void fmt_num(double v, char *buf, size_t len)
{
	double a = fabs(v);

	if (a < 0.005)
		v = 0;	/* never "-0.00": a tiny negative is a zero */
	if (isnan(v))
		snprintf(buf, len, "NA");
	else if (a >= 1e9)
		snprintf(buf, len, "%.2fG", v / 1e9);
	else if (a >= 1e6)
		snprintf(buf, len, "%.2fM", v / 1e6);
	else if (a >= 1e4)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else if (a >= 100)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.2f", v);
}

/* "median [lo,hi]", "median [n<6]" without a CI, "NA" without data. */
static void cell(const struct run *r, const struct run_point *rp, size_t k,
		 char *buf, size_t len)
{
	char m[24], lo[24], hi[24];
	struct stats st;

	if (run_col_stats(r, rp, k, &st) < 0) {
		snprintf(buf, len, "NA");
		return;
	}
	fmt_num(st.median, m, sizeof(m));
	if (isnan(st.ci_lo)) {
		snprintf(buf, len, "%s [n=%zu]", m, st.n);
		return;
	}
	fmt_num(st.ci_lo, lo, sizeof(lo));
	fmt_num(st.ci_hi, hi, sizeof(hi));
	snprintf(buf, len, "%s [%s,%s]", m, lo, hi);
}

/* The proof window's verdict, "yes" or "NO", followed by "k/n" when the
 * trials were judged too and not all of them showed the path. */
static const char *proof_cell(const struct run_point *rp, char *buf, size_t len)
{
	const char *w = rp->proven ? "yes" : "NO";

	if (rp->trials_proven == rp->trials_checked)
		return w;
	snprintf(buf, len, "%s %u/%u", w, rp->trials_proven, rp->trials_checked);
	return buf;
}

static bool varies(const struct opt_val *v)
{
	return v->spec->list && v->n > 1;
}

static size_t max_sz(size_t a, size_t b)
{
	return a > b ? a : b;
}

/* Width of parameter column k and of metric column k. */
static size_t param_width(const struct run *r, size_t k)
{
	size_t w = strlen(r->opts.vals[k].spec->name);
	char v[64];

	for (size_t i = 0; i < r->npoints; i++) {
		opt_point_value(&r->opts, i, r->opts.vals[k].spec->name, v, sizeof(v));
		w = max_sz(w, strlen(v));
	}
	return w;
}

static size_t metric_width(const struct run *r, size_t k)
{
	size_t w = strlen(r->cols[k].name);
	char c[CELL_LEN];

	for (size_t i = 0; i < r->npoints; i++) {
		if (r->points[i].status != BENCH_OK)
			continue;
		cell(r, &r->points[i], k, c, sizeof(c));
		w = max_sz(w, strlen(c));
	}
	return w;
}

/* A line is built whole, then printed without trailing blanks. */
struct line {
	char s[LINE_LEN];
	size_t n;
};

static void put(struct line *l, int width, const char *v)
{
	if (l->n < sizeof(l->s))
		l->n += snprintf(l->s + l->n, sizeof(l->s) - l->n, "%s%*s",
				 l->n ? " " : "", width, v);
}

static void end_line(struct line *l)
{
	size_t n = l->n < sizeof(l->s) ? l->n : sizeof(l->s) - 1;

	while (n && l->s[n - 1] == ' ')
		n--;
	printf("%.*s\n", (int)n, l->s);
	l->n = 0;
}

static void print_params(const struct run *r, size_t i, const size_t *pw,
			 struct line *l)
{
	char v[64];

	for (size_t k = 0; k < r->opts.n; k++) {
		if (!varies(&r->opts.vals[k]))
			continue;
		if (i == (size_t)-1)
			snprintf(v, sizeof(v), "%s", r->opts.vals[k].spec->name);
		else
			opt_point_value(&r->opts, i, r->opts.vals[k].spec->name,
					v, sizeof(v));
		put(l, (int)pw[k], v);
	}
}

/* One block: metric columns from..to-1 (headline ones). */
static void print_block(const struct run *r, const size_t *pw,
			const size_t *mw, size_t from, size_t to, bool proof)
{
	char c[CELL_LEN + 16];
	struct line l = { .n = 0 };

	print_params(r, (size_t)-1, pw, &l);
	for (size_t k = from; k < to; k++)
		if (r->cols[k].headline)
			put(&l, (int)mw[k], r->cols[k].name);
	put(&l, 0, proof ? PROOF_COL : "");
	end_line(&l);
	for (size_t i = 0; i < r->npoints; i++) {
		const struct run_point *rp = &r->points[i];

		if (rp->status == POINT_NOT_RUN)
			continue;
		print_params(r, i, pw, &l);
		if (rp->status != BENCH_OK) {
			snprintf(c, sizeof(c), "%s:", run_status_name(rp->status));
			put(&l, 0, c);
			put(&l, 0, rp->reason);
			end_line(&l);
			continue;
		}
		for (size_t k = from; k < to; k++)
			if (r->cols[k].headline) {
				cell(r, rp, k, c, CELL_LEN);
				put(&l, (int)mw[k], c);
			}
		put(&l, 0, !proof ? "" : proof_cell(rp, c, sizeof(c)));
		end_line(&l);
	}
}

void run_print_table(struct run *r)
{
	size_t pw[OPT_MAX] = { 0 }, mw[BENCH_MAX_METRICS] = { 0 }, base = 0;
	size_t from = 0, used;

	for (size_t k = 0; k < r->opts.n; k++)
		if (varies(&r->opts.vals[k]))
			base += (pw[k] = param_width(r, k)) + 1;
	for (size_t k = 0; k < r->ncols; k++)
		if (r->cols[k].headline)
			mw[k] = metric_width(r, k);
	/* Pack the metric columns into blocks; the first carries the proof. */
	while (from < r->ncols || from == 0) {
		size_t to = from;

		used = base + (from == 0 ? strlen(PROOF_COL) : 0);
		while (to < r->ncols && (!r->cols[to].headline || to == from ||
					 used + mw[to] + 1 <= TABLE_WIDTH)) {
			used += r->cols[to].headline ? mw[to] + 1 : 0;
			to++;
		}
		if (from)
			printf("\n");
		print_block(r, pw, mw, from, to, from == 0);
		if (to == from)
			break;
		from = to;
		while (from < r->ncols && !r->cols[from].headline)
			from++;
	}
	fflush(stdout);
}

void run_point_done(const struct run *r, size_t i)
{
	const struct run_point *rp = &r->points[i];
	char label[256], c[CELL_LEN];
	size_t shown = 0;

	if (r->rc.quiet)
		return;
	run_point_label(r, i, label, sizeof(label));
	fprintf(stderr, "gupsync: %s %s%s", r->b->name, label, label[0] ? ": " : "");
	if (rp->status != BENCH_OK) {
		fprintf(stderr, "%s: %s\n", run_status_name(rp->status), rp->reason);
		return;
	}
	for (size_t k = 0; k < r->ncols && shown < 2; k++)
		if (r->cols[k].headline) {
			cell(r, rp, k, c, sizeof(c));
			fprintf(stderr, "%s%s %s", shown++ ? ", " : "",
				r->cols[k].name, c);
		}
	fprintf(stderr, "; proof %s\n", proof_cell(rp, c, sizeof(c)));
}

// SPDX-License-Identifier: GPL-2.0
/*
 * compare.c - the statistics and the table of `gupsync compare`; see
 * compare.h for the method.  The commands themselves are in
 * compare_cmd.c (arguments, loading the runs, `gupsync compare`) and
 * report.c (the cover letter of `gupsync report`).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "compare.h"
#include "stats.h"
#include "text.h"

#define PCT 100.0
#define NAME_W 22		/* metric column; longer names get a line */
#define NUM_W 8			/* "3.117M", "-4.2e-05" */
#define GAIN_W 7		/* "+123.45" */
#define CI_W 6			/* "+123.4" */
#define MAX_PARAMS 32

/* ---- statistics ------------------------------------------------------- */

static double cmp_median(double *x, size_t n)
{
	gsl_sort(x, 1, n);
	return stats_quantile_sorted(x, n, 0.5);
}

/* Percentile bootstrap of median(B*) / median(A*); NaN bounds when a
 * resampled median of A is 0. */
static int cmp_bootstrap(const double *a, size_t na, const double *b,
			 size_t nb, unsigned nboot, double *lo, double *hi)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double *ra = malloc(na * sizeof(*ra)), *rb = malloc(nb * sizeof(*rb));
	double *ratio = malloc(nboot * sizeof(*ratio));
	double tail = (1.0 - COMPARE_LEVEL) / 2.0;
	int rc = -1;

	*lo = *hi = NAN;
	if (!rng || !ra || !rb || !ratio)
		goto out;
	gsl_rng_set(rng, COMPARE_SEED);
	for (unsigned i = 0; i < nboot; i++) {
		gsl_ran_sample(rng, ra, na, (void *)a, na, sizeof(*a));
		gsl_ran_sample(rng, rb, nb, (void *)b, nb, sizeof(*b));
		ratio[i] = cmp_median(rb, nb) / cmp_median(ra, na);
		if (!isfinite(ratio[i])) {
			rc = 0;
			goto out;
		}
	}
	gsl_sort(ratio, 1, nboot);
	*lo = stats_quantile_sorted(ratio, nboot, tail);
	*hi = stats_quantile_sorted(ratio, nboot, 1.0 - tail);
	rc = 0;
out:
	gsl_rng_free(rng);
	free(ra);
	free(rb);
	free(ratio);
	return rc;
}

/* Welch, with two constant samples treated as certain (un)equal. */
static double cmp_welch(const double *a, size_t na, const double *b, size_t nb)
{
	double p = stats_welch_p(a, na, b, nb);

	if (isnan(p) && na >= 2 && nb >= 2 &&
	    gsl_stats_variance(a, 1, na) == 0.0 &&
	    gsl_stats_variance(b, 1, nb) == 0.0)
		p = a[0] == b[0] ? 1.0 : 0.0;
	return p;
}

/* Ratio B/A -> percent gain, + is better. */
static double cmp_gain(double ratio, enum better better)
{
	return better == BETTER_LOWER ? PCT * (1.0 - ratio) : PCT * (ratio - 1.0);
}

int compare_stat(const double *a, size_t na, const double *b, size_t nb,
		 enum better better, unsigned nboot, struct cmp_stat *out)
{
	double *s = malloc((na > nb ? na : nb) * sizeof(*s));
	double lo, hi;

	if (!a || !b || !out || !na || !nb || !nboot || !s) {
		free(s);
		errno = s ? EINVAL : ENOMEM;
		return -1;
	}
	*out = (struct cmp_stat){ .na = na, .nb = nb, .gain_lo = NAN,
				  .gain_hi = NAN, .p = NAN };
	memcpy(s, a, na * sizeof(*s));
	out->med_a = cmp_median(s, na);
	memcpy(s, b, nb * sizeof(*s));
	out->med_b = cmp_median(s, nb);
	free(s);
	out->gain = out->med_a != 0.0 ?
		cmp_gain(out->med_b / out->med_a, better) : NAN;
	if (na < 2 || nb < 2 || isnan(out->gain))
		return 0;
	if (cmp_bootstrap(a, na, b, nb, nboot, &lo, &hi) < 0)
		return -1;
	/* For lower-is-better the gain falls as the ratio rises. */
	out->gain_lo = cmp_gain(better == BETTER_LOWER ? hi : lo, better);
	out->gain_hi = cmp_gain(better == BETTER_LOWER ? lo : hi, better);
	out->p = cmp_welch(a, na, b, nb);
	out->sig = out->p < COMPARE_ALPHA &&
		   (out->gain_lo > 0.0 || out->gain_hi < 0.0);
	return 0;
}

/* ---- formatting ------------------------------------------------------- */

/* At most NUM_W characters: 4 significant digits, k/M/G/T suffix
 * (powers of 1000, as in 3.117M calls/s). */
static void cmp_num(double v, char *buf, size_t len)
{
	static const char sfx[] = " kMGT";
	double a = fabs(v);
	int i = 0;

	if (isnan(v)) {
		snprintf(buf, len, "NA");
		return;
	}
	if (a != 0.0 && a < 0.01) {
		snprintf(buf, len, v < 0 ? "%.1e" : "%.2e", v);
		return;
	}
	while (a >= 1e3 && i < 4) {
		a /= 1e3;
		v /= 1e3;
		i++;
	}
	snprintf(buf, len, "%.4g%.*s", v, i ? 1 : 0, &sfx[i]);
}

/* A signed percentage in at most w characters, fewer decimals if need
 * be, "NA" for NaN. */
static void cmp_pct(double v, int w, int prec, char *buf, size_t len)
{
	if (isnan(v)) {
		snprintf(buf, len, "NA");
		return;
	}
	for (; prec >= 0; prec--)
		if (snprintf(buf, len, "%+.*f", prec, v) <= w)
			return;
	snprintf(buf, len, "%s", v > 0 ? "+big" : "-big");
}

void compare_wrap(FILE *f, const char *head, const char *cont,
		  const char *text)
{
	fputs(head, f);
	text_wrap(f, strlen(head), cont, COMPARE_WIDTH, text);
}

static void cmp_row(FILE *f, const char *name, enum better better,
		    const struct cmp_stat *st)
{
	char a[16], b[16], g[16], lo[16], hi[16];
	char mark = st->sig ? '*' : ' ';

	cmp_num(st->med_a, a, sizeof(a));
	cmp_num(st->med_b, b, sizeof(b));
	cmp_pct(st->gain, GAIN_W, 2, g, sizeof(g));
	cmp_pct(st->gain_lo, CI_W, 1, lo, sizeof(lo));
	cmp_pct(st->gain_hi, CI_W, 1, hi, sizeof(hi));
	if (strlen(name) > NAME_W) {
		fprintf(f, " %s\n", name);
		name = "";
	}
	if (!isnan(st->gain))
		strcat(g, "%");
	fprintf(f, " %-*s %2s %*s %*s %c%*s%c [%*s,%*s]\n", NAME_W, name,
		better == BETTER_HIGHER ? "hi" : better == BETTER_LOWER ? "lo" : "--",
		NUM_W, a, NUM_W, b, mark, GAIN_W + 1, g, mark, CI_W, lo, CI_W, hi);
}

static void cmp_header(FILE *f, const struct cmp_opts *o)
{
	char a[2] = { o->tag_a ? o->tag_a : 'A' }, b[2] = { o->tag_b ? o->tag_b : 'B' };

	fprintf(f, " %-*s %2s %*s %*s %*s     95%% CI\n", NAME_W, "metric", "",
		NUM_W, a, NUM_W, b, GAIN_W + 2, "gain%");
}

/* ---- matching two runs ------------------------------------------------ */

struct cmp_match {
	const struct rundir *a, *b;	/* the first run of each side */
	const struct rundir *ra, *rb;	/* every run of each side */
	size_t nra, nrb;
	FILE *notes;			/* regime warnings, after the table */
	FILE *spread;			/* between/within-run spread lines */
	size_t nnotes;
	const char *names[MAX_PARAMS];	/* parameters both runs have */
	bool vary[MAX_PARAMS];		/* ... that take several values in A */
	size_t np;
	size_t *pts;			/* A's data points (first rows) */
	long npts;
};

/* A parameter only one run has must be constant there, or the points
 * cannot be matched. */
static int cmp_only_constant(const struct rundir *x, const struct rundir *y,
			     const char *which, char *err, size_t len)
{
	for (size_t k = 0; k < x->nparams; k++) {
		const char *name = x->summary.head[k];

		if (rundir_param(y, name) >= 0)
			continue;
		for (size_t r = 1; r < x->summary.nrows; r++)
			if (strcmp(csv_get(&x->summary, r, k),
				   csv_get(&x->summary, 0, k))) {
				snprintf(err, len, "parameter '%s' varies in %s "
					 "(%s) and the other run has no such "
					 "column: cannot match data points",
					 name, which, x->path);
				return -1;
			}
	}
	return 0;
}

static int cmp_match_init(struct cmp_match *m, const struct rundir *a,
			  const struct rundir *b, char *err, size_t len)
{
	memset(m, 0, sizeof(*m));
	m->a = a;
	m->b = b;
	if (cmp_only_constant(a, b, "A", err, len) < 0 ||
	    cmp_only_constant(b, a, "B", err, len) < 0)
		return -1;
	for (size_t k = 0; k < a->nparams && m->np < MAX_PARAMS; k++)
		if (rundir_param(b, a->summary.head[k]) >= 0)
			m->names[m->np++] = a->summary.head[k];
	m->npts = rundir_points(&a->summary, a->nparams, &m->pts);
	if (m->npts < 0) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	for (size_t k = 0; k < m->np; k++) {
		int c = rundir_param(a, m->names[k]);

		for (long i = 1; i < m->npts; i++)
			if (strcmp(csv_get(&a->summary, m->pts[i], (size_t)c),
				   csv_get(&a->summary, m->pts[0], (size_t)c)))
				m->vary[k] = true;
	}
	return 0;
}

/* "name=value ..." of the matched parameters that vary (or not). */
static void cmp_label(const struct cmp_match *m, size_t row, bool varying,
		      char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t k = 0; k < m->np; k++)
		if (m->vary[k] == varying)
			text_append(buf, len, "%s%s=%s", buf[0] ? " " : "",
				    m->names[k], csv_get(&m->a->summary, row,
					(size_t)rundir_param(m->a, m->names[k])));
}

/* The data points of x that y lacks: "# points only in TAG: label; ...". */
static void cmp_points_only(FILE *f, const struct cmp_match *m,
			    const struct rundir *x, const struct rundir *y,
			    char tag)
{
	char buf[2048] = "", lab[256], head[40];
	size_t *rows = NULL;
	long n = rundir_points(&x->summary, x->nparams, &rows);

	for (long i = 0; i < n; i++) {
		bool found = false;

		for (size_t r = 0; r < y->summary.nrows && !found; r++)
			found = rundir_same_point(x, &x->summary, rows[i], y,
						  &y->summary, r, m->names, m->np);
		if (found)
			continue;
		lab[0] = '\0';
		for (size_t k = 0; k < m->np; k++)
			text_append(lab, sizeof(lab), "%s%s=%s", lab[0] ? " " : "",
				    m->names[k], csv_get(&x->summary, rows[i],
					(size_t)rundir_param(x, m->names[k])));
		text_append(buf, sizeof(buf), "%s%s", buf[0] ? "; " : "",
			    lab[0] ? lab : "(the only point)");
	}
	free(rows);
	if (!buf[0])
		return;
	snprintf(head, sizeof(head), "# points only in %c: ", tag);
	compare_wrap(f, head, "#   ", buf);
}

/* B's summary row of A's row ra (same point, same metric), -1 if none. */
static long cmp_find_b(const struct cmp_match *m, size_t ra)
{
	const struct csv *sa = &m->a->summary, *sb = &m->b->summary;
	int ma = csv_col(sa, "metric"), mb = csv_col(sb, "metric");

	for (size_t r = 0; r < sb->nrows; r++)
		if (!strcmp(csv_get(sa, ra, (size_t)ma), csv_get(sb, r, (size_t)mb)) &&
		    rundir_same_point(m->a, sa, ra, m->b, sb, r, m->names, m->np))
			return (long)r;
	return -1;
}

/* Trial values of one metric at one point in runs[0..n), run after run:
 * *x malloc'd, cnt[r] per run; returns the total, -1 if a run lacks it. */
static long side_values(const struct cmp_match *m, const struct rundir *runs,
			size_t n, const char *const *vals, const char *metric,
			double **x, size_t *cnt)
{
	long total = 0;

	*x = NULL;
	for (size_t r = 0; r < n; r++) {
		double *v, *grown;
		long k = rundir_trial_values(&runs[r], m->names, vals, m->np,
					     metric, &v);

		if (k < 0) {
			free(*x);
			return -1;
		}
		grown = realloc(*x, (size_t)(total + k + 1) * sizeof(double));
		if (!grown) {
			free(v), free(*x);
			return -1;
		}
		*x = grown;
		memcpy(*x + total, v, (size_t)k * sizeof(double));
		free(v);
		cnt[r] = (size_t)k;
		total += k;
	}
	return total;
}

/* Warn (after the table) where a run's trials fall into two regimes. */
static void cmp_regimes(struct cmp_match *m, char side, size_t run,
			const struct rundir *rd, const char *metric,
			const double *x, size_t n, const char *label)
{
	struct regimes g;
	char buf[1024];

	if (!m->notes || stats_regimes(x, n, &g) < 0 || !g.found)
		return;
	m->nnotes++;
	snprintf(buf, sizeof(buf), "%c%zu (%s)%s%s: %s in two regimes, %.4g "
		 "(%zu trials) and %.4g (%zu trials): its median stands for "
		 "neither", side, run + 1, rundir_name(rd), label[0] ? " at " : "",
		 label, metric, g.med_lo, g.n_lo, g.med_hi, g.n_hi);
	compare_wrap(m->notes, "# warning: ", "#   ", buf);
}

static double pooled_median(const double *x, size_t n)
{
	double *s = malloc((n ? n : 1) * sizeof(*s)), med;

	if (!s)
		return NAN;
	memcpy(s, x, n * sizeof(*s));
	med = cmp_median(s, n);
	free(s);
	return med;
}

/* Several runs a side: medians of the pooled trials, the hierarchical
 * bootstrap's CI (stats_boot_ratio), significant when it excludes 0. */
static int cmp_replicated(const double *x, const size_t *cx, size_t nrx,
			  const double *y, const size_t *cy, size_t nry,
			  enum better better, unsigned nboot,
			  struct cmp_stat *st)
{
	struct runs_sample a = { x, cx, nrx }, b = { y, cy, nry };
	size_t nx = 0, ny = 0;
	double lo, hi;

	for (size_t r = 0; r < nrx; r++)
		nx += cx[r];
	for (size_t r = 0; r < nry; r++)
		ny += cy[r];
	*st = (struct cmp_stat){ .na = nx, .nb = ny, .gain_lo = NAN,
				 .gain_hi = NAN, .p = NAN };
	if (!nx || !ny)
		return -1;
	st->med_a = pooled_median(x, nx);
	st->med_b = pooled_median(y, ny);
	st->gain = st->med_a != 0.0 ? cmp_gain(st->med_b / st->med_a, better) : NAN;
	if (isnan(st->gain) || stats_boot_ratio(&a, &b, BOOT_HIERARCHICAL, nboot,
						COMPARE_SEED, COMPARE_LEVEL,
						&lo, &hi) < 0)
		return 0;
	st->gain_lo = cmp_gain(1.0 + (better == BETTER_LOWER ? hi : lo), better);
	st->gain_hi = cmp_gain(1.0 + (better == BETTER_LOWER ? lo : hi), better);
	st->sig = st->gain_lo > 0.0 || st->gain_hi < 0.0;
	return 0;
}

/* "between/within" of one side in % of its median, into buf. */
static void cmp_spread(const double *x, const size_t *c, size_t nr,
		       double med, char *buf, size_t len)
{
	struct runs_sample s = { x, c, nr };
	double between, within;

	stats_run_spread(&s, &between, &within);
	snprintf(buf, len, "%.2f%%/%.2f%%", 100 * between / fabs(med),
		 100 * within / fabs(med));
}

/* The statistics of summary row ra of A against B's samples. */
static int cmp_one(struct cmp_match *m, size_t ra, enum better better,
		   unsigned nboot, struct cmp_stat *st)
{
	const struct csv *sa = &m->a->summary;
	const char *metric = csv_get(sa, ra, (size_t)csv_col(sa, "metric"));
	const char *vals[MAX_PARAMS];
	double *x = NULL, *y = NULL;
	long nx, ny;
	int rc = -1;

	size_t cx[CMP_SIDE_MAX], cy[CMP_SIDE_MAX];
	char label[512];

	for (size_t k = 0; k < m->np; k++)
		vals[k] = csv_get(sa, ra, (size_t)rundir_param(m->a, m->names[k]));
	nx = side_values(m, m->ra, m->nra, vals, metric, &x, cx);
	ny = side_values(m, m->rb, m->nrb, vals, metric, &y, cy);
	if (nx > 0 && ny > 0 && m->nra == 1 && m->nrb == 1)
		rc = compare_stat(x, (size_t)nx, y, (size_t)ny, better, nboot, st);
	else if (nx > 0 && ny > 0)
		rc = cmp_replicated(x, cx, m->nra, y, cy, m->nrb, better, nboot, st);
	if (rc == 0) {
		size_t off = 0;

		cmp_label(m, ra, true, label, sizeof(label));
		for (size_t r = 0; r < m->nra; off += cx[r], r++)
			cmp_regimes(m, 'A', r, &m->ra[r], metric, x + off, cx[r], label);
		off = 0;
		for (size_t r = 0; r < m->nrb; off += cy[r], r++)
			cmp_regimes(m, 'B', r, &m->rb[r], metric, y + off, cy[r], label);
		if (m->notes && (m->nra > 1 || m->nrb > 1) && better != BETTER_NONE) {
			char sa_[64], sb_[64];

			cmp_spread(x, cx, m->nra, st->med_a, sa_, sizeof(sa_));
			cmp_spread(y, cy, m->nrb, st->med_b, sb_, sizeof(sb_));
			fprintf(m->spread, "#   %-22s A %s  B %s\n", metric, sa_, sb_);
		}
	}
	free(x);
	free(y);
	return rc;
}

static bool cmp_same_point(const struct cmp_match *m, size_t r1, size_t r2)
{
	return rundir_same_point(m->a, &m->a->summary, r1, m->a,
				 &m->a->summary, r2, m->names, m->np);
}

/* The rows of one data point of A (first row pt). */
static void cmp_point(FILE *f, struct cmp_match *m, size_t pt,
		      const struct cmp_opts *o, struct cmp_counts *cnt)
{
	const struct csv *sa = &m->a->summary;
	int cb = csv_col(sa, "better");
	bool labelled = false;
	char label[512];

	cmp_label(m, pt, true, label, sizeof(label));
	for (size_t r = pt; r < sa->nrows; r++) {
		enum better better = rundir_better(csv_get(sa, r, (size_t)cb));
		struct cmp_stat st;

		if (!cmp_same_point(m, pt, r) || (better == BETTER_NONE && !o->all) ||
		    cmp_find_b(m, r) < 0 ||
		    cmp_one(m, r, better, o->nboot ? o->nboot : COMPARE_NBOOT, &st) < 0)
			continue;
		if (!labelled && label[0])
			compare_wrap(f, "", "  ", label);
		labelled = true;
		cmp_row(f, csv_get(sa, r, (size_t)csv_col(sa, "metric")), better, &st);
		cnt->shown++;
		cnt->sig += st.sig;
		cnt->better += st.sig && st.gain > 0 && better != BETTER_NONE;
		cnt->worse += st.sig && st.gain < 0 && better != BETTER_NONE;
	}
}

int compare_table(FILE *f, const struct rundir *a, const struct rundir *b,
		  const struct cmp_opts *o, struct cmp_counts *cnt, char *err,
		  size_t len)
{
	return compare_table_runs(f, a, 1, b, 1, o, cnt, err, len);
}

/* Copy what a memstream collected to f. */
static void flush_mem(FILE *f, FILE *mem, char **buf)
{
	if (!mem)
		return;
	fclose(mem);
	if (*buf)
		fputs(*buf, f);
	free(*buf);
}

int compare_table_runs(FILE *f, const struct rundir *a, size_t na,
		       const struct rundir *b, size_t nb,
		       const struct cmp_opts *o, struct cmp_counts *cnt,
		       char *err, size_t len)
{
	struct cmp_match m;
	char fixed[512], *notes = NULL, *spread = NULL;
	size_t nnotes = 0, nspread = 0;

	memset(cnt, 0, sizeof(*cnt));
	if (!na || !nb || na > CMP_SIDE_MAX || nb > CMP_SIDE_MAX) {
		snprintf(err, len, "1 to %d runs a side", CMP_SIDE_MAX);
		return -1;
	}
	if (cmp_match_init(&m, a, b, err, len) < 0)
		return -1;
	m.ra = a, m.nra = na, m.rb = b, m.nrb = nb;
	m.notes = open_memstream(&notes, &nnotes);
	m.spread = open_memstream(&spread, &nspread);
	if (m.npts > 0) {
		cmp_label(&m, m.pts[0], false, fixed, sizeof(fixed));
		if (fixed[0])
			compare_wrap(f, "all points: ", "  ", fixed);
	}
	cmp_header(f, o);
	for (long i = 0; i < m.npts; i++)
		cmp_point(f, &m, m.pts[i], o, cnt);
	free(m.pts);
	if (na > 1 || nb > 1) {
		char line[256];

		snprintf(line, sizeof(line), "%zu of A, %zu of B; medians of the "
			 "pooled trials; CI by hierarchical bootstrap (runs, then "
			 "trials within runs, t-widened for few runs); * = the CI "
			 "excludes 0", na, nb);
		compare_wrap(f, "# runs: ", "#   ", line);
		if (m.spread && fflush(m.spread) == 0 && nspread)
			compare_wrap(f, "# ", "#   ", "spread between runs / within "
				     "a run (sd of the run medians / median sd of "
				     "trials in a run), in % of the median:");
	}
	flush_mem(f, m.spread, &spread);
	flush_mem(f, m.notes, &notes);
	cmp_points_only(f, &m, a, b, o->tag_a ? o->tag_a : 'A');
	cmp_points_only(f, &m, b, a, o->tag_b ? o->tag_b : 'B');
	cnt->regimes = m.nnotes;
	if (!cnt->shown) {
		snprintf(err, len, "%s and %s have no data point and metric in "
			 "common%s", a->path, b->path,
			 o->all ? "" : " (with a better direction; try --all)");
		return -1;
	}
	return 0;
}

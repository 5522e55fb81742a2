// SPDX-License-Identifier: GPL-2.0
/*
 * compare.c - the statistics and the table of `gupsync compare`; see
 * compare.h for the method.  The commands themselves (argument parsing,
 * headers, the cover letter of `gupsync report`) are in the second half.
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
#include "options.h"
#include "stats.h"
#include "text.h"

#define PCT 100.0
#define NAME_W 22		/* metric column; longer names get a line */
#define NUM_W 8			/* "3.117M", "-4.2e-05" */
#define GAIN_W 7		/* "+123.45" */
#define CI_W 6			/* "+123.4" */
#define MAX_PARAMS 32
#define MAX_RUNS 16

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

static void cmp_header(FILE *f)
{
	fprintf(f, " %-*s %2s %*s %*s %*s     95%% CI\n", NAME_W, "metric", "",
		NUM_W, "A", NUM_W, "B", GAIN_W + 2, "gain%");
}

/* ---- matching two runs ------------------------------------------------ */

struct cmp_match {
	const struct rundir *a, *b;
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

/* The statistics of summary row ra of A against B's samples. */
static int cmp_one(const struct cmp_match *m, size_t ra, enum better better,
		   unsigned nboot, struct cmp_stat *st)
{
	const struct csv *sa = &m->a->summary;
	const char *metric = csv_get(sa, ra, (size_t)csv_col(sa, "metric"));
	const char *vals[MAX_PARAMS];
	double *x = NULL, *y = NULL;
	long nx, ny;
	int rc = -1;

	for (size_t k = 0; k < m->np; k++)
		vals[k] = csv_get(sa, ra, (size_t)rundir_param(m->a, m->names[k]));
	nx = rundir_trial_values(m->a, m->names, vals, m->np, metric, &x);
	ny = rundir_trial_values(m->b, m->names, vals, m->np, metric, &y);
	if (nx > 0 && ny > 0)
		rc = compare_stat(x, (size_t)nx, y, (size_t)ny, better, nboot, st);
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
static void cmp_point(FILE *f, const struct cmp_match *m, size_t pt,
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
	struct cmp_match m;
	char fixed[512];

	memset(cnt, 0, sizeof(*cnt));
	if (cmp_match_init(&m, a, b, err, len) < 0)
		return -1;
	if (m.npts > 0) {
		cmp_label(&m, m.pts[0], false, fixed, sizeof(fixed));
		if (fixed[0])
			compare_wrap(f, "all points: ", "  ", fixed);
	}
	cmp_header(f);
	for (long i = 0; i < m.npts; i++)
		cmp_point(f, &m, m.pts[i], o, cnt);
	free(m.pts);
	if (!cnt->shown) {
		snprintf(err, len, "%s and %s have no data point and metric in "
			 "common%s", a->path, b->path,
			 o->all ? "" : " (with a better direction; try --all)");
		return -1;
	}
	return 0;
}

/* ---- the commands ----------------------------------------------------- */

struct cmp_args {
	struct cmp_opts o;
	const char *paths[MAX_RUNS];
	size_t n;
	const char *outdir;	/* report: -o DIR */
	bool no_plots;		/* report */
};

static int cmp_usage(const char *cmd, bool ok)
{
	FILE *f = ok ? stdout : stderr;

	if (!strcmp(cmd, "report"))
		fprintf(f, "usage: gupsync report [--all] [--no-plots] [-o DIR] "
			"RUN_A RUN_B\n  a cover-letter block: machine, method, "
			"the comparison, the plot files\n");
	else
		fprintf(f, "usage: gupsync compare [--all] RUN_A RUN_B [RUN...]\n"
			"  each RUN against RUN_A, per data point and metric;\n"
			"  --all also shows counter-per-op metrics (no better "
			"direction)\n");
	return ok ? 0 : EXIT_USAGE;
}

/* 1 for --help, 0 to go on, EXIT_USAGE on bad input. */
static int cmp_parse(int argc, char **argv, struct cmp_args *a)
{
	bool report = !strcmp(argv[0], "report");

	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (!strcmp(s, "--help") || !strcmp(s, "-h"))
			return 1;
		if (!strcmp(s, "--all")) {
			a->o.all = true;
		} else if (report && !strcmp(s, "--no-plots")) {
			a->no_plots = true;
		} else if (report && !strcmp(s, "-o") && i + 1 < argc) {
			a->outdir = argv[++i];
		} else if (s[0] == '-') {
			fprintf(stderr, "gupsync %s: unknown option '%s'; allowed: "
				"--all%s\n", argv[0], s,
				report ? ", --no-plots, -o DIR" : "");
			return EXIT_USAGE;
		} else if (a->n == (report ? 2 : MAX_RUNS)) {
			fprintf(stderr, "gupsync %s: too many runs ('%s'); allowed: "
				"%d\n", argv[0], s, report ? 2 : MAX_RUNS);
			return EXIT_USAGE;
		} else {
			a->paths[a->n++] = s;
		}
	}
	if (a->n < 2) {
		fprintf(stderr, "gupsync %s: needs two run directories "
			"(results/BENCH-DATE), got %zu\n", argv[0], a->n);
		return EXIT_USAGE;
	}
	return 0;
}

/* Load every run; one benchmark only. */
static int cmp_load(const char *cmd, const struct cmp_args *a,
		    struct rundir *runs)
{
	char err[1024];

	for (size_t i = 0; i < a->n; i++) {
		if (rundir_load(a->paths[i], &runs[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "gupsync %s: %s\n", cmd, err);
			while (i--)
				rundir_free(&runs[i]);
			return 1;
		}
	}
	for (size_t i = 1; i < a->n; i++)
		if (strcmp(rundir_bench(&runs[0]), rundir_bench(&runs[i]))) {
			fprintf(stderr, "gupsync %s: %s is %s but %s is %s; compare "
				"runs of one benchmark\n", cmd, runs[0].path,
				rundir_bench(&runs[0]), runs[i].path,
				rundir_bench(&runs[i]));
			for (size_t k = 0; k < a->n; k++)
				rundir_free(&runs[k]);
			return EXIT_USAGE;
		}
	return 0;
}

static void cmp_describe(FILE *f, const struct rundir *rd, char tag)
{
	char head[8], line[512];

	snprintf(head, sizeof(head), "# %c: ", tag);
	compare_wrap(f, head, "#      ", rd->path);
	rundir_machine(rd, line, sizeof(line));
	compare_wrap(f, "#    ", "#      ", line);
	compare_wrap(f, "#    ", "#      ", rundir_command(rd));
	rundir_method(rd, line, sizeof(line));
	compare_wrap(f, "#    ", "#      ", line);
}

static const char cmp_method[] =
	"medians over trials; gain% is (B-A)/A where higher is better (hi) "
	"and (A-B)/A where lower is better (lo), so + is better either way; "
	"[95% CI of gain%] by bootstrap of the medians (10000 resamples, "
	"fixed seed); * = Welch p < 0.05 on the means and the CI excludes 0";

/* Metric names of x that y does not have, for one line. */
static void cmp_only_in(FILE *f, const struct rundir *x,
			const struct rundir *y, const char *head)
{
	const struct csv *s = &x->summary;
	int c = csv_col(s, "metric"), cy = csv_col(&y->summary, "metric");
	char buf[2048] = "";

	for (size_t r = 0; r < s->nrows; r++) {
		const char *name = csv_get(s, r, (size_t)c);
		bool seen = false;

		for (size_t q = 0; q < r && !seen; q++)
			seen = !strcmp(csv_get(s, q, (size_t)c), name);
		for (size_t q = 0; q < y->summary.nrows && !seen; q++)
			seen = !strcmp(csv_get(&y->summary, q, (size_t)cy), name);
		if (!seen)
			text_append(buf, sizeof(buf), "%s%s", buf[0] ? ", " : "", name);
	}
	if (buf[0])
		compare_wrap(f, head, "#   ", buf);
}

static int cmp_tables(const struct cmp_args *a, const struct rundir *runs)
{
	char err[1024], head[64];

	for (size_t i = 1; i < a->n; i++) {
		struct cmp_counts cnt;

		if (a->n > 2)
			printf("\n## %c against A\n", (int)('A' + i));
		if (compare_table(stdout, &runs[0], &runs[i], &a->o, &cnt, err,
				  sizeof(err)) < 0) {
			fprintf(stderr, "gupsync compare: %s\n", err);
			return 1;
		}
		printf("# %zu of %zu metrics significant: %zu better, %zu worse\n",
		       cnt.sig, cnt.shown, cnt.better, cnt.worse);
		snprintf(head, sizeof(head), "# only in %c: ", 'A');
		cmp_only_in(stdout, &runs[0], &runs[i], head);
		snprintf(head, sizeof(head), "# only in %c: ", (int)('A' + i));
		cmp_only_in(stdout, &runs[i], &runs[0], head);
	}
	return 0;
}

int compare_cmd(int argc, char **argv, const char *cmdline)
{
	struct rundir runs[MAX_RUNS];
	struct cmp_args a;
	int rc = cmp_parse(argc, argv, &a);

	(void)cmdline;
	if (rc)
		return cmp_usage(argv[0], rc == 1);
	rc = cmp_load(argv[0], &a, runs);
	if (rc)
		return rc;
	printf("# gupsync compare %s: each run against A\n", rundir_bench(&runs[0]));
	for (size_t i = 0; i < a.n; i++)
		cmp_describe(stdout, &runs[i], (char)('A' + i));
	compare_wrap(stdout, "# method: ", "#   ", cmp_method);
	rc = cmp_tables(&a, runs);
	for (size_t i = 0; i < a.n; i++)
		rundir_free(&runs[i]);
	return rc;
}

/* ---- gupsync report: the cover-letter block ---------------------------- */

static void rep_machine(const struct rundir *r)
{
	char ma[512], mb[512], line[1100];

	rundir_machine(&r[0], ma, sizeof(ma));
	rundir_machine(&r[1], mb, sizeof(mb));
	if (!strcmp(ma, mb))
		snprintf(line, sizeof(line), "%s", ma);
	else
		snprintf(line, sizeof(line), "A %s; B %s", ma, mb);
	compare_wrap(stdout, "Machine: ", "         ", line);
}

static void rep_kernel(const struct rundir *r)
{
	char ca[512], cb[512], line[1400];

	rundir_config(&r[0], ca, sizeof(ca));
	rundir_config(&r[1], cb, sizeof(cb));
	if (!strcmp(ca, cb))
		snprintf(line, sizeof(line), "A %s vs B %s; %s", rundir_kernel(&r[0]),
			 rundir_kernel(&r[1]), ca);
	else
		snprintf(line, sizeof(line), "A %s (%s) vs B %s (%s)",
			 rundir_kernel(&r[0]), ca, rundir_kernel(&r[1]), cb);
	compare_wrap(stdout, "Kernel:  ", "         ", line);
}

#define REP_MAX_WORDS 128

static size_t rep_words(char *s, char **w)
{
	size_t n = 0;

	for (char *save, *t = strtok_r(s, " ", &save); t && n < REP_MAX_WORDS;
	     t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	return n;
}

/* "A's command; B: X instead of Y": the words between the common first
 * and last ones, so the one option that differs stands out. */
static void rep_commands(const struct rundir *r, char *buf, size_t len)
{
	char a[1024], b[1024], *wa[REP_MAX_WORDS], *wb[REP_MAX_WORDS];
	size_t na, nb, pre = 0, suf = 0;

	snprintf(a, sizeof(a), "%s", rundir_command(&r[0]));
	snprintf(b, sizeof(b), "%s", rundir_command(&r[1]));
	snprintf(buf, len, "%s", a);
	na = rep_words(a, wa);
	nb = rep_words(b, wb);
	while (pre < na && pre < nb && !strcmp(wa[pre], wb[pre]))
		pre++;
	while (suf < na - pre && suf < nb - pre &&
	       !strcmp(wa[na - 1 - suf], wb[nb - 1 - suf]))
		suf++;
	if (pre == na && pre == nb)
		return;
	text_append(buf, len, "; B:");
	for (size_t i = pre; i < nb - suf; i++)
		text_append(buf, len, " %s", wb[i]);
	text_append(buf, len, "%s", pre + suf == na ? " added" :
		    pre + suf == nb ? " without" : " instead of");
	for (size_t i = pre; i < na - suf; i++)
		text_append(buf, len, " %s", wa[i]);
}

static void rep_method(const struct rundir *r)
{
	char ma[128], mb[128], line[2400];

	rep_commands(r, line, sizeof(line));
	rundir_method(&r[0], ma, sizeof(ma));
	rundir_method(&r[1], mb, sizeof(mb));
	if (!strcmp(ma, mb))
		text_append(line, sizeof(line), "; %s;", ma);
	else
		text_append(line, sizeof(line), "; A %s, B %s;", ma, mb);
	text_append(line, sizeof(line), " median; gain%% + is better; 95%% CI "
		    "by bootstrap; * Welch p<%.2g and CI excludes 0", COMPARE_ALPHA);
	compare_wrap(stdout, "Method:  ", "         ", line);
}

static void rep_plots(const struct cmp_args *a, struct rundir *runs)
{
	struct plot_files pf = { 0 };
	char dir[RUNDIR_PATH_MAX + 32], err[1024], *names;
	size_t len = 0;

	if (a->no_plots)
		return;
	if (a->outdir)
		snprintf(dir, sizeof(dir), "%s", a->outdir);
	else
		plot_default_dir(runs, a->n, dir, sizeof(dir));
	if (plot_runs(runs, a->n, dir, &pf, err, sizeof(err)) < 0) {
		compare_wrap(stdout, "Plots:   ", "         ", err);
		return;
	}
	for (size_t i = 0; i < pf.n; i++)
		len += strlen(pf.path[i]) + 2;
	names = calloc(1, len + 1);
	for (size_t i = 0; names && i < pf.n; i++) {
		const char *png = strrchr(pf.path[i], '/');

		if (strstr(pf.path[i], ".png"))
			strcat(strcat(names, png ? png + 1 : pf.path[i]), " ");
	}
	printf("\n");
	compare_wrap(stdout, "Plots:   ", "         ", dir);
	compare_wrap(stdout, "         ", "         ", names ? names : "");
	compare_wrap(stdout, "         ", "         ", "(each also as .svg)");
	free(names);
	plot_files_free(&pf);
}

int report_cmd(int argc, char **argv, const char *cmdline)
{
	struct rundir runs[2];
	struct cmp_counts cnt;
	struct cmp_args a;
	char err[1024];
	int rc = cmp_parse(argc, argv, &a);

	(void)cmdline;
	if (rc)
		return cmp_usage(argv[0], rc == 1);
	rc = cmp_load(argv[0], &a, runs);
	if (rc)
		return rc;
	rep_machine(runs);
	rep_kernel(runs);
	rep_method(runs);
	printf("\n");
	rc = compare_table(stdout, &runs[0], &runs[1], &a.o, &cnt, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "gupsync report: %s\n", err);
	else
		printf("%zu of %zu significant (*): %zu better, %zu worse\n",
		       cnt.sig, cnt.shown, cnt.better, cnt.worse);
	if (rc == 0)
		rep_plots(&a, runs);
	rundir_free(&runs[0]);
	rundir_free(&runs[1]);
	return rc < 0 ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * plot.c - prepare data files and run gnuplot on the plots/ scripts;
 * see plot.h.
 *
 * Points come from trials.csv: per data point, the median over trials of
 * the quantity (one metric, or a sum of counters per operation) and its
 * 95% CI (stats_compute(), as in summary.csv; where a point had too few
 * trials for a CI, min..max).  A curve is one run and one combination of
 * the parameters that vary, other than threads (the x axis): the same
 * combination keeps its colour across runs, and each run its own point
 * type, so that an A/B overlay pairs up at a glance.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_sort.h>

#include "options.h"
#include "plot.h"
#include "stats.h"
#include "text.h"

extern char **environ;

#define PL_MAX_RUNS 16
#define PL_MAX_CURVES 64	/* per figure: past that it is unreadable */
#define PL_MAX_COMBOS 8		/* parameter combinations per figure, else
				 * one figure per value of the first ones */
#define PL_MAX_FACETS 256
#define PL_MAX_PARAMS 32
#define PL_CDF_POINTS 1000	/* per CDF curve: enough for a smooth line */
#define PL_DODGE 0.012		/* x shift between curves, of the x range */
#define PL_XTICS 8		/* about this many x tics, whole CPUs */
#define PL_YTICS 5		/* and about this many y tics */
#define PL_SINGLE_X 0.8		/* share of the x range curves spread over
				 * when all points have one CPU count */
#define NS_PER_US 1e3
#define X_PARAM "threads"	/* the CPU count of a data point */

/* gnuplot point types per run: circle, square, triangle, diamond. */
static const int pl_run_pt[] = { 7, 5, 9, 13 };

struct pl_fig {
	const struct rundir *runs;
	size_t n;
	const char *dir;
	const char *label_params[PL_MAX_PARAMS]; /* vary (not X_PARAM) */
	size_t nlabel;
	const char *split[PL_MAX_PARAMS];	/* ... one figure per value */
	size_t nsplit, nfacets;
	struct pl_facet {
		const char *val[PL_MAX_PARAMS];	/* of split[] */
		char label[256];		/* "op=munmap pages=512" */
	} *facets;
	const struct pl_facet *cur;	/* the figure being drawn, or NULL */
	bool placement_differs;
	char t2[512], t3[512];		/* title lines: kernels, machine */
	long *row_point[PL_MAX_RUNS];	/* samples row -> run 0's CDF point */
	struct plot_files *out;
	char *err;
	size_t len;
};

/* The curves of one figure, in the order of their blocks. */
struct pl_curves {
	int n, ncombos;
	char label[PL_MAX_CURVES][256];
	int lc[PL_MAX_CURVES], pt[PL_MAX_CURVES], dt[PL_MAX_CURVES];
	char combo[PL_MAX_CURVES][192];	/* colour: parameter combination */
	double xmin, xmax, ymin, ymax;
};

/* ---- gnuplot ---------------------------------------------------------- */

/* name='value'; with ' doubled (gnuplot's single-quoted strings). */
static void pl_var(char *buf, size_t len, const char *name, const char *val)
{
	size_t off;

	text_append(buf, len, "%s='", name);
	for (off = strlen(buf); *val && off + 3 < len; val++) {
		if (*val == '\'')
			buf[off++] = '\'';
		buf[off++] = *val;
	}
	buf[off] = '\0';
	text_append(buf, len, "'; ");
}

/* name='1 2 3'; one word per curve. */
static void pl_words(char *buf, size_t len, const char *name, const int *v,
		     int n)
{
	char w[4 * PL_MAX_CURVES + 1] = "";

	for (int i = 0; i < n; i++)
		text_append(w, sizeof(w), "%s%d", i ? " " : "", v[i]);
	pl_var(buf, len, name, w);
}

static void pl_scripts(char *buf, size_t len)
{
	const char *env = getenv("GUPSYNC_PLOTS");
	char exe[PATH_MAX], test[PATH_MAX + 32];
	ssize_t n;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		snprintf(test, sizeof(test), "%s/plots/common.gp", exe);
		/* A truncated path would not be the directory: fall back. */
		if (access(test, R_OK) == 0 &&
		    snprintf(buf, len, "%s/plots", exe) < (int)len)
			return;
	}
	snprintf(buf, len, "plots");
}

static int pl_gnuplot(struct pl_fig *fg, const char *script, const char *vars,
		      const char *outbase)
{
	char dir[PATH_MAX], path[PATH_MAX + 64], all[16384] = "";
	char *argv[] = { "gnuplot", "-e", all, path, NULL };
	pid_t pid;
	int rc, st;

	pl_scripts(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, script);
	if (access(path, R_OK) < 0) {
		snprintf(fg->err, fg->len, "%s: %s (set GUPSYNC_PLOTS to the "
			 "plots/ directory)", path, strerror(errno));
		return -1;
	}
	pl_var(all, sizeof(all), "plotdir", dir);
	pl_var(all, sizeof(all), "outbase", outbase);
	text_append(all, sizeof(all), "%s", vars);
	rc = posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ);
	if (rc) {
		snprintf(fg->err, fg->len, "posix_spawnp(gnuplot): %s; `make deps` "
			 "installs gnuplot-nox", strerror(rc));
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			snprintf(fg->err, fg->len, "waitpid(gnuplot): %s",
				 strerror(errno));
			return -1;
		}
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		snprintf(fg->err, fg->len, "gnuplot %s for %s failed (status %d)",
			 path, outbase, st);
		return -1;
	}
	return 0;
}

static int pl_add(struct pl_fig *fg, const char *outbase)
{
	static const char *const ext[] = { ".png", ".svg" };
	struct plot_files *pf = fg->out;

	for (int i = 0; i < 2; i++) {
		char p[PATH_MAX], **more;

		snprintf(p, sizeof(p), "%s%s", outbase, ext[i]);
		if (access(p, R_OK) < 0)
			return text_err(fg->err, fg->len, "gnuplot wrote no %s", p);
		if (pf->n == pf->cap) {
			pf->cap = pf->cap ? 2 * pf->cap : 64;
			more = realloc(pf->path, pf->cap * sizeof(*more));
			if (!more)
				return text_err(fg->err, fg->len, "out of memory");
			pf->path = more;
		}
		if (!(pf->path[pf->n] = strdup(p)))
			return text_err(fg->err, fg->len, "out of memory");
		pf->n++;
	}
	return 0;
}

/*
 * The y tic format: from 1000 up an SI prefix (3.12M), below it plain,
 * with as many decimals as tics about a fifth of the range apart need, so
 * that 3.12M and 3.13M do not both read 3.1M; %g when all is below 1.
 */
static void pl_yfmt(const struct pl_curves *cv, char *buf, size_t len)
{
	double a = fmax(fabs(cv->ymin), fabs(cv->ymax));
	double unit = a >= 1000 ? pow(1000, floor(log10(a) / 3)) : 1;
	double step = (cv->ymax - cv->ymin) / unit / PL_YTICS;
	int dec = step > 0 ? (int)ceil(-log10(step)) : 1;

	dec = dec < 0 ? 0 : dec > 4 ? 4 : dec;
	if (!(a >= 1))
		snprintf(buf, len, "%%g");
	else
		snprintf(buf, len, a >= 1000 ? "%%.%ds%%c" : "%%.%df", dec);
}

/* Render one figure from its data file (written before, see pl_data). */
static int pl_render(struct pl_fig *fg, const char *script, const char *name,
		     const struct pl_curves *cv, const char *t1,
		     const char *xlabel, const char *ylabel)
{
	char vars[12288] = "", outbase[PATH_MAX], data[PATH_MAX + 16], yfmt[16];
	double xrange = cv->xmax > cv->xmin ? cv->xmax - cv->xmin : 0.0;

	if (!cv->n)
		return 0;
	snprintf(outbase, sizeof(outbase), "%s/%s", fg->dir, name);
	snprintf(data, sizeof(data), "%s/data/%s.dat", fg->dir, name);
	pl_var(vars, sizeof(vars), "datafile", data);
	pl_var(vars, sizeof(vars), "t1", t1);
	pl_var(vars, sizeof(vars), "t2", fg->t2);
	pl_var(vars, sizeof(vars), "t3", fg->t3);
	pl_var(vars, sizeof(vars), "xlabel", xlabel);
	pl_var(vars, sizeof(vars), "ylabel", ylabel);
	pl_yfmt(cv, yfmt, sizeof(yfmt));
	pl_var(vars, sizeof(vars), "yfmt", yfmt);
	pl_words(vars, sizeof(vars), "lcs", cv->lc, cv->n);
	pl_words(vars, sizeof(vars), "pts", cv->pt, cv->n);
	pl_words(vars, sizeof(vars), "dts", cv->dt, cv->n);
	/* One CPU count only: the curves side by side across a unit range. */
	text_append(vars, sizeof(vars), "nblocks=%d; dodge=%g; xstep=%g; "
		    "xmin=%g; xmax=%g;", cv->n, xrange > 0 ? PL_DODGE * xrange :
		    PL_SINGLE_X / cv->n, fmax(1.0, ceil(xrange / PL_XTICS)),
		    cv->xmin, cv->xmax);
	if (pl_gnuplot(fg, script, vars, outbase) < 0)
		return -1;
	return pl_add(fg, outbase);
}

static FILE *pl_data(struct pl_fig *fg, const char *name)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/data/%s.dat", fg->dir, name);
	f = fopen(p, "we");
	if (!f)
		snprintf(fg->err, fg->len, "fopen(%s): %s", p, strerror(errno));
	return f;
}

/* Append word s to the label in buf, space-separated. */
static void pl_cat(char *buf, size_t len, const char *s)
{
	if (*s)
		text_append(buf, len, "%s%s", buf[0] ? " " : "", s);
}

/* ---- which parameters label curves, which split figures ---------- */

/* The parameters that vary (other than X_PARAM): label the curves, or,
 * the first ones while there are too many combinations, split figures. */
static void pl_labels(struct pl_fig *fg)
{
	size_t combos = 1, nv[PL_MAX_PARAMS];

	for (size_t i = 0; i < fg->n; i++)
		for (size_t k = 0; k < fg->runs[i].nparams; k++) {
			const char *name = fg->runs[i].summary.head[k];
			size_t v = rundir_nvalues(fg->runs, fg->n, name);
			bool have = !strcmp(name, X_PARAM);

			for (size_t j = 0; j < fg->nlabel && !have; j++)
				have = !strcmp(fg->label_params[j], name);
			if (!have && v > 1 && fg->nlabel < PL_MAX_PARAMS) {
				nv[fg->nlabel] = v;
				fg->label_params[fg->nlabel++] = name;
				combos *= v;
			}
		}
	while (combos > PL_MAX_COMBOS && fg->nlabel > 1) {
		fg->split[fg->nsplit++] = fg->label_params[0];
		combos /= nv[0];
		memmove(fg->label_params, fg->label_params + 1,
			--fg->nlabel * sizeof(fg->label_params[0]));
		memmove(nv, nv + 1, fg->nlabel * sizeof(nv[0]));
	}
	/* Placement as a parameter column is a label parameter already. */
	for (size_t i = 1; i < fg->n; i++)
		if (rundir_param(&fg->runs[i], "placement") < 0 &&
		    strcmp(rundir_placement(&fg->runs[i]), rundir_placement(&fg->runs[0])))
			fg->placement_differs = true;
}

/* The distinct value tuples of the split parameters, in order. */
static int pl_facets(struct pl_fig *fg)
{
	if (!fg->nsplit)
		return 0;
	fg->facets = calloc(PL_MAX_FACETS, sizeof(*fg->facets));
	if (!fg->facets) {
		snprintf(fg->err, fg->len, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < fg->n; i++)
		for (size_t r = 0; r < fg->runs[i].summary.nrows; r++) {
			struct pl_facet *f = &fg->facets[fg->nfacets];
			char kv[128];
			size_t k;

			if (fg->nfacets == PL_MAX_FACETS)
				return 0;
			f->label[0] = '\0';
			for (k = 0; k < fg->nsplit; k++) {
				int c = rundir_param(&fg->runs[i], fg->split[k]);

				f->val[k] = c < 0 ? "" : csv_get(&fg->runs[i].summary, r,
								(size_t)c);
				snprintf(kv, sizeof(kv), "%s=%s", fg->split[k], f->val[k]);
				pl_cat(f->label, sizeof(f->label), kv);
			}
			for (k = 0; k < fg->nfacets; k++)
				if (!strcmp(fg->facets[k].label, f->label))
					break;
			fg->nfacets += k == fg->nfacets;
		}
	return 0;
}

/* Draw fn once, or once per facet. */
static int pl_each(struct pl_fig *fg, int (*fn)(struct pl_fig *, const void *),
		   const void *arg)
{
	int rc = 0;

	if (!fg->nfacets)
		return fn(fg, arg);
	for (size_t k = 0; k < fg->nfacets && rc == 0; k++) {
		fg->cur = &fg->facets[k];
		rc = fn(fg, arg);
	}
	fg->cur = NULL;
	return rc;
}

/* base, and the facet's parameters: "gup_fast_ns-page-size=2M". */
static void pl_name(const struct pl_fig *fg, const char *base, char *buf,
		    size_t len)
{
	snprintf(buf, len, "%s%s%s", base, fg->cur ? "-" : "",
		 fg->cur ? fg->cur->label : "");
	for (char *c = buf; *c; c++)
		if (*c == ' ' || *c == '/' || *c == ':')
			*c = *c == ' ' ? '-' : '_';
}

/* ---- curves from trials.csv ------------------------------------------- */

struct pl_pt {
	int curve;
	double x, y, lo, hi;
};

static int pl_pt_cmp(const void *a, const void *b)
{
	const struct pl_pt *p = a, *q = b;

	if (p->curve != q->curve)
		return p->curve - q->curve;
	return (p->x > q->x) - (p->x < q->x);
}

/* The curve of run i at trials row r: its index, -1 when too many. */
static int pl_curve(const struct pl_fig *fg, struct pl_curves *cv, size_t i,
		    size_t r, const char *prefix, int dt)
{
	const struct rundir *rd = &fg->runs[i];
	char combo[192] = "", label[256] = "", kv[128];
	int k, c;

	for (size_t j = 0; j < fg->nlabel; j++)
		if ((k = rundir_param(rd, fg->label_params[j])) >= 0) {
			snprintf(kv, sizeof(kv), "%s=%s", fg->label_params[j],
				 csv_get(&rd->trials, r, (size_t)k));
			pl_cat(combo, sizeof(combo), kv);
		}
	pl_cat(label, sizeof(label), prefix);
	snprintf(kv, sizeof(kv), "%c", (int)('A' + i));
	pl_cat(label, sizeof(label), fg->n > 1 ? kv : "");
	pl_cat(label, sizeof(label), fg->placement_differs ? rundir_placement(rd) : "");
	pl_cat(label, sizeof(label), combo);
	for (c = 0; c < cv->n; c++)
		if (!strcmp(cv->label[c], label))
			return c;
	if (cv->n == PL_MAX_CURVES)
		return -1;
	for (k = 0; k < cv->ncombos && strcmp(cv->combo[k], combo); k++)
		;
	if (k == cv->ncombos)
		snprintf(cv->combo[cv->ncombos++], sizeof(cv->combo[0]), "%s", combo);
	snprintf(cv->label[c], sizeof(cv->label[c]), "%s", label);
	cv->lc[c] = k + 1;
	cv->pt[c] = pl_run_pt[i % (sizeof(pl_run_pt) / sizeof(pl_run_pt[0]))];
	cv->dt[c] = dt ? dt : (int)i + 1;	/* 0: dashes tell the runs apart */
	return cv->n++;
}

/* Median and CI over the trials of the point at row p of the sum of
 * columns cols[0..nc); -1 when no trial has them all. */
static int pl_point(const struct rundir *rd, size_t p, const int *cols,
		    size_t nc, struct pl_pt *out)
{
	const struct csv *t = &rd->trials;
	double *v = malloc(t->nrows * sizeof(*v));
	int xc = rundir_param(rd, X_PARAM);
	struct stats st;
	size_t n = 0;

	for (size_t r = p; v && r < t->nrows; r++) {
		double sum = 0;

		if (!rundir_same_point(rd, t, p, rd, t, r,
				       (const char *const *)t->head, rd->nparams))
			continue;
		for (size_t k = 0; k < nc; k++)
			sum += csv_num_at(t, r, (size_t)cols[k]);
		if (!isnan(sum))
			v[n++] = sum;
	}
	if (!n || stats_compute(v, n, &st) < 0) {
		free(v);
		return -1;
	}
	free(v);
	*out = (struct pl_pt){ 0, xc >= 0 ? csv_num_at(t, p, (size_t)xc) : 1.0,
			       st.median, isnan(st.ci_lo) ? st.min : st.ci_lo,
			       isnan(st.ci_hi) ? st.max : st.ci_hi };
	return 0;
}

/* Whether trials row r of rd is in the figure being drawn. */
static bool pl_in_facet(const struct pl_fig *fg, const struct rundir *rd,
			size_t r)
{
	for (size_t k = 0; fg->cur && k < fg->nsplit; k++) {
		int c = rundir_param(rd, fg->split[k]);

		if (c >= 0 && strcmp(csv_get(&rd->trials, r, (size_t)c),
				     fg->cur->val[k]))
			return false;
	}
	return true;
}

/* The points of the quantity cols[] (NULL-terminated) of run i. */
static size_t pl_run_points(struct pl_fig *fg, struct pl_curves *cv, size_t i,
			    const char *const *cols, const char *prefix, int dt,
			    struct pl_pt *pts)
{
	const struct rundir *rd = &fg->runs[i];
	int idx[8];
	size_t nc = 0, n = 0, *rows;
	long np;

	for (; cols[nc] && nc < 8; nc++)
		if ((idx[nc] = csv_col(&rd->trials, cols[nc])) < (int)rd->nparams)
			return 0;	/* this run does not have it */
	np = rundir_points(&rd->trials, rd->nparams, &rows);
	for (long p = 0; p < np; p++)
		if (pl_in_facet(fg, rd, rows[p]) &&
		    pl_point(rd, rows[p], idx, nc, &pts[n]) == 0 &&
		    (pts[n].curve = pl_curve(fg, cv, i, rows[p], prefix, dt)) >= 0)
			n++;
	if (np >= 0)
		free(rows);
	return n;
}

/*
 * Append the curves of one quantity (the sum of the trials.csv columns
 * cols, NULL-terminated) of every run to f as gnuplot index blocks, each
 * led by its quoted title.  Returns 0, -1 when out of memory.
 */
static int pl_blocks(struct pl_fig *fg, struct pl_curves *cv, FILE *f,
		     const char *const *cols, const char *prefix, int dt)
{
	struct pl_pt *pts;
	size_t npts = 0, cap = 0;

	for (size_t i = 0; i < fg->n; i++)
		cap += fg->runs[i].trials.nrows;
	pts = malloc((cap ? cap : 1) * sizeof(*pts));
	if (!pts) {
		snprintf(fg->err, fg->len, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < fg->n; i++)
		npts += pl_run_points(fg, cv, i, cols, prefix, dt, pts + npts);
	qsort(pts, npts, sizeof(*pts), pl_pt_cmp);
	for (size_t k = 0; k < npts; k++) {
		if (!k || pts[k].curve != pts[k - 1].curve)
			fprintf(f, "%s\"%s\"\n", k ? "\n\n" : "", cv->label[pts[k].curve]);
		fprintf(f, "%.9g %.9g %.9g %.9g\n", pts[k].x, pts[k].y,
			pts[k].lo, pts[k].hi);
		cv->xmin = fmin(cv->xmin, pts[k].x);
		cv->xmax = fmax(cv->xmax, pts[k].x);
		cv->ymin = fmin(cv->ymin, fmin(pts[k].y, pts[k].lo));
		cv->ymax = fmax(cv->ymax, fmax(pts[k].y, pts[k].hi));
	}
	if (npts)
		fprintf(f, "\n\n");
	free(pts);
	return 0;
}

static const char pl_xlabel[] = "CPUs (measured threads)";

/* One figure per metric with a better direction, in run 0's order. */
static int pl_metric(struct pl_fig *fg, const void *row)
{
	const struct csv *s = &fg->runs[0].summary;
	size_t r = *(const size_t *)row;
	const char *m = csv_get(s, r, (size_t)csv_col(s, "metric"));
	enum better b = rundir_better(csv_get(s, r, (size_t)csv_col(s, "better")));
	const char *cols[] = { m, NULL };
	struct pl_curves cv = { .xmin = INFINITY, .xmax = -INFINITY,
				 .ymin = INFINITY, .ymax = -INFINITY };
	char t1[512], ylabel[160], name[384];
	FILE *f;
	int rc;

	pl_name(fg, m, name, sizeof(name));
	if (!(f = pl_data(fg, name)))
		return -1;
	rc = pl_blocks(fg, &cv, f, cols, "", 0);
	fclose(f);
	snprintf(t1, sizeof(t1), "%s: %s (%s is better), median and 95%% CI%s%s",
		 rundir_bench(&fg->runs[0]), m,
		 b == BETTER_HIGHER ? "higher" : "lower", fg->cur ? ", " : "",
		 fg->cur ? fg->cur->label : "");
	snprintf(ylabel, sizeof(ylabel), "%s (%s)", m,
		 csv_get(s, r, (size_t)csv_col(s, "unit")));
	return rc < 0 ? -1 : pl_render(fg, "metric_vs_cpus.gp", name, &cv, t1,
				       pl_xlabel, ylabel);
}

static int pl_metrics(struct pl_fig *fg)
{
	const struct csv *s = &fg->runs[0].summary;
	int mc = csv_col(s, "metric"), bc = csv_col(s, "better");

	for (size_t r = 0; r < s->nrows; r++) {
		bool seen = false;

		for (size_t q = 0; q < r && !seen; q++)
			seen = !strcmp(csv_get(s, q, (size_t)mc),
				       csv_get(s, r, (size_t)mc));
		if (!seen && rundir_better(csv_get(s, r, (size_t)bc)) != BETTER_NONE &&
		    pl_each(fg, pl_metric, &r) < 0)
			return -1;
	}
	return 0;
}

/*
 * Per measured mode: IPI sends (ipi:ipi_send_cpu + ipi:ipi_send_cpumask;
 * a cpumask send counts once however many CPUs it targets) and remote
 * TLB flushes received (tlb:tlb_flush reason 1) per operation.  The
 * counter columns are lib/run.c's defaults, "<mode>_<counter>_per_op".
 */
static int pl_ipis_mode(struct pl_fig *fg, const void *arg)
{
	struct pl_curves cv = { .xmin = INFINITY, .xmax = -INFINITY,
				 .ymin = INFINITY, .ymax = -INFINITY };
	const char *mode = arg;
	char base[96], name[384], c[3][128], t1[512];
	const char *sends[] = { c[0], c[1], NULL }, *flushes[] = { c[2], NULL };
	FILE *f;
	int rc;

	snprintf(base, sizeof(base), "ipis-%s", mode);
	pl_name(fg, base, name, sizeof(name));
	snprintf(c[0], sizeof(c[0]), "%s_ipi_send_cpu_per_op", mode);
	snprintf(c[1], sizeof(c[1]), "%s_ipi_send_cpumask_per_op", mode);
	snprintf(c[2], sizeof(c[2]), "%s_tlb_flush_reason_1_per_op", mode);
	for (int k = 0; k < 3; k++)
		for (char *p = c[k]; *p; p++)
			*p = *p == '-' ? '_' : *p;	/* as lib/trial.c names them */
	if (!(f = pl_data(fg, name)))
		return -1;
	rc = pl_blocks(fg, &cv, f, sends, "IPIs sent", 1);
	if (rc == 0)
		rc = pl_blocks(fg, &cv, f, flushes, "TLB flushes", 2);
	fclose(f);
	snprintf(t1, sizeof(t1), "%s, mode %s: IPIs sent and remote TLB flushes "
		 "per operation, median and 95%% CI%s%s", rundir_bench(&fg->runs[0]),
		 mode, fg->cur ? ", " : "", fg->cur ? fg->cur->label : "");
	return rc < 0 ? -1 : pl_render(fg, "ipis_vs_cpus.gp", name, &cv, t1,
				       pl_xlabel, "events per operation (1)");
}

static int pl_ipis(struct pl_fig *fg)
{
	const json_t *modes = json_object_get(json_object_get(fg->runs[0].meta,
							      "bench"), "modes");
	size_t i;
	json_t *mo;

	json_array_foreach(modes, i, mo) {
		const char *mode = json_string_value(json_object_get(mo, "name"));

		if (mode && !json_is_true(json_object_get(mo, "proof_only")) &&
		    pl_each(fg, pl_ipis_mode, mode) < 0)
			return -1;
	}
	return 0;
}

/* ---- latency CDFs from samples.csv ------------------------------------ */

/*
 * Which of run 0's CDF points (first rows pts[0..n)) each samples row of
 * run i belongs to, -1 for none: once per run, as samples.csv can hold
 * millions of rows.  Rows of one point come together: the last point
 * found is tried first.
 */
static long *pl_row_points(const struct pl_fig *fg, size_t i,
			   const size_t *pts, long n)
{
	const struct rundir *r0 = &fg->runs[0], *ri = &fg->runs[i];
	const char *const *names = (const char *const *)r0->samples.head;
	long *of = malloc((ri->samples.nrows + 1) * sizeof(*of)), last = -1;

	for (size_t r = 0; of && r < ri->samples.nrows; r++) {
		if (last < 0 || !rundir_same_point(r0, &r0->samples, pts[last], ri,
						   &ri->samples, r, names, r0->nparams))
			for (last = n - 1; last >= 0; last--)
				if (rundir_same_point(r0, &r0->samples, pts[last], ri,
						      &ri->samples, r, names,
						      r0->nparams))
					break;
		of[r] = last;
	}
	return of;
}

/* Latencies (us) of one run, point and mode, sorted; returns the count. */
static size_t pl_latencies(const struct pl_fig *fg, size_t i, long p,
			   const char *mode, double **out)
{
	const struct csv *si = &fg->runs[i].samples;
	int mc = csv_col(si, "mode"), lc = csv_col(si, "latency_ns");
	size_t n = 0;

	*out = malloc((si->nrows ? si->nrows : 1) * sizeof(double));
	for (size_t r = 0; *out && fg->row_point[i] && r < si->nrows; r++) {
		double v;

		if (fg->row_point[i][r] != p || strcmp(csv_get(si, r, (size_t)mc), mode))
			continue;
		v = csv_num_at(si, r, (size_t)lc);
		if (!isnan(v))
			(*out)[n++] = v / NS_PER_US;
	}
	if (n)
		gsl_sort(*out, 1, n);
	return n;
}

/* One CDF block: at most PL_CDF_POINTS + 1 steps at evenly spaced
 * ranks. */
static void pl_cdf_block(FILE *f, const char *title, const double *x, size_t n)
{
	size_t steps = n < PL_CDF_POINTS ? n - 1 : PL_CDF_POINTS;

	fprintf(f, "\"%s\"\n", title);
	for (size_t j = 0; j <= steps; j++) {
		size_t idx = steps ? (size_t)llround((double)j * (n - 1) / steps) : 0;

		fprintf(f, "%.6g %.6g\n", x[idx], (double)(idx + 1) / n);
	}
	fprintf(f, "\n\n");
}

/* The modes of a samples.csv, in order of appearance (at most cap). */
static size_t pl_modes(const struct csv *s, const char **modes, size_t cap)
{
	int mc = csv_col(s, "mode");
	size_t n = 0;

	for (size_t r = 0; mc >= 0 && r < s->nrows; r++) {
		const char *m = csv_get(s, r, (size_t)mc);
		size_t k = 0;

		while (k < n && strcmp(modes[k], m))
			k++;
		if (k == n && n < cap)
			modes[n++] = m;
	}
	return n;
}

/* The CDFs of run i at run 0's samples row p0: one curve per mode, the
 * colour the mode's, the dash the run's. */
static void pl_cdf_run(struct pl_fig *fg, struct pl_curves *cv, FILE *f,
		       size_t i, long p)
{
	const char *modes[BENCH_MAX_MODES];
	size_t nm = pl_modes(&fg->runs[i].samples, modes, BENCH_MAX_MODES);

	for (size_t m = 0; m < nm && cv->n < PL_MAX_CURVES; m++) {
		double *x;
		size_t n = pl_latencies(fg, i, p, modes[m], &x);
		int c = cv->n;

		snprintf(cv->label[c], sizeof(cv->label[c]), "%s%s%c", modes[m],
			 fg->n > 1 ? " " : "", fg->n > 1 ? (int)('A' + i) : 0);
		cv->lc[c] = (int)m + 1;
		cv->dt[c] = (int)i + 1;
		cv->pt[c] = pl_run_pt[0];
		if (n) {
			pl_cdf_block(f, cv->label[c], x, n);
			cv->n++;
		}
		free(x);
	}
}

static int pl_cdf_point(struct pl_fig *fg, long p, const char *label)
{
	struct pl_curves cv = { 0 };
	char name[256] = "cdf", t1[384];
	FILE *f;

	if (label[0])
		snprintf(name, sizeof(name), "cdf-%s", label);
	for (char *c = name; *c; c++)
		if (*c == ' ' || *c == '/' || *c == ':')
			*c = *c == ' ' ? '-' : '_';
	if (!(f = pl_data(fg, name)))
		return -1;
	for (size_t i = 0; i < fg->n; i++)
		pl_cdf_run(fg, &cv, f, i, p);
	fclose(f);
	snprintf(t1, sizeof(t1), "%s: latency CDF%s%s", rundir_bench(&fg->runs[0]),
		 label[0] ? ", " : "", label);
	return pl_render(fg, "latency_cdf.gp", name, &cv, t1,
			 "latency (us, log scale)", "fraction of operations <= latency");
}

static int pl_cdfs(struct pl_fig *fg)
{
	const struct rundir *r0 = &fg->runs[0];
	const struct csv *s = &r0->samples;
	size_t *pts;
	long n = s->nrows ? rundir_points(s, r0->nparams, &pts) : 0;
	int rc = 0;

	if (n < 0)
		return -1;
	for (size_t i = 0; i < fg->n && n; i++)
		fg->row_point[i] = pl_row_points(fg, i, pts, n);
	for (long p = 0; p < n && rc == 0; p++) {
		char label[256] = "", kv[128];

		/* Only the parameters that vary between points name a CDF. */
		for (size_t k = 0; k < r0->nparams; k++) {
			bool varies = false;

			for (long q = 0; q < n && !varies; q++)
				varies = strcmp(csv_get(s, pts[q], k), csv_get(s, pts[0], k));
			snprintf(kv, sizeof(kv), "%s=%s", s->head[k], csv_get(s, pts[p], k));
			pl_cat(label, sizeof(label), varies ? kv : "");
		}
		rc = pl_cdf_point(fg, p, label);
	}
	for (size_t i = 0; i < fg->n && n; i++)
		free(fg->row_point[i]);
	if (n)
		free(pts);
	return rc;
}

/* ---- figures of a set of runs ----------------------------------------- */

/* Title lines 2 and 3: which kernels (and runs), which machine. */
static void pl_titles(struct pl_fig *fg)
{
	bool in_labels = fg->placement_differs;

	for (size_t i = 0; i < fg->n; i++) {
		if (fg->n > 1)
			text_append(fg->t2, sizeof(fg->t2), "%s%c: ", i ? ", " : "",
				    (int)('A' + i));
		text_append(fg->t2, sizeof(fg->t2), "kernel %s (%s)",
			    rundir_kernel(&fg->runs[i]), rundir_name(&fg->runs[i]));
	}
	for (size_t k = 0; k < fg->nlabel; k++)
		in_labels |= !strcmp(fg->label_params[k], "placement");
	rundir_machine(&fg->runs[0], fg->t3, sizeof(fg->t3));
	if (!in_labels)
		text_append(fg->t3, sizeof(fg->t3), "; placement %s",
			    rundir_placement(&fg->runs[0]));
}

static int pl_mkdir(const char *dir, char *err, size_t len)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", dir);
	for (char *s = p + 1; ; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			snprintf(err, len, "mkdir(%s): %s", p, strerror(errno));
			return -1;
		}
		*s = c;
		if (!c)
			return 0;
	}
}

int plot_runs(struct rundir *runs, size_t n, const char *dir,
	      struct plot_files *out, char *err, size_t len)
{
	struct pl_fig fg = { .runs = runs, .n = n, .dir = dir, .out = out,
			     .err = err, .len = len };
	char data[PATH_MAX];
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(data, sizeof(data), "%s/data", dir);
	if (n == 0 || n > PL_MAX_RUNS) {
		snprintf(err, len, "%zu runs; allowed: 1..%d", n, PL_MAX_RUNS);
		return -1;
	}
	if (pl_mkdir(data, err, len) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (rundir_load_samples(&runs[i], err, len) < 0)
			return -1;
	pl_labels(&fg);
	pl_titles(&fg);
	rc = pl_facets(&fg) < 0 || pl_metrics(&fg) < 0 || pl_ipis(&fg) < 0 ||
	     pl_cdfs(&fg) < 0 ? -1 : 0;
	free(fg.facets);
	return rc;
}

void plot_files_free(struct plot_files *pf)
{
	for (size_t i = 0; i < pf->n; i++)
		free(pf->path[i]);
	free(pf->path);
	memset(pf, 0, sizeof(*pf));
}

void plot_default_dir(const struct rundir *runs, size_t n, char *buf,
		      size_t len)
{
	snprintf(buf, len, "%s/%s", runs[n - 1].path, n > 1 ? "plots-ab" : "plots");
}

/* ---- gupsync plot ----------------------------------------------------- */

/* The newest run under results/ (by meta.json's mtime). */
static int pl_newest(char *buf, size_t len)
{
	DIR *d = opendir("results");
	struct dirent *e;
	time_t best = 0;

	if (!d) {
		fprintf(stderr, "gupsync plot: opendir(results): %s; name a run "
			"directory\n", strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		char p[PATH_MAX];
		struct stat st;

		snprintf(p, sizeof(p), "results/%s/meta.json", e->d_name);
		if (e->d_name[0] != '.' && stat(p, &st) == 0 && st.st_mtime >= best) {
			best = st.st_mtime;
			snprintf(buf, len, "results/%s", e->d_name);
		}
	}
	closedir(d);
	if (!best)
		fprintf(stderr, "gupsync plot: no run under results/; run one first\n");
	return best ? 0 : -1;
}

static int pl_usage(bool ok)
{
	fprintf(ok ? stdout : stderr,
		"usage: gupsync plot [-o DIR] [RUN...]\n"
		"  PNG+SVG figures of one run, or several overlaid (A, B, ...);\n"
		"  default RUN: the newest under results/; default DIR: RUN/plots\n"
		"  (several runs: LAST_RUN/plots-ab)\n");
	return ok ? 0 : EXIT_USAGE;
}

static int pl_render_runs(const char **paths, size_t n, const char *outdir)
{
	struct rundir runs[PL_MAX_RUNS];
	struct plot_files pf;
	char err[1024], dir[PATH_MAX];
	size_t k = 0;
	int rc = 0, bad_input = 0;

	for (; k < n && rc == 0; k++)
		if (rundir_load(paths[k], &runs[k], err, sizeof(err)) < 0)
			rc = -1, bad_input = 1;	/* not a run directory */
	if (rc == 0) {
		k = n;
		if (outdir)
			snprintf(dir, sizeof(dir), "%s", outdir);
		else
			plot_default_dir(runs, n, dir, sizeof(dir));
		rc = plot_runs(runs, n, dir, &pf, err, sizeof(err));
		for (size_t i = 0; rc == 0 && i < pf.n; i++)
			printf("%s\n", pf.path[i]);
		plot_files_free(&pf);
	} else {
		k--;		/* runs[k] failed and holds nothing */
	}
	while (k--)
		rundir_free(&runs[k]);
	if (rc < 0)
		fprintf(stderr, "gupsync plot: %s\n", err);
	return rc < 0 ? (bad_input ? EXIT_USAGE : 1) : 0;
}

int plot_cmd(int argc, char **argv, const char *cmdline)
{
	const char *paths[PL_MAX_RUNS], *outdir = NULL;
	char newest[PATH_MAX];
	size_t n = 0;

	(void)cmdline;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return pl_usage(true);
		if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			outdir = argv[++i];
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "gupsync plot: unknown option '%s'; allowed: "
				"-o DIR\n", argv[i]);
			return pl_usage(false);
		} else if (n == PL_MAX_RUNS) {
			fprintf(stderr, "gupsync plot: more than %d runs\n", PL_MAX_RUNS);
			return EXIT_USAGE;
		} else {
			paths[n++] = argv[i];
		}
	}
	if (!n) {
		if (pl_newest(newest, sizeof(newest)) < 0)
			return 1;
		paths[n++] = newest;
	}
	return pl_render_runs(paths, n, outdir);
}

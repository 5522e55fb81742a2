// SPDX-License-Identifier: GPL-2.0
/*
 * plot.c - the figures of a set of runs (which ones, which parameters
 * label the curves and which split the figures, the titles) and the
 * command `gupsync plot`; see plot.h.  The data files are written by
 * plot_data.c, the latency CDFs drawn by plot_cdf.c, gnuplot run by
 * plot_gnuplot.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "options.h"
#include "plot.h"
#include "plot_cdf.h"
#include "plot_data.h"
#include "plot_gnuplot.h"
#include "safefile.h"
#include "text.h"

#define PL_MAX_COMBOS 8		/* parameter combinations per figure, else
				 * one figure per value of the first ones */
#define PL_MAX_FACETS 256

/* ---- which parameters label curves, which split figures ---------- */

/* The parameters that vary (other than PL_X_PARAM): label the curves, or,
 * the first ones while there are too many combinations, split figures. */
static void pl_labels(struct pl_fig *fg)
{
	size_t combos = 1, nv[PL_MAX_PARAMS];

	for (size_t i = 0; i < fg->n; i++)
		for (size_t k = 0; k < fg->runs[i].nparams; k++) {
			const char *name = fg->runs[i].summary.head[k];
			size_t v = rundir_nvalues(fg->runs, fg->n, name);
			bool have = !strcmp(name, PL_X_PARAM);

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

/* ---- figures of trials.csv: metrics, IPIs per operation ---------- */

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

/* The private work directory of gnuplot: mkdtemp in /tmp (sticky, so
 * nobody else can move it; not $TMPDIR, which may be anyone's), 0700. */
static int pl_work_open(struct pl_fig *fg)
{
	snprintf(fg->work, sizeof(fg->work), "/tmp/gupsync-plot-XXXXXX");
	if (!mkdtemp(fg->work))
		return text_err(fg->err, fg->len, "mkdtemp(%s): %s", fg->work,
				strerror(errno));
	fg->workfd = open(fg->work, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fg->workfd < 0) {
		text_fmt(fg->err, fg->len, "open(%s): %s", fg->work, strerror(errno));
		rmdir(fg->work);
		return -1;
	}
	return 0;
}

/* Empty the work directory (only gupsync and gnuplot wrote in it) and
 * remove it. */
static void pl_work_close(struct pl_fig *fg)
{
	DIR *d;
	struct dirent *e;

	if (fg->workfd < 0)
		return;
	if ((d = fdopendir(dup(fg->workfd)))) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				unlinkat(fg->workfd, e->d_name, 0);
		closedir(d);
	}
	close(fg->workfd);
	rmdir(fg->work);
}

/*
 * The output directory and its data/: created, or, when they exist, real
 * directories of this user that nobody else can write (safefile.h); all
 * files go in through their descriptors.
 */
/* The figures come from trials.csv (and samples.csv for the CDFs of a
 * latency benchmark): a run that has points but not those is refused, not
 * drawn as nothing. */
static int pl_has_data(const struct rundir *rd, char *err, size_t len)
{
	const char *kind = json_string_value(json_object_get(
		json_object_get(rd->meta, "bench"), "kind"));

	if (!rd->summary.nrows)
		return 0;
	if (!rd->trials.nrows) {
		snprintf(err, len, "%s/trials.csv: absent or without rows, but "
			 "summary.csv has data points: nothing to plot from", rd->path);
		return -1;
	}
	if (kind && !strcmp(kind, "latency") && !rd->samples.ncols) {
		snprintf(err, len, "%s/samples.csv: absent or empty: a latency "
			 "benchmark's CDFs come from it", rd->path);
		return -1;
	}
	if (kind && !strcmp(kind, "latency") && !rd->samples.nrows)
		fprintf(stderr, "gupsync plot: %s/samples.csv has no samples (no "
			"window saw an operation): no CDFs\n", rd->path);
	return 0;
}

int plot_runs(struct rundir *runs, size_t n, const char *dir,
	      struct plot_files *out, char *err, size_t len)
{
	struct pl_fig fg = { .runs = runs, .n = n, .dir = dir, .out = out,
			     .err = err, .len = len, .outfd = -1, .datafd = -1,
			     .workfd = -1 };
	char data[PATH_MAX];
	int rc = -1;

	memset(out, 0, sizeof(*out));
	snprintf(data, sizeof(data), "%s/data", dir);
	if (n == 0 || n > PL_MAX_RUNS) {
		snprintf(err, len, "%zu runs; allowed: 1..%d", n, PL_MAX_RUNS);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (rundir_load_samples(&runs[i], err, len) < 0 ||
		    pl_has_data(&runs[i], err, len) < 0)
			return -1;
	if ((fg.outfd = safefile_opendir(dir, true, err, len)) < 0 ||
	    (fg.datafd = safefile_opendirat(fg.outfd, "data", data, true, err,
					    len)) < 0 ||
	    pl_work_open(&fg) < 0)
		goto out;
	pl_labels(&fg);
	pl_titles(&fg);
	rc = pl_facets(&fg) < 0 || pl_metrics(&fg) < 0 || pl_ipis(&fg) < 0 ||
	     pl_cdfs(&fg) < 0 ? -1 : 0;
	free(fg.facets);
out:
	pl_work_close(&fg);
	if (fg.datafd >= 0)
		close(fg.datafd);
	if (fg.outfd >= 0)
		close(fg.outfd);
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

/* An output directory that exists must be one gupsync may write into
 * (safefile.h): if not, that is bad input, said before anything is drawn. */
static int pl_outdir_ok(const char *dir, char *err, size_t len)
{
	struct stat st;
	int fd;

	if (lstat(dir, &st) < 0)
		return 0;	/* created by plot_runs() */
	if ((fd = safefile_opendir(dir, false, err, len)) < 0)
		return -1;
	close(fd);
	return 0;
}

/* Runs of one benchmark only, as compare and report take them. */
static int pl_one_bench(const struct rundir *runs, size_t n, char *err,
			size_t len)
{
	for (size_t i = 1; i < n; i++)
		if (strcmp(rundir_bench(&runs[0]), rundir_bench(&runs[i]))) {
			text_fmt(err, len, "%s is a run of %s, %s of %s: plot overlays "
				 "runs of one benchmark", runs[0].path,
				 rundir_bench(&runs[0]), runs[i].path,
				 rundir_bench(&runs[i]));
			return -1;
		}
	return 0;
}

static int pl_render_runs(const char **paths, size_t n, const char *outdir)
{
	struct rundir runs[PL_MAX_RUNS];
	struct plot_files pf = { 0 };
	char err[1024], dir[PATH_MAX];
	size_t k = 0;
	int rc = 0, bad_input = 0;

	for (; k < n; k++)
		if (rundir_load(paths[k], &runs[k], err, sizeof(err)) < 0) {
			rc = -1, bad_input = 1;	/* not a run directory */
			break;		/* runs[k] failed and holds nothing */
		}
	if (rc == 0 && pl_one_bench(runs, n, err, sizeof(err)) < 0)
		rc = -1, bad_input = 1;
	if (rc == 0) {
		if (outdir)
			snprintf(dir, sizeof(dir), "%s", outdir);
		else
			plot_default_dir(runs, n, dir, sizeof(dir));
		rc = pl_outdir_ok(dir, err, sizeof(err));
		bad_input = rc < 0;
		if (rc == 0)
			rc = plot_runs(runs, n, dir, &pf, err, sizeof(err));
		for (size_t i = 0; rc == 0 && i < pf.n; i++)
			printf("%s\n", pf.path[i]);
		plot_files_free(&pf);
	}
	while (k--)
		rundir_free(&runs[k]);
	if (rc < 0)
		fprintf(stderr, "gupsync plot: %s\n", err);
	return rc < 0 ? (bad_input ? EXIT_USAGE : 1) : 0;
}

int cmd_plot(int argc, char **argv, const char *cmdline)
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

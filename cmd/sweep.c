// SPDX-License-Identifier: GPL-2.0
/* sweep.c - see sweep.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "eta.h"
#include "parse.h"
#include "placement.h"
#include "plot.h"
#include "rundir.h"
#include "run.h"
#include "sweep.h"
#include "text.h"
#include "workers.h"

#define SWEEP_MAX_ARGS 64

/* The set: every registered benchmark with a sweep order (its
 * descriptor's .sweep, bench.h), lowest order first.  Returns how many. */
static size_t sweep_set(const struct bench **set, size_t cap)
{
	const struct bench **all;
	size_t n = bench_all(&all), k = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j;

		if (!all[i]->sweep.order || k == cap)
			continue;
		for (j = k; j > 0 && set[j - 1]->sweep.order > all[i]->sweep.order; j--)
			set[j] = set[j - 1];
		set[j] = all[i];
		k++;
	}
	return k;
}

#define SWEEP_MAX_BENCH 64

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gupsync sweep [--full] [--budget TIME] [-- HARNESS-OPTIONS...]\n"
		"       gupsync default [--budget TIME]\n\n"
		"Runs each benchmark of the set over 1..N CPUs (N = PUs here),\n"
		"rounds interleaved (--order interleave), one run directory each.\n"
		"  --full   also placements and the benchmarks' variables\n"
		"  --budget TIME  the whole sweep's wall time (plots included):\n"
		"           shared out by the time model, each run fits its\n"
		"           trials and windows to its share (run --budget);\n"
		"           no benchmark is dropped\n"
		"  -- ...   harness options added to every run, e.g.\n"
		"           -- --trials=20 --duration=1s\n"
		"Benchmarks of the set: ");
	const struct bench *set[SWEEP_MAX_BENCH];
	size_t nset = sweep_set(set, SWEEP_MAX_BENCH);

	for (size_t i = 0; i < nset; i++)
		fprintf(f, "%s%s", i ? ", " : "", set[i]->name);
	fprintf(f, "\nAn interrupted one: gupsync run --resume DIR\n");
}

/*
 * A list of counts from lo to hi that a sweep can afford: all of them up
 * to SWEEP_ALL_COUNTS values, else lo, the powers of two between, and hi
 * (so a 256-PU machine gets 1,2,4,...,256, not 256 points).
 */
#define SWEEP_ALL_COUNTS 16
static size_t counts(char *buf, size_t len, unsigned lo, unsigned hi)
{
	size_t o = 0;

	if (hi - lo < SWEEP_ALL_COUNTS)
		return (size_t)snprintf(buf, len, hi > lo ? "%u-%u" : "%u", lo, hi);
	o += (size_t)snprintf(buf, len, "%u", lo);
	for (unsigned v = 1; v < hi && o < len; v *= 2)
		if (v > lo)
			o += (size_t)snprintf(buf + o, len - o, ",%u", v);
	if (o < len)
		o += (size_t)snprintf(buf + o, len - o, ",%u", hi);
	return o;
}

/* Drop repeated values from "--opt=a,b,a" (1,%N on one PU is "1,1"). */
static void dedupe_values(char *tok)
{
	char *eq = strchr(tok, '='), copy[256], *vals[64], *save, *v;
	size_t n = 0;

	if (!eq || strlen(eq + 1) >= sizeof(copy))
		return;
	snprintf(copy, sizeof(copy), "%s", eq + 1);
	for (v = strtok_r(copy, ",", &save); v && n < 64; v = strtok_r(NULL, ",", &save)) {
		bool seen = false;

		for (size_t k = 0; k < n && !seen; k++)
			seen = !strcmp(vals[k], v);
		if (!seen)
			vals[n++] = v;
	}
	eq[1] = '\0';		/* the joined list is never longer */
	for (size_t k = 0; k < n; k++)
		sprintf(eq + 1 + strlen(eq + 1), "%s%s", k ? "," : "", vals[k]);
}

/* "--a=1 --b=%N" + extra -> argv (in buf): %N the PU count, %M one less,
 * %T the thread counts 1..N and %G the background counts 0..N-1 that a
 * sweep affords (counts()); repeated list values dropped. */
static int split_args(const char *tmpl, unsigned npu, int nextra,
		      char **extra, char *buf, size_t len, char **args)
{
	size_t o = 0;
	int n = 0;
	char *save, *tok;

	for (const char *p = tmpl; *p && o + 16 < len; p++) {
		if (p[0] == '%' && (p[1] == 'N' || p[1] == 'M')) {
			o += snprintf(buf + o, len - o, "%u",
				      p[1] == 'N' ? npu : npu - 1);
			p++;
		} else if (p[0] == '%' && (p[1] == 'T' || p[1] == 'G')) {
			o += counts(buf + o, len - o, p[1] == 'T' ? 1 : 0,
				    p[1] == 'T' ? npu : npu - 1);
			p++;
		} else {
			buf[o++] = *p;
		}
	}
	buf[o] = 0;
	for (tok = strtok_r(buf, " ", &save); tok && n < SWEEP_MAX_ARGS - 3;
	     tok = strtok_r(NULL, " ", &save)) {
		dedupe_values(tok);
		args[n++] = tok;
	}
	/* The extra options come last: a repeated option is an error, so
	 * drop the set's own when the user gives it. */
	for (int e = 0; e < nextra && n < SWEEP_MAX_ARGS - 2; e++) {
		size_t kl = strcspn(extra[e], "=");

		for (int k = 0; k < n; k++)
			if (!strncmp(args[k], extra[e], kl) && args[k][kl] == '=')
				args[k--] = args[--n];
		args[n++] = extra[e];
	}
	args[n] = NULL;
	return n;
}

/* Figures of one finished run into RUN/plots/; a failure (no gnuplot) is
 * said, and is no failure of the sweep. */
static unsigned plot_run(const char *dir)
{
	struct plot_files pf = { 0 };
	struct rundir rd;
	char err[512], out[1200], line[1300];

	unsigned figs;

	if (!dir[0])
		return 0;
	if (rundir_load(dir, &rd, err, sizeof(err)) < 0 ||
	    (plot_default_dir(&rd, 1, out, sizeof(out)),
	     plot_runs(&rd, 1, out, &pf, err, sizeof(err)) < 0)) {
		fputs("# plots: not made: ", stdout);
		text_wrap(stdout, 19, "#   ", TEXT_WIDTH, err);
		return 0;
	}
	figs = (unsigned)(pf.n / 2);	/* PNG + SVG each */
	snprintf(line, sizeof(line), "%zu files in %s/", pf.n, out);
	fputs("# plots: ", stdout);
	text_wrap(stdout, 9, "#   ", TEXT_WIDTH, line);
	plot_files_free(&pf);
	rundir_free(&rd);
	return figs;
}

/*
 * Each benchmark's model estimate (est[k], eta.h) and, with a budget, its
 * share: the benchmarks' fixed parts (start, proof passes) and the plots
 * come off the top, the rest is shared in proportion to their trials'
 * time; each run then fits itself to its share (run --budget).  Says the
 * plan on stderr.
 */
/* A sweep's context: what every benchmark's options are made from. */
struct sweep_ctx {
	bool full;
	unsigned npu;
	int nextra;
	char **extra;
};

/* The options of set member b in args (strings in buf, bud), with its
 * share of a budget when share > 0.  Returns how many. */
static int bench_args(const struct sweep_ctx *c, const struct bench *b,
		      double share, char *buf, size_t len, char *bud,
		      size_t budlen, char **args)
{
	const char *tmpl = c->full ? b->sweep.full_args : b->sweep.short_args;
	int n = split_args(tmpl ? tmpl : "", c->npu, c->nextra, c->extra, buf,
			   len, args);

	/* A sweep fits the machine: points that do not are skipped, each
	 * with its reason, and the sweep goes on (a set that oversubscribes
	 * on purpose, .sweep.oversubscribe, runs all). */
	if (!b->sweep.oversubscribe && n < SWEEP_MAX_ARGS - 1)
		args[n++] = "--fit", args[n] = NULL;
	if (share > 0 && n < SWEEP_MAX_ARGS - 1) {
		snprintf(bud, budlen, "--budget=%.0fms", share * 1e3);
		args[n++] = bud, args[n] = NULL;
	}
	return n;
}

/* The time model of b's run with these options, plots included: 0 when
 * they do not parse (the run says why). */
static double model(const struct sweep_ctx *c, const struct bench *b,
		    double share, struct eta_model *m)
{
	char buf[1024], bud[48], err[128], *args[SWEEP_MAX_ARGS];
	int n = bench_args(c, b, share, buf, sizeof(buf), bud, sizeof(bud), args);

	*m = (struct eta_model){ 0 };
	if (run_model(b, n, args, m, err, sizeof(err)) < 0)
		return 0;
	return eta_model_total(m, m->trials) + m->figures * ETA_FIGURE_S;
}

/*
 * Each benchmark's model estimate (est[k], plots included, eta.h) and,
 * with a budget, its share: the benchmarks' fixed parts (start, proof
 * passes, plots) come off the top, the rest is shared in proportion to
 * their trials' time; each run then fits itself to its share (run
 * --budget), and est[k] is the model of the run so fitted.  Says the plan
 * on stderr.
 */
static void plan(const struct sweep_ctx *c, const struct bench **set,
		 size_t nset, double budget_s, const char *verb, double *est,
		 double *share, unsigned *figs)
{
	struct eta_model m[SWEEP_MAX_BENCH];
	double fixed = 0, var = 0, total = 0, fitted = 0, s;

	for (size_t k = 0; k < nset; k++) {
		est[k] = model(c, set[k], 0, &m[k]);
		if (!est[k])
			continue;
		figs[k] = m[k].figures;
		fixed += m[k].fixed_s + m[k].proof_s + figs[k] * ETA_FIGURE_S;
		var += m[k].per_trial_s * m[k].trials;
		total += est[k];
	}
	if (!(budget_s > 0 && total > budget_s)) {
		fprintf(stderr, "gupsync: %s: %zu benchmarks, about %.0f s (time "
			"model, plots included)%s\n", verb, nset, total,
			budget_s > 0 ? "; within the budget" : "");
		return;
	}
	s = var > 0 && budget_s > fixed ? (budget_s - fixed) / var : 0;
	for (size_t k = 0; k < nset; k++) {
		struct eta_model f;

		if (!est[k])
			continue;
		share[k] = m[k].fixed_s + m[k].proof_s +
			   s * m[k].per_trial_s * m[k].trials;
		est[k] = model(c, set[k], share[k], &f);
		fitted += est[k];
	}
	fprintf(stderr, "gupsync: %s: %zu benchmarks, about %.0f s as set; "
		"budget %.0f s: trials and windows fitted, about %.0f s "
		"(time model, plots included)\n", verb, nset, total, budget_s,
		fitted);
}

int cmd_sweep(int argc, char **argv, const char *cmdline)
{
	bool full = false, dflt = !strcmp(argv[0], "default");
	uint64_t budget_ns = 0, t1;
	double est[SWEEP_MAX_BENCH] = { 0 }, share[SWEEP_MAX_BENCH] = { 0 };
	double fig_s = ETA_FIGURE_S, plot_all = 0;
	unsigned figs[SWEEP_MAX_BENCH] = { 0 }, figs_all = 0;
	const char *synth = NULL;
	char err[256];
	unsigned npu;
	int worst = EXIT_SKIP, nextra = 0, i = 1;
	char **extra = NULL;
	struct topo *t;
	struct sweep_ctx ctx;
	const struct bench *set[SWEEP_MAX_BENCH];
	size_t nset;

	(void)cmdline;
	for (; i < argc; i++) {
		if (!dflt && !strcmp(argv[i], "--full")) {
			full = true;
		} else if (!strcmp(argv[i], "--budget") ||
			   !strncmp(argv[i], "--budget=", 9)) {
			const char *v = argv[i][8] ? argv[i] + 9 :
					i + 1 < argc ? argv[++i] : "";

			char perr[128];

			if (parse_duration(v, 1000000000ull, 24 * 3600 *
					   1000000000ull, &budget_ns, perr,
					   sizeof(perr)) < 0) {
				fprintf(stderr, "gupsync %s: --budget: %s\n",
					argv[0], perr);
				return EXIT_USAGE;
			}
		} else if (!dflt && !strcmp(argv[i], "--")) {
			extra = argv + i + 1;
			nextra = argc - i - 1;
			break;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "gupsync %s: unknown argument '%s'; allowed: %s\n",
				argv[0], argv[i], dflt ? "--budget TIME" :
				"--full, --budget TIME, -- OPTIONS");
			return EXIT_USAGE;
		}
	}
	/* %N is the PU count of the topology the runs will use: the
	 * machine's, or a synthetic one given after -- */
	for (int e = 0; e < nextra; e++)
		if (!strncmp(extra[e], "--topology=", 11))
			synth = extra[e] + 11;
		else if (!strcmp(extra[e], "--topology") && e + 1 < nextra)
			synth = extra[e + 1];
	if (synth && !strcmp(synth, "machine"))
		synth = NULL;
	if (topo_open(synth, &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "gupsync %s: %s\n", argv[0], err);
		return 1;
	}
	npu = topo_count(t, PLACE_UNIT_PU);
	topo_close(t);
	nset = sweep_set(set, SWEEP_MAX_BENCH);
	ctx = (struct sweep_ctx){ full, npu, nextra, extra };
	plan(&ctx, set, nset, budget_ns / 1e9, argv[0], est, share, figs);
	for (size_t k = 0; k < nset; k++) {
		const struct bench *b = set[k];
		char buf[1024], line[1200], *args[SWEEP_MAX_ARGS], bud[48];
		int n, rc;

		n = bench_args(&ctx, b, share[k], buf, sizeof(buf), bud,
			       sizeof(bud), args);
		snprintf(line, sizeof(line), "gupsync run %s", b->name);
		for (int a = 0; a < n; a++)
			snprintf(line + strlen(line), sizeof(line) - strlen(line),
				 " %s", args[a]);
		/* The last run's footer, plots and blank line first: in a log
		 * of both, this line must not start inside them. */
		fflush(stdout);
		if (est[k] > 0)
			fprintf(stderr, "gupsync: %s [%zu/%zu] (about %.0f s with "
				"plots): %s\n", argv[0], k + 1, nset,
				est[k] + figs[k] * (fig_s - ETA_FIGURE_S), line);
		else
			fprintf(stderr, "gupsync: %s [%zu/%zu]: %s\n", argv[0],
				k + 1, nset, line);
		run_last_dir_clear();
		rc = run_bench(b, n, args, line);
		t1 = now_ns();
		/* Learned: this machine's seconds per figure. */
		figs_all += plot_run(run_last_dir());
		plot_all += (now_ns() - t1) / 1e9;
		if (figs_all)
			fig_s = plot_all / figs_all;
		printf("\n");
		if (rc == EXIT_USAGE || rc == 1)
			return rc;
		if (rc != EXIT_SKIP)
			worst = 0;
	}
	return worst;
}

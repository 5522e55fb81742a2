// SPDX-License-Identifier: GPL-2.0
/*
 * report.c - `gupsync report RUN_A RUN_B`: the cover-letter block (the
 * machine, the kernels, the method, the comparison table of compare.c,
 * the plot files); see report.h.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "compare_cmd.h"
#include "plot.h"
#include "report.h"
#include "text.h"

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

static void rep_method(const struct rundir *r, bool sides)
{
	char ma[128], mb[128], line[2400];

	rep_commands(r, line, sizeof(line));
	rundir_method(&r[0], ma, sizeof(ma));
	rundir_method(&r[1], mb, sizeof(mb));
	if (!strcmp(ma, mb))
		text_append(line, sizeof(line), "; %s;", ma);
	else
		text_append(line, sizeof(line), "; A %s, B %s;", ma, mb);
	if (sides)
		text_append(line, sizeof(line), " median of each side's trials; "
			    "gain%% + is better; 95%% CI by hierarchical bootstrap "
			    "(runs, then trials), t-widened for few runs; * CI "
			    "excludes 0");
	else
		text_append(line, sizeof(line), " median; gain%% + is better; "
			    "95%% CI by bootstrap; * Welch p<%.2g and CI excludes "
			    "0", COMPARE_ALPHA);
	compare_wrap(stdout, "Method:  ", "         ", line);
}

/* Plots of runs[0..n): A against B (with sides: each side's first run). */
static void rep_plots(const struct cmp_args *a, struct rundir *runs, size_t n)
{
	struct plot_files pf = { 0 };
	char dir[RUNDIR_PATH_MAX + 32], err[1024], *names;
	size_t len = 0;

	if (a->no_plots)
		return;
	if (a->outdir)
		snprintf(dir, sizeof(dir), "%s", a->outdir);
	else
		plot_default_dir(runs, n, dir, sizeof(dir));
	if (plot_runs(runs, n, dir, &pf, err, sizeof(err)) < 0) {
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

/* With sides: which runs, in the order given (that is the order they ran
 * in, for `gupsync ab`). */
static void rep_runs(const struct cmp_args *a, const struct rundir *runs)
{
	char line[4096];

	snprintf(line, sizeof(line), "%zu of A, %zu of B:", a->side_a,
		 a->n - a->side_a);
	for (size_t i = 0; i < a->n; i++)
		text_append(line, sizeof(line), " %c%zu %s%s",
			    i < a->side_a ? 'A' : 'B',
			    i < a->side_a ? i + 1 : i - a->side_a + 1,
			    runs[i].path, i + 1 < a->n ? "," : "");
	compare_wrap(stdout, "Runs:    ", "         ", line);
}

int cmd_report(int argc, char **argv, const char *cmdline)
{
	struct rundir runs[CMP_MAX_RUNS], pair[2];
	struct cmp_counts cnt;
	struct cmp_args a;
	size_t na;
	char err[1024];
	int rc;

	(void)cmdline;
	if (compare_cmd_setup(argc, argv, &a, runs, &rc) < 0)
		return rc;
	na = a.side_a ? a.side_a : 1;
	pair[0] = runs[0];	/* each side's first run describes it */
	pair[1] = runs[na];
	rep_machine(pair);
	rep_kernel(pair);
	rep_method(pair, a.side_a);
	if (a.side_a)
		rep_runs(&a, runs);
	printf("\n");
	rc = compare_table_runs(stdout, runs, na, runs + na, a.n - na, &a.o,
				&cnt, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "gupsync report: %s\n", err);
	else
		printf("%zu of %zu significant (*): %zu better, %zu worse\n",
		       cnt.sig, cnt.shown, cnt.better, cnt.worse);
	if (rc == 0)
		rep_plots(&a, pair, 2);
	/* plot_runs() may load more into its copies: they are the runs now. */
	runs[0] = pair[0];
	runs[na] = pair[1];
	compare_cmd_free(&a, runs);
	return rc < 0 ? 1 : 0;
}

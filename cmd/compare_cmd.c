// SPDX-License-Identifier: GPL-2.0
/*
 * compare_cmd.c - the arguments and the loading of the runs for `gupsync
 * compare` and `gupsync report`, and `gupsync compare` itself: a header
 * per run, the method, then each run's table against A; see
 * compare_cmd.h.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compare_cmd.h"
#include "options.h"
#include "text.h"

static int cmp_usage(const char *cmd, bool ok)
{
	FILE *f = ok ? stdout : stderr;

	if (!strcmp(cmd, "report"))
		fprintf(f, "usage: gupsync report [--all] [--no-plots] [-o DIR] "
			"RUN_A RUN_B\n"
			"       gupsync report [...] A1,A2,... B1,B2,...\n"
			"       gupsync report [...] DIR_A DIR_B\n"
			"  a cover-letter block: machine, method, the comparison, "
			"the plot files;\n  several runs a side (a comma list, or "
			"a directory of run directories): CI by hierarchical "
			"bootstrap\n");
	else
		fprintf(f, "usage: gupsync compare [--all] RUN_A RUN_B [RUN...]\n"
			"       gupsync compare [--all] A1,A2,... B1,B2,...\n"
			"       gupsync compare [--all] DIR_A DIR_B\n"
			"  each RUN against RUN_A, per data point and metric;\n"
			"  several runs a side (a comma list, or a directory of "
			"run directories): CI by hierarchical bootstrap;\n"
			"  --all also shows counter-per-op metrics (no better "
			"direction)\n");
	return ok ? 0 : EXIT_USAGE;
}

/* A side of several runs: a comma list, or a directory without its own
 * meta.json (a directory of run directories). */
static bool is_group(const char *s)
{
	char p[RUNDIR_PATH_MAX];
	struct stat st;

	if (strchr(s, ','))
		return true;
	snprintf(p, sizeof(p), "%s/meta.json", s);
	return stat(s, &st) == 0 && S_ISDIR(st.st_mode) && stat(p, &st) < 0;
}

static int by_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Append the runs of one side to a->paths; -1 with a message. */
static int add_side(const char *cmd, const char *s, struct cmp_args *a,
		    size_t *owned)
{
	char *list, *save = NULL, *tok;
	size_t first = a->n;
	DIR *d;
	struct dirent *e;

	if (strchr(s, ',')) {
		if (!(list = strdup(s)))
			return -1;
		a->owned[(*owned)++] = list;
		for (tok = strtok_r(list, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			if (a->n == CMP_MAX_RUNS || *owned == CMP_MAX_RUNS)
				goto many;
			a->paths[a->n++] = tok;
		}
	} else if ((d = opendir(s))) {
		while ((e = readdir(d))) {
			char p[RUNDIR_PATH_MAX];
			struct stat st;

			snprintf(p, sizeof(p), "%s/%s/meta.json", s, e->d_name);
			if (e->d_name[0] == '.' || stat(p, &st) < 0)
				continue;
			if (a->n == CMP_MAX_RUNS || *owned == CMP_MAX_RUNS) {
				closedir(d);
				goto many;
			}
			snprintf(p, sizeof(p), "%s/%s", s, e->d_name);
			if (!(a->owned[*owned] = strdup(p))) {
				closedir(d);
				return -1;
			}
			a->paths[a->n++] = a->owned[(*owned)++];
		}
		closedir(d);
		qsort(a->paths + first, a->n - first, sizeof(char *), by_name);
	}
	if (a->n == first) {
		fprintf(stderr, "gupsync %s: '%s' holds no run directory\n", cmd, s);
		return -1;
	}
	return 0;
many:
	fprintf(stderr, "gupsync %s: more than %d runs in all\n", cmd, CMP_MAX_RUNS);
	return -1;
}

/* Two sides of several runs: expand both into a->paths. */
static int cmp_sides(const char *cmd, struct cmp_args *a)
{
	const char *sa = a->paths[0], *sb = a->paths[1];
	size_t owned = 0;

	a->n = 0;
	if (add_side(cmd, sa, a, &owned) < 0)
		return EXIT_USAGE;
	a->side_a = a->n;
	if (add_side(cmd, sb, a, &owned) < 0)
		return EXIT_USAGE;
	return 0;
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
		} else if (a->n == (report ? 2 : CMP_MAX_RUNS)) {
			fprintf(stderr, "gupsync %s: too many runs ('%s'); allowed: "
				"%d\n", argv[0], s, report ? 2 : CMP_MAX_RUNS);
			return EXIT_USAGE;
		} else {
			a->paths[a->n++] = s;
		}
	}
	if (a->n == 2 && (is_group(a->paths[0]) || is_group(a->paths[1])))
		return cmp_sides(argv[0], a);
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

int compare_cmd_setup(int argc, char **argv, struct cmp_args *a,
		      struct rundir *runs, int *status)
{
	int rc = cmp_parse(argc, argv, a);

	if (rc) {
		*status = cmp_usage(argv[0], rc == 1);
		return -1;
	}
	*status = cmp_load(argv[0], a, runs);
	return *status ? -1 : 0;
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

/* The footer's count, each kind named: "neither" are significant
 * changes of metrics without a better direction (--all). */
static void cmp_footer(const struct cmp_counts *c)
{
	size_t neither = c->sig - c->better - c->worse;

	printf("# %zu of %zu metrics significant: %zu better, %zu worse", c->sig,
	       c->shown, c->better, c->worse);
	if (neither)
		printf(", %zu neither (metrics with no better direction, e.g. "
		       "counts per op: changed, not better or worse)", neither);
	printf("\n");
}

/* Warn when the runs were measured differently: their medians and CIs
 * are then not alike. */
static void cmp_methods(const struct rundir *runs, size_t n, size_t side_a)
{
	char m0[512], mi[512], head[32];

	rundir_method(&runs[0], m0, sizeof(m0));
	for (size_t i = 1; i < n; i++) {
		rundir_method(&runs[i], mi, sizeof(mi));
		if (!strcmp(m0, mi))
			continue;
		if (side_a)
			snprintf(head, sizeof(head), "# warning: %c%zu: ",
				 i < side_a ? 'A' : 'B',
				 i < side_a ? i + 1 : i - side_a + 1);
		else
			snprintf(head, sizeof(head), "# warning: %c: ", (int)('A' + i));
		compare_wrap(stdout, head, "#   ", "measured another way than A "
			     "(see the method lines above): its medians and CIs "
			     "are not like for like");
	}
}

/* Two sides of several runs: one table, B's runs against A's. */
static int cmp_sides_table(const struct cmp_args *a, const struct rundir *runs)
{
	struct cmp_counts cnt;
	char err[1024];

	if (compare_table_runs(stdout, runs, a->side_a, runs + a->side_a,
			       a->n - a->side_a, &a->o, &cnt, err,
			       sizeof(err)) < 0) {
		fprintf(stderr, "gupsync compare: %s\n", err);
		return 1;
	}
	cmp_footer(&cnt);
	return 0;
}

static int cmp_tables(const struct cmp_args *a, const struct rundir *runs)
{
	char err[1024], head[64];

	if (a->side_a)
		return cmp_sides_table(a, runs);
	for (size_t i = 1; i < a->n; i++) {
		struct cmp_opts o = a->o;
		struct cmp_counts cnt;

		o.tag_a = 'A';
		o.tag_b = (char)('A' + i);
		if (a->n > 2)
			printf("\n## %c against A\n", (int)('A' + i));
		if (compare_table_runs(stdout, &runs[0], 1, &runs[i], 1, &o, &cnt,
				       err, sizeof(err)) < 0) {
			fprintf(stderr, "gupsync compare: %s\n", err);
			return 1;
		}
		cmp_footer(&cnt);
		snprintf(head, sizeof(head), "# metrics only in %c: ", 'A');
		cmp_only_in(stdout, &runs[0], &runs[i], head);
		snprintf(head, sizeof(head), "# metrics only in %c: ", (int)('A' + i));
		cmp_only_in(stdout, &runs[i], &runs[0], head);
	}
	return 0;
}

int cmd_compare(int argc, char **argv, const char *cmdline)
{
	struct rundir runs[CMP_MAX_RUNS];
	struct cmp_args a;
	int rc;

	(void)cmdline;
	if (compare_cmd_setup(argc, argv, &a, runs, &rc) < 0)
		return rc;
	if (a.side_a) {
		printf("# gupsync compare %s: %zu runs of A, %zu of B, in the "
		       "order given\n", rundir_bench(&runs[0]), a.side_a,
		       a.n - a.side_a);
		for (size_t i = 0; i < a.n; i++) {
			char tag[8];

			snprintf(tag, sizeof(tag), "# %c%zu: ", i < a.side_a ? 'A' : 'B',
				 i < a.side_a ? i + 1 : i - a.side_a + 1);
			compare_wrap(stdout, tag, "#      ", runs[i].path);
		}
		cmp_describe(stdout, &runs[0], 'A');
		cmp_describe(stdout, &runs[a.side_a], 'B');
	} else {
		printf("# gupsync compare %s: each run against A\n",
		       rundir_bench(&runs[0]));
		for (size_t i = 0; i < a.n; i++)
			cmp_describe(stdout, &runs[i], (char)('A' + i));
	}
	compare_wrap(stdout, "# method: ", "#   ", cmp_method);
	cmp_methods(runs, a.n, a.side_a);
	rc = cmp_tables(&a, runs);
	compare_cmd_free(&a, runs);
	return rc;
}

void compare_cmd_free(struct cmp_args *a, struct rundir *runs)
{
	for (size_t i = 0; i < a->n; i++)
		rundir_free(&runs[i]);
	for (size_t i = 0; i < CMP_MAX_RUNS && a->owned[i]; i++)
		free(a->owned[i]);
}

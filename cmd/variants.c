// SPDX-License-Identifier: GPL-2.0
/*
 * variants.c - `gupsync variants`: the command line and the report's
 * outline; see variants.h.  The parts: variants_load.c (the runs),
 * variants_cells.c (a cell's numbers and the notes), variants_table.c
 * (the tables and legends), variants_text.c (numbers and commentary
 * lines), variants_run.c (the run mode).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "text.h"
#include "variants.h"
#include "variants_cells.h"
#include "variants_load.h"
#include "variants_run.h"
#include "variants_table.h"
#include "variants_text.h"

/* ---- the report ------------------------------------------------------- */

/* Machine, configuration, and each run's method and fixed parameters. */
static void vt_provenance(FILE *f, const struct vt *v)
{
	char m0[512], m[512], cfg[512], meth[128], par[512];

	rundir_machine(&v->runs[0], m0, sizeof(m0));
	rundir_config(&v->runs[0], cfg, sizeof(cfg));
	vt_say(f, VT_HANG, "machine: %s", m0);
	vt_say(f, VT_HANG, "config: %s", cfg);
	for (size_t i = 0; i < v->nruns; i++) {
		const struct rundir *rd = &v->runs[i];

		rundir_machine(rd, m, sizeof(m));
		if (strcmp(m, m0))
			vt_say(f, VT_HANG, "WARNING: %s ran on another machine: %s",
			       rundir_name(rd), m);
		rundir_method(rd, meth, sizeof(meth));
		par[0] = '\0';
		for (size_t k = 0; k < rd->nparams; k++) {
			const char *w = vt_want(v, rd, k, 1, "n");

			text_append(par, sizeof(par), " %s=%s",
				    rd->summary.head[k], w ? w : "any");
		}
		vt_say(f, VT_HANG, "method: %s %s: %s;%s", vt_bench(v->src[i]),
		       rundir_name(rd), meth, par);
	}
	vt_say(f, 0, "median [95%% CI of the median] over trials; --: no "
	       "data (see the notes)");
}

int variants_report(FILE *f, char *const *dirs, size_t ndirs,
		    const struct variants_sel *sel, char *err, size_t len)
{
	struct vt *v;
	int rc = vt_open(&v, dirs, ndirs, sel, err, len);

	if (rc)
		return rc;
	vt_say(f, 0, "gupsync variants: the IPI and the RCU variant of the "
	       "protected replacement, per number n of busy other CPUs");
	vt_provenance(f, v);
	vt_user_table(f, v);
	if (v->nsrc[VT_KIPI] || v->nsrc[VT_KRCU])
		vt_kernel_table(f, v);
	if (!v->nrows)
		vt_say(f, 0, "-- no data point in the given runs");
	vt_print_notes(f, v);
	vt_free(v);
	return 0;
}

/* ---- the command ------------------------------------------------------ */

static const char *const vt_cmds[] = { "private", "global", NULL };
static const char *const vt_victims[] = {
	"spin", "syscall", "sleep", "gup", NULL,
};
static const char *const vt_loads[] = {
	"idle", "spin", "syscall", "gup", "sleep", NULL,
};

struct vt_conf {
	int cmd, victim, load;
	const char *output;
};

static const struct opt_spec vt_opts[] = {
	{ .name = "cmd", .type = OPT_ENUM,
	  .help = "membarrier command of the IPI variant: private (CPUs "
	  "running this mm) or global expedited",
	  .def = "private", .choices = vt_cmds,
	  .offset = offsetof(struct vt_conf, cmd) },
	{ .name = "victim", .type = OPT_ENUM,
	  .help = "what the IPI variant's busy other CPUs do (n > 0)",
	  .def = "spin", .choices = vt_victims,
	  .offset = offsetof(struct vt_conf, victim) },
	{ .name = "load", .type = OPT_ENUM,
	  .help = "what the RCU variant's busy other CPUs do (n > 0)",
	  .def = "spin", .choices = vt_loads,
	  .offset = offsetof(struct vt_conf, load) },
	{ .name = "output", .type = OPT_STR,
	  .help = "where the runs go (only without RUN_DIRs)",
	  .def = "results", .offset = offsetof(struct vt_conf, output) },
	{ NULL },
};

static void vt_usage(void)
{
	const struct opt_spec *const tables[] = { vt_opts };

	printf("usage: gupsync variants [OPTIONS] RUN_DIR...\n"
	       "       gupsync variants [OPTIONS] [-- HARNESS-OPTIONS...]\n\n"
	       "The IPI and the RCU variant of the protected replacement side\n"
	       "by side, per number n of other CPUs kept busy (--bg-threads):\n"
	       "the replacer's wait (membarrier expedited, standing in for\n"
	       "tlb_remove_table_sync_one(); synchronize_rcu() normal and\n"
	       "expedited) and the cost to the other CPUs (IPIs per call,\n"
	       "victims' slowdown, load throughput lost).\n\n"
	       "With RUN_DIRs: tabulate runs of %s and %s, and\n"
	       "of %s and %s (in-kernel, gupsync.ko) if given; a directory\n"
	       "of run directories stands for all of them.  Without: run\n"
	       "%s and %s briefly over n = 0..N-1 (N CPUs;\n"
	       "about 30 s on 2) into OUTPUT/variants-DATE/, then tabulate;\n"
	       "HARNESS-OPTIONS (--name=value) go to both runs, e.g.\n"
	       "-- --trials=20 --duration=1s.\n\n"
	       "Cells are medians [95%% CI] from summary.csv; \"--\" = no data,\n"
	       "and a note says why.  Where runs of one benchmark share a\n"
	       "point, the first given wins.  Exit status 2 on bad input.\n\n",
	       vt_bench(VT_IPI), vt_bench(VT_RCU), vt_bench(VT_KIPI),
	       vt_bench(VT_KRCU), vt_bench(VT_IPI), vt_bench(VT_RCU));
	opt_help(stdout, tables, 1);
}

/* argv[1..) into options (with the value of "--name value") and RUN_DIRs,
 * up to "--"; returns the index after "--", or argc. */
static int vt_split(int argc, char **argv, char **opts, int *nopts,
		    char **dirs, int *ndirs)
{
	for (int i = 1; i < argc; i++) {
		bool valued = false;

		if (!strcmp(argv[i], "--"))
			return i + 1;
		if (argv[i][0] != '-') {
			dirs[(*ndirs)++] = argv[i];
			continue;
		}
		for (int k = 0; vt_opts[k].name; k++)
			valued |= !strcmp(argv[i] + strspn(argv[i], "-"),
					  vt_opts[k].name);
		opts[(*nopts)++] = argv[i];
		if (valued && i + 1 < argc)
			opts[(*nopts)++] = argv[++i];
	}
	return argc;
}

static int vt_parse(int argc, char **argv, struct vt_conf *c, int *ndirs,
		    char **dirs, int *extra)
{
	const struct opt_spec *const tables[] = { vt_opts };
	char **opts = calloc((size_t)argc + 1, sizeof(char *)), err[OPT_ERR_LEN];
	struct opt_set set;
	bool help = false;
	int nopts = 0, rc = 0;

	if (!opts) {
		fprintf(stderr, "gupsync variants: out of memory\n");
		return 1;
	}
	*extra = vt_split(argc, argv, opts, &nopts, dirs, ndirs);
	if (opt_parse(tables, 1, nopts, opts, &set, &help, err, sizeof(err)) < 0) {
		fprintf(stderr, "gupsync variants: %s\n", err);
		rc = EXIT_USAGE;
	} else if (help) {
		vt_usage();
		rc = -1;
	} else if (*ndirs && (opt_find(&set, "output")->given || *extra < argc)) {
		fprintf(stderr, "gupsync variants: --output and -- OPTIONS are "
			"for running the benchmarks, not with RUN_DIRs\n");
		rc = EXIT_USAGE;
	} else {
		opt_apply(&set, 0, (void *const[]){ c });
	}
	free(opts);
	return rc;
}

int cmd_variants(int argc, char **argv, const char *cmdline)
{
	char **dirs = calloc((size_t)argc + 1, sizeof(char *)), err[VT_TEXT];
	struct vt_conf c;
	struct variants_sel sel;
	int ndirs = 0, extra = argc, rc;

	(void)cmdline;
	if (!dirs) {
		fprintf(stderr, "gupsync variants: out of memory\n");
		return 1;
	}
	rc = vt_parse(argc, argv, &c, &ndirs, dirs, &extra);
	if (!rc) {
		sel = (struct variants_sel){ vt_cmds[c.cmd], vt_victims[c.victim],
					     vt_loads[c.load] };
		if (ndirs)
			rc = variants_report(stdout, dirs, (size_t)ndirs, &sel,
					     err, sizeof(err));
		else
			rc = vt_run_mode(&sel, c.output, argv + extra,
					 argc - extra);
		if (ndirs && rc)
			fprintf(stderr, "gupsync variants: %s\n", err);
	}
	free(dirs);
	return rc < 0 ? 0 : rc;	/* < 0: --help */
}

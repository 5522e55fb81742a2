// SPDX-License-Identifier: GPL-2.0
/* variants_run.c - run the benchmarks, then tabulate; see variants_run.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "placement.h"
#include "results.h"
#include "run.h"
#include "rundir.h"
#include "text.h"
#include "variants_load.h"
#include "variants_run.h"
#include "variants_text.h"

#define VT_MAX_ARGS 64
#define VT_MAX_OWN_ARGS 16	/* the arguments we format */
#define VT_ARG_LEN 128

/* A run's argv (the strings we format kept in buf). */
struct vt_args {
	char buf[VT_MAX_OWN_ARGS][VT_ARG_LEN];
	char *argv[VT_MAX_ARGS];
	int argc, nbuf;
};

/* Add a formatted argument. */
__attribute__((format(printf, 2, 3)))
static void vt_arg(struct vt_args *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->buf[a->nbuf], sizeof(a->buf[0]), fmt, ap);
	va_end(ap);
	a->argv[a->argc++] = a->buf[a->nbuf++];
}

/* The user's harness options last; one that repeats ours replaces it. */
static void vt_extra(struct vt_args *a, char **extra, int nextra)
{
	for (int e = 0; e < nextra && a->argc < VT_MAX_ARGS - 2; e++) {
		size_t kl = strcspn(extra[e], "=");

		for (int k = 0; k < a->argc; k++)
			if (!strncmp(a->argv[k], extra[e], kl) &&
			    a->argv[k][kl] == '=')
				a->argv[k--] = a->argv[--a->argc];
		a->argv[a->argc++] = extra[e];
	}
	a->argv[a->argc] = NULL;
}

/* Run one benchmark into dir; its exit status. */
static int vt_run_one(const char *name, struct vt_args *a, char **extra,
		      int nextra, const char *dir)
{
	const struct bench *b = bench_find(name);
	char line[2048];

	if (!b) {
		fprintf(stderr, "gupsync variants: benchmark %s is not built in\n",
			name);
		return 1;
	}
	vt_arg(a, "--output=%s", dir);
	vt_extra(a, extra, nextra);
	snprintf(line, sizeof(line), "gupsync run %s", name);
	for (int k = 0; k < a->argc; k++)
		text_append(line, sizeof(line), " %s", a->argv[k]);
	fprintf(stderr, "gupsync variants: %s\n", line);
	return run_bench(b, a->argc, a->argv, line);
}

/* The number of PUs into *npu; -1 (and a message) if unknown. */
static int vt_npu(unsigned *npu)
{
	char err[VT_TEXT];
	struct topo *t;

	if (topo_open(NULL, &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "gupsync variants: %s\n", err);
		return -1;
	}
	*npu = topo_count(t, PLACE_UNIT_PU);
	topo_close(t);
	return 0;
}

/* Our arguments of the two runs: brief, over n = 0..npu-1. */
static void vt_own_args(const struct variants_sel *sel, unsigned npu,
			struct vt_args *ipi, struct vt_args *rcu)
{
	vt_arg(ipi, "--bg-threads=0-%u", npu - 1);
	vt_arg(ipi, "--cmd=%s", sel->cmd);
	vt_arg(ipi, "--victim=%s", sel->victim);
	vt_arg(ipi, "--duration=100ms");
	vt_arg(ipi, "--warmup=20ms");
	vt_arg(ipi, "--trials=6");
	vt_arg(ipi, "--order=interleave");
	vt_arg(rcu, "--bg-threads=0-%u", npu - 1);
	/* n = 0 is the idle point: the RCU variant skips a load with no thread. */
	vt_arg(rcu, strcmp(sel->load, "idle") ? "--load=idle,%s" : "--load=%s",
	       sel->load);
	vt_arg(rcu, "--duration=300ms");
	vt_arg(rcu, "--trials=6");
	vt_arg(rcu, "--order=interleave");
}

int vt_run_mode(const struct variants_sel *sel, const char *out,
		char **extra, int nextra)
{
	struct vt_args ipi = { .argc = 0 }, rcu = { .argc = 0 };
	char err[VT_TEXT], dir[RUNDIR_PATH_MAX], *dirs[1] = { dir };
	unsigned npu;
	int rc[2];

	if (vt_npu(&npu) < 0)
		return 1;
	if (results_mkdir(out, "variants", dir, sizeof(dir), err, sizeof(err)) < 0) {
		fprintf(stderr, "gupsync variants: %s\n", err);
		return 1;
	}
	vt_own_args(sel, npu, &ipi, &rcu);
	rc[0] = vt_run_one(vt_bench(VT_IPI), &ipi, extra, nextra, dir);
	if (rc[0] == EXIT_USAGE || rc[0] == 1)
		return rc[0];
	rc[1] = vt_run_one(vt_bench(VT_RCU), &rcu, extra, nextra, dir);
	if (rc[1] == EXIT_USAGE || rc[1] == 1)
		return rc[1];
	printf("\n");
	if (variants_report(stdout, dirs, 1, sel, err, sizeof(err))) {
		fprintf(stderr, "gupsync variants: %s\n", err);
		return 1;
	}
	return rc[0] == EXIT_SKIP && rc[1] == EXIT_SKIP ? EXIT_SKIP : 0;
}

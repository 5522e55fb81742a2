// SPDX-License-Identifier: GPL-2.0
/* sweep.c - see sweep.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "placement.h"
#include "plot.h"
#include "rundir.h"
#include "run.h"
#include "sweep.h"

#define SWEEP_MAX_ARGS 64

/*
 * The set.  %N is the number of PUs, %M one less (the other CPUs).  "short" is `make run`'s default set
 * (about two minutes on 2 CPUs); "full" sweeps placements and variables.
 */
static const struct {
	const char *bench;
	const char *short_args;
	const char *full_args;
} sweep_set[] = {
	{ "gup-fast",
	  "--threads=1-%N --page-size=4K,2M --duration=200ms --warmup=50ms "
	  "--trials=6 --order=interleave",
	  "--threads=1-%N --page-size=4K,2M --layout=own,shared "
	  "--placement=compact,scatter --order=interleave" },
	{ "rcu-wait",
	  "--threads=1 --bg-threads=1 --load=idle,spin,gup-fast "
	  "--duration=300ms --trials=6 --order=interleave",
	  "--threads=1,%N --bg-threads=1 --load=idle,spin,syscall,gup-fast,sleep "
	  "--duration=1s --order=interleave" },
	{ "tlb-shootdown",
	  "--bg-threads=0-%M --op=mprotect --pages=1,512 --victim=spin,gup-fast "
	  "--trials=6 --duration=100ms --warmup=20ms --order=interleave",
	  "--bg-threads=0-%M --op=mprotect,madvise,munmap --pages=1,32,512,1024 "
	  "--victim=spin,syscall,sleep,gup-fast --placement=compact,scatter "
	  "--order=interleave" },
	{ "ipi-broadcast",
	  "--bg-threads=0-%M --cmd=private,global --victim=spin,sleep "
	  "--trials=6 --duration=100ms --warmup=20ms --order=interleave",
	  "--bg-threads=0-%M --cmd=private,global --victim=spin,sleep,gup-fast "
	  "--placement=compact,scatter --order=interleave" },
	{ "collapse",
	  "--bg-threads=0-%M --duration=150ms --warmup=50ms --trials=6 "
	  "--order=interleave",
	  "--bg-threads=0-%M --placement=compact,scatter --order=interleave" },
	{ "ksm-merge",
	  "--bg-threads=0-%M --duration=300ms --warmup=50ms --trials=6 "
	  "--order=interleave",
	  "--bg-threads=0-%M --order=interleave" },
	{ "uprobe-replace", "--duration=300ms --warmup=50ms --trials=6",
	  "--order=interleave" },
	{ "pin-fast",
	  "--threads=1-%N --page-size=4K,2M --duration=200ms --warmup=50ms "
	  "--trials=6 --order=interleave",
	  "--threads=1-%N --page-size=4K,2M --pages=1,32,512 "
	  "--placement=compact,scatter --order=interleave" },
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gupsync sweep [--full] [-- HARNESS-OPTIONS...]\n"
		"       gupsync default\n\n"
		"Runs each benchmark of the set over 1..N CPUs (N = PUs here),\n"
		"rounds interleaved (--order interleave), one run directory each.\n"
		"  --full   also placements and the benchmarks' variables\n"
		"  -- ...   harness options added to every run, e.g.\n"
		"           -- --trials=20 --duration=1s\n"
		"Benchmarks of the set: ");
	for (size_t i = 0; i < sizeof(sweep_set) / sizeof(sweep_set[0]); i++)
		fprintf(f, "%s%s", i ? ", " : "", sweep_set[i].bench);
	fprintf(f, "\nAn interrupted one: gupsync run --resume DIR\n");
}

/* "--a=1 --b=%N" + extra -> argv (in buf), %N replaced. */
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
		} else {
			buf[o++] = *p;
		}
	}
	buf[o] = 0;
	for (tok = strtok_r(buf, " ", &save); tok && n < SWEEP_MAX_ARGS - 3;
	     tok = strtok_r(NULL, " ", &save))
		args[n++] = tok;
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
static void plot_run(const char *dir)
{
	struct plot_files pf = { 0 };
	struct rundir rd;
	char err[512], out[1200];

	if (!dir[0])
		return;
	if (rundir_load(dir, &rd, err, sizeof(err)) < 0 ||
	    (plot_default_dir(&rd, 1, out, sizeof(out)),
	     plot_runs(&rd, 1, out, &pf, err, sizeof(err)) < 0)) {
		printf("# plots: not made: %s\n", err);
		return;
	}
	printf("# plots: %zu files in %s/\n", pf.n, out);
	plot_files_free(&pf);
	rundir_free(&rd);
}

int cmd_sweep(int argc, char **argv, const char *cmdline)
{
	bool full = false, dflt = !strcmp(argv[0], "default");
	char err[256];
	unsigned npu;
	int worst = EXIT_SKIP, nextra = 0, i = 1;
	char **extra = NULL;
	struct topo *t;

	(void)cmdline;
	for (; i < argc; i++) {
		if (!dflt && !strcmp(argv[i], "--full")) {
			full = true;
		} else if (!dflt && !strcmp(argv[i], "--")) {
			extra = argv + i + 1;
			nextra = argc - i - 1;
			break;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "gupsync %s: unknown argument '%s'; allowed: %s\n",
				argv[0], argv[i], dflt ? "none" : "--full, -- OPTIONS");
			return EXIT_USAGE;
		}
	}
	if (topo_open(NULL, &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "gupsync %s: %s\n", argv[0], err);
		return 1;
	}
	npu = topo_count(t, PLACE_UNIT_PU);
	topo_close(t);
	for (size_t k = 0; k < sizeof(sweep_set) / sizeof(sweep_set[0]); k++) {
		const struct bench *b = bench_find(sweep_set[k].bench);
		char buf[1024], line[1200], *args[SWEEP_MAX_ARGS];
		int n, rc;

		if (!b)
			continue;
		n = split_args(full ? sweep_set[k].full_args : sweep_set[k].short_args,
			       npu, nextra, extra, buf, sizeof(buf), args);
		snprintf(line, sizeof(line), "gupsync run %s", b->name);
		for (int a = 0; a < n; a++)
			snprintf(line + strlen(line), sizeof(line) - strlen(line),
				 " %s", args[a]);
		fprintf(stderr, "gupsync: %s [%zu/%zu]: %s\n", argv[0], k + 1,
			sizeof(sweep_set) / sizeof(sweep_set[0]), line);
		run_last_dir_clear();
		rc = run_bench(b, n, args, line);
		plot_run(run_last_dir());
		printf("\n");
		if (rc == EXIT_USAGE || rc == 1)
			return rc;
		if (rc != EXIT_SKIP)
			worst = 0;
	}
	return worst;
}

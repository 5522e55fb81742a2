// SPDX-License-Identifier: GPL-2.0
/*
 * gupsync - measure what protecting GUP-fast costs: GUP-fast throughput,
 * IPI/TLB-shootdown cost, RCU-wait latency, protected page replacement.
 *
 * The driver: a table of commands (commands[] below), each an entry point
 * cmd_VERB(argc, argv, cmdline) with argv[0] the command's name, as perf
 * has cmd_record().  run, list, info, restore and help are here; the
 * others live in cmd/ (one file or a few per verb), above lib/ (the
 * harness and mechanisms) and bench/ (one file per benchmark).
 *
 *   list        the benchmarks and the kernel path of each
 *   run         one benchmark (gupsync run BENCH --help for its options)
 *   default     the short default set (`make run`)   cmd/sweep.c
 *   sweep       every benchmark over 1..N CPUs       cmd/sweep.c
 *   info        what this machine offers
 *   restore     put back knobs a crashed run left changed
 *   check       is a pinned page ever replaced?      cmd/check.c
 *   variants    IPI vs RCU variant side by side      cmd/variants.c
 *   vm          gupsync in QEMU on another kernel    cmd/vm.c
 *   compare     runs against run A                   cmd/compare_cmd.c
 *   ab          two commands in ABAB rounds          cmd/ab.c
 *   report      cover-letter block                   cmd/report.c
 *   plot        figures with gnuplot                 cmd/plot.c
 *   validate    is a run directory whole?            cmd/validate.c
 *   help        the usage text
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <unistd.h>

#include "ab.h"
#include "bench.h"
#include "check.h"
#include "compare.h"	/* cmd_compare, cmd_report, cmd_plot (plot.h) */
#include "counters.h"
#include "knobs.h"
#include "placement.h"
#include "run.h"
#include "sweep.h"
#include "sysinfo.h"
#include "validate.h"
#include "variants.h"
#include "vm.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gupsync COMMAND [ARGS]\n\n"
		"  list                 the benchmarks and the kernel path each drives\n"
		"  run BENCH [OPTIONS]  run one benchmark; gupsync run BENCH --help\n"
		"  sweep [--full]       the set of benchmarks over 1..N CPUs\n"
		"  default              the short sweep that `make run` runs\n"
		"  info [--json]        kernel, config, CPU, topology, knobs, counters\n"
		"  restore              restore knobs a crashed run left changed\n"
		"  check [OPTIONS]      is a pinned page ever replaced? (collapse, KSM, uprobes)\n"
		"  vm [OPTS] -- ARGS    gupsync ARGS in QEMU on another kernel, with gupsync.ko\n"
		"  variants [RUN_DIR...] IPI vs RCU variant side by side, per busy CPUs\n"
		"  compare RUN_A RUN_B  each run against A: medians, gain%%, 95%% CI, *\n"
		"  report RUN_A RUN_B   cover-letter block: machine, method, table, plots\n"
		"  ab --a ARGS --b ARGS two commands in ABAB rounds, then compared\n"
		"  plot [RUN...]        PNG+SVG figures (gnuplot); several runs overlaid\n"
		"  validate RUN...      is each run directory whole? one line per problem\n"
		"  help                 this text\n\n"
		"Results go to results/<bench>-<date>-<time>/ (summary.csv, trials.csv,\n"
		"evidence.csv, samples.csv for latency benchmarks, meta.json, plots/);\n"
		"the table goes to stdout, progress to stderr.\n");
}

static int list_benchmarks(void)
{
	const struct bench **all;
	size_t n = bench_all(&all);

	for (size_t i = 0; i < n; i++)
		printf("%-16s %s\n%-16s   path: %s\n", all[i]->name,
		       all[i]->summary, "", all[i]->kernel_path);
	return 0;
}

static int show_info(int argc, char **argv)
{
	json_t *info;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: gupsync info [--json]\n  what this machine offers: "
		       "kernel, config, cmdline, CPU, topology, knobs,\n  daemons, "
		       "perf events, interrupts, membarrier, io_uring\n");
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--json")) {
		fprintf(stderr, "gupsync info: unknown argument '%s'; allowed: --json\n",
			argv[1]);
		return EXIT_USAGE;
	}
	info = sysinfo_collect();
	if (argc > 1) {
		json_dumpf(info, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		printf("\n");
	} else {
		sysinfo_print(stdout, info);
	}
	json_decref(info);
	return 0;
}

static int restore_knobs(void)
{
	char msg[4096] = "";
	int n = knobs_recover(msg, sizeof(msg));

	if (n < 0) {
		fprintf(stderr, "gupsync restore: %s\n", msg);
		return 1;
	}
	printf("%s\n", n ? msg : msg[0] ? msg : "nothing to restore");
	return 0;
}

static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	for (int i = 0; s && i < argc; i++) {
		strcat(s, argv[i]);
		if (i + 1 < argc)
			strcat(s, " ");
	}
	return s;
}

static int cmd_run(int argc, char **argv, const char *cmdline)
{
	const struct bench *b;

	if (argc >= 2 && !strcmp(argv[1], "--resume")) {
		if (argc != 3) {
			fprintf(stderr, "gupsync run --resume: takes exactly one run "
				"directory, e.g. results/gup-fast-20261125-101500\n");
			return EXIT_USAGE;
		}
		return run_resume_dir(argv[2], cmdline);
	}
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fprintf(argc < 2 ? stderr : stdout,
			"usage: gupsync run BENCH [OPTIONS]; BENCH is one of:\n");
		list_benchmarks();
		return argc < 2 ? EXIT_USAGE : 0;
	}
	b = bench_find(argv[1]);
	if (!b) {
		fprintf(stderr, "gupsync run: unknown benchmark '%s'; see gupsync list\n",
			argv[1]);
		return EXIT_USAGE;
	}
	return run_bench(b, argc - 2, argv + 2, cmdline);
}

/* will-it-scale runs under `setarch -R`: page-table layout changes results
 * from run to run.  Re-execute once with ASLR off unless told not to. */
static void no_aslr(int argc, char **argv)
{
	int pers = personality(0xffffffff);

	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--keep-aslr") || !strcmp(argv[i], "--dry-run") ||
		    !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return;
	if (pers < 0 || (pers & ADDR_NO_RANDOMIZE))
		return;
	if (personality(pers | ADDR_NO_RANDOMIZE) < 0)
		return;
	execv("/proc/self/exe", argv);
	personality(pers);	/* exec failed: go on with ASLR, meta says so */
}

static int cmd_help(int argc, char **argv, const char *cmdline)
{
	(void)argc, (void)argv, (void)cmdline;
	usage(stdout);
	return 0;
}

static int cmd_list(int argc, char **argv, const char *cmdline)
{
	(void)cmdline;
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: gupsync list\n  the benchmarks and the kernel "
		       "path each drives\n");
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "gupsync list: takes no arguments (got '%s')\n",
			argv[1]);
		return EXIT_USAGE;
	}
	return list_benchmarks();
}

static int cmd_info(int argc, char **argv, const char *cmdline)
{
	(void)cmdline;
	return show_info(argc, argv);
}

static int cmd_restore(int argc, char **argv, const char *cmdline)
{
	(void)cmdline;
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: gupsync restore\n  put back the knobs a crashed "
		       "run left changed (its journal: $GUPSYNC_JOURNAL,\n  "
		       "default " KNOBS_JOURNAL_DEFAULT ")\n");
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "gupsync restore: takes no arguments (got '%s')\n",
			argv[1]);
		return EXIT_USAGE;
	}
	return restore_knobs();
}

/* Commands: argv[0] is the command's name.  'measures' commands run with
 * ASLR off and tracefs reachable. */
static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv, const char *cmdline);
	bool measures;
} commands[] = {
	{ "list", cmd_list, false },
	{ "run", cmd_run, true },
	{ "default", cmd_sweep, true },
	{ "sweep", cmd_sweep, true },
	{ "info", cmd_info, false },
	{ "restore", cmd_restore, false },
	{ "check", cmd_check, true },
	{ "variants", cmd_variants, true },
	{ "vm", cmd_vm, false },
	{ "compare", cmd_compare, false },
	{ "ab", cmd_ab, false },
	{ "report", cmd_report, false },
	{ "plot", cmd_plot, false },
	{ "validate", cmd_validate, false },
	{ "help", cmd_help, false },
	{ "--help", cmd_help, false },
	{ "-h", cmd_help, false },
};

int main(int argc, char **argv)
{
	char err[256], msg[4096] = "";
	const char *name = argc > 1 ? argv[1] : "help";
	const struct command *cmd = NULL;

	if (argc < 2) {		/* no command: usage, as an error */
		usage(stderr);
		return EXIT_USAGE;
	}

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			cmd = &commands[i];
	if (!cmd) {
		fprintf(stderr, "gupsync: unknown command '%s'\n", name);
		usage(stderr);
		return EXIT_USAGE;
	}
	/* Every benchmark's descriptor, checked once (cheap): a bad one is
	 * a bug of its bench/ file, said before anything runs.  restore
	 * puts knobs back whatever the benchmarks are. */
	if (cmd->fn != cmd_restore &&
	    bench_check_all(run_harness_opts(), err, sizeof(err)) < 0) {
		fprintf(stderr, "gupsync: bad benchmark descriptor: %s\n", err);
		return 1;
	}
	if (cmd->measures)
		no_aslr(argc, argv);
	if (knobs_init("", NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "gupsync: %s\n", err);
		return 1;
	}
	/* A run that crashed may have left knobs changed: put them back
	 * before measuring (restore does it itself; other commands leave
	 * the journal alone). */
	if (cmd->measures && knobs_recover(msg, sizeof(msg)) > 0)
		fprintf(stderr, "gupsync: restored knobs a crashed run left:\n%s\n", msg);
	/* Tracepoint ids need tracefs; mounting it privately must happen
	 * before any thread exists. */
	if (cmd->measures || cmd->fn == cmd_info)
		counters_tracefs(err, sizeof(err));
	return cmd->fn(argc - 1, argv + 1, join_args(argc, argv));
}

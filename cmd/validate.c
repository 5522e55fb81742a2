// SPDX-License-Identifier: GPL-2.0
/* validate.c - gupsync validate; see validate.h. */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "options.h"
#include "rundir.h"
#include "validate.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: gupsync validate RUN_DIR...\n"
		"  check run directories the way compare, report, plot, variants\n"
		"  and run --resume read them: every file against its schema and\n"
		"  the files against each other; one line per problem, exit 0\n"
		"  only when every directory is whole\n");
}

/* meta.json's bench is one this gupsync knows, as it describes it. */
static int known_bench(const struct rundir *rd)
{
	const json_t *j = json_object_get(rd->meta, "bench");
	const struct bench *b = bench_find(rundir_bench(rd));
	const char *sum = json_string_value(json_object_get(j, "summary"));
	const char *path = json_string_value(json_object_get(j, "kernel_path"));

	if (b && sum && path && !strcmp(sum, b->summary) &&
	    !strcmp(path, b->kernel_path))
		return 0;
	printf("%s/meta.json: bench '%s' is %s\n", rd->path, rundir_bench(rd),
	       b ? "not described as this gupsync describes it (edited?)" :
	       "not a benchmark this gupsync knows");
	return -1;
}

int cmd_validate(int argc, char **argv, const char *cmdline)
{
	int bad = 0;

	(void)cmdline;
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2)
			fprintf(stderr, "gupsync validate: unknown option '%s'; see "
				"--help\n", argv[1]);
		else
			fprintf(stderr, "gupsync validate: no run directory given; "
				"see --help\n");
		return EXIT_USAGE;
	}
	for (int i = 1; i < argc; i++) {
		struct rundir rd;
		char err[1024];

		if (rundir_open(argv[i], RUNDIR_SAMPLES | RUNDIR_STRICT, stdout, &rd,
				err, sizeof(err)) < 0) {
			bad = 1;
			continue;
		}
		if (known_bench(&rd) < 0)
			bad = 1;
		else
			printf("%s: ok\n", rd.path);
		rundir_free(&rd);
	}
	return bad;
}

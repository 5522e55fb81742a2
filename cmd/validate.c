// SPDX-License-Identifier: GPL-2.0
/* validate.c - gupsync validate; see validate.h. */
#include <stdio.h>
#include <string.h>

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

int validate_cmd(int argc, char **argv, const char *cmdline)
{
	int bad = 0;

	(void)cmdline;
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2)
			fprintf(stderr, "gupsync validate: unknown option '%s'\n",
				argv[1]);
		usage(stderr);
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
		printf("%s: ok\n", rd.path);
		rundir_free(&rd);
	}
	return bad;
}

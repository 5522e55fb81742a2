// SPDX-License-Identifier: GPL-2.0
/* ab.c - `gupsync ab`: ABAB rounds of two commands, then compare; see ab.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ab.h"
#include "compare.h"
#include "options.h"
#include "parse.h"
#include "results.h"

struct side {
	char *words;		/* the ARGS, split in place */
	char *argv[AB_MAX_WORDS + 4];
	int argc;
	char dir[1100];		/* where its runs go */
};

static int ab_usage(bool ok)
{
	fprintf(ok ? stdout : stderr,
		"usage: gupsync ab [--rounds K] [--output DIR] --a 'ARGS' --b 'ARGS'\n"
		"  run gupsync ARGS of A and of B in turn, K rounds (default %d,\n"
		"  at most %d): A B A B ..., then compare them with K runs a side\n"
		"  (hierarchical bootstrap).  ARGS: a run or vm command line,\n"
		"  words split at spaces, e.g. --a 'run gup-fast' --b 'run gup-fast\n"
		"  --extra-ns 3 --extra-mode shared'.  Runs go to DIR/ab-DATE/{A,B}\n"
		"  (default DIR: results).\n", AB_ROUNDS_DEFAULT, AB_ROUNDS_MAX);
	return ok ? 0 : EXIT_USAGE;
}

/* Split s into words; the first must be run or vm. */
static int side_parse(struct side *sd, const char *s, char which)
{
	char *save = NULL, *w;

	if (!(sd->words = strdup(s)))
		return -1;
	sd->argv[sd->argc++] = "gupsync";
	for (w = strtok_r(sd->words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (sd->argc > AB_MAX_WORDS) {
			fprintf(stderr, "gupsync ab: --%c has more than %d words\n",
				which, AB_MAX_WORDS);
			return -1;
		}
		sd->argv[sd->argc++] = w;
	}
	if (sd->argc < 2 || (strcmp(sd->argv[1], "run") && strcmp(sd->argv[1], "vm"))) {
		fprintf(stderr, "gupsync ab: --%c must be a 'run ...' or 'vm ...' "
			"command line, got '%s'\n", which, s);
		return -1;
	}
	return 0;
}

/* Where the side's runs go: run takes --output at the end, vm before
 * its "--". */
static void side_output(struct side *sd)
{
	int at = sd->argc;

	if (!strcmp(sd->argv[1], "vm"))
		at = 2;
	memmove(&sd->argv[at + 2], &sd->argv[at],
		(size_t)(sd->argc - at) * sizeof(char *));
	sd->argv[at] = "--output";
	sd->argv[at + 1] = sd->dir;
	sd->argc += 2;
	sd->argv[sd->argc] = NULL;
}

static int run_side(struct side *sd, char which, unsigned round)
{
	int status;
	pid_t pid;

	fprintf(stderr, "gupsync ab: round %u, %c:", round, which);
	for (int i = 1; i < sd->argc; i++)
		fprintf(stderr, " %s", sd->argv[i]);
	fputc('\n', stderr);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "gupsync ab: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		execv("/proc/self/exe", sd->argv);
		fprintf(stderr, "gupsync ab: execv(/proc/self/exe): %s\n",
			strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "gupsync ab: round %u, %c failed (%s %d); "
			"stopping\n", round, which,
			WIFEXITED(status) ? "exit" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -1;
	}
	return 0;
}

static int parse(int argc, char **argv, uint64_t *rounds, const char **out,
		 const char **a, const char **b)
{
	char err[256];

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "--help") || !strcmp(o, "-h"))
			return 1;
		if (i + 1 >= argc || strncmp(o, "--", 2)) {
			fprintf(stderr, "gupsync ab: unexpected '%s'\n", o);
			return EXIT_USAGE;
		}
		if (!strcmp(o, "--rounds")) {
			if (parse_u64(argv[++i], 1, AB_ROUNDS_MAX, rounds, err,
				      sizeof(err)) < 0) {
				fprintf(stderr, "gupsync ab: --rounds: %s\n", err);
				return EXIT_USAGE;
			}
		} else if (!strcmp(o, "--output")) {
			*out = argv[++i];
		} else if (!strcmp(o, "--a")) {
			*a = argv[++i];
		} else if (!strcmp(o, "--b")) {
			*b = argv[++i];
		} else {
			fprintf(stderr, "gupsync ab: unknown option '%s'; allowed: "
				"--rounds, --output, --a, --b\n", o);
			return EXIT_USAGE;
		}
	}
	if (!*a || !*b) {
		fprintf(stderr, "gupsync ab: needs --a 'ARGS' and --b 'ARGS'\n");
		return EXIT_USAGE;
	}
	return 0;
}

int cmd_ab(int argc, char **argv, const char *cmdline)
{
	struct side sd[2];
	const char *out = "results", *a = NULL, *b = NULL;
	uint64_t rounds = AB_ROUNDS_DEFAULT;
	char top[1024], err[512];
	char *cargv[4];
	int rc = parse(argc, argv, &rounds, &out, &a, &b);

	(void)cmdline;
	if (rc)
		return rc == 1 ? ab_usage(true) : ab_usage(false);
	memset(sd, 0, sizeof(sd));
	if (side_parse(&sd[0], a, 'a') < 0 || side_parse(&sd[1], b, 'b') < 0)
		return EXIT_USAGE;
	if (results_mkdir(out, "ab", top, sizeof(top), err, sizeof(err)) < 0) {
		fprintf(stderr, "gupsync ab: %s\n", err);
		return 1;
	}
	for (int s = 0; s < 2; s++) {
		snprintf(sd[s].dir, sizeof(sd[s].dir), "%s/%c", top, 'A' + s);
		if (mkdir(sd[s].dir, 0755) < 0) {
			fprintf(stderr, "gupsync ab: mkdir %s: %s\n", sd[s].dir,
				strerror(errno));
			return 1;
		}
		side_output(&sd[s]);
	}
	for (unsigned r = 1; r <= rounds; r++)
		for (int s = 0; s < 2; s++)
			if (run_side(&sd[s], (char)('A' + s), r) < 0)
				return 1;
	printf("# gupsync ab: %llu rounds, run in the order", (unsigned long long)rounds);
	for (unsigned r = 1; r <= rounds; r++)
		printf(" A%u B%u", r, r);
	printf("; runs in %s\n", top);
	fflush(stdout);
	cargv[0] = "compare", cargv[1] = sd[0].dir, cargv[2] = sd[1].dir;
	cargv[3] = NULL;
	rc = cmd_compare(3, cargv, NULL);
	free(sd[0].words), free(sd[1].words);
	return rc;
}

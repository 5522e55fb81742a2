/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ab.h - `gupsync ab [--rounds K] [--output DIR] --a 'ARGS' --b 'ARGS'`:
 * two gupsync commands run in ABAB... rounds, then compared with several
 * runs a side (compare.h: hierarchical bootstrap, spread between and
 * within runs).  Each ARGS is a gupsync command line, words split at
 * spaces (no quoting): "run gup-fast --threads 1", or through `gupsync
 * vm`, "vm --kernel PATH -- run gup-fast", so two kernels boot in turn.
 * Alternating the sides spreads the machine's drift over both: a slow
 * hour hits A and B alike instead of one of them.
 */
#ifndef GUPSYNC_AB_H
#define GUPSYNC_AB_H

#define AB_ROUNDS_DEFAULT 3
#define AB_ROUNDS_MAX 16	/* the runs of a side compare takes */
#define AB_MAX_WORDS 64

/* The command; argv[0] is its name ("ab"). */
int cmd_ab(int argc, char **argv, const char *cmdline);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * report.h - `gupsync report [--all] [--no-plots] [-o DIR] RUN_A RUN_B`:
 * a block to paste into a patch's cover letter, at most COMPARE_WIDTH
 * columns wide: the machine, the kernels and their configs, the method
 * (A's command and what B's changes), the table of `gupsync compare`
 * (compare.h), and the figures of both runs overlaid (plot.h; -o DIR,
 * default LAST_RUN/plots-ab) unless --no-plots.
 */
#ifndef GUPSYNC_REPORT_H
#define GUPSYNC_REPORT_H

/* The command; argv[0] is its name ("report"). */
int cmd_report(int argc, char **argv, const char *cmdline);

#endif

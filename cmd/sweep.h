/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sweep.h - `gupsync sweep` and `gupsync default`: a named set of
 * benchmarks, each run over CPU counts 1..N (and, with --full, placements
 * and the benchmarks' own variables), rounds interleaved.  Each benchmark's
 * sweep is one run directory with one meta.json; an interrupted one
 * carries on with `gupsync run --resume DIR`.
 */
#ifndef GUPSYNC_SWEEP_H
#define GUPSYNC_SWEEP_H

/* argv[0] is "sweep" or "default"; returns the exit status. */
int cmd_sweep(int argc, char **argv, const char *cmdline);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * plot.h - `gupsync plot RUN [RUN...]`: PNG and SVG figures of one run, or
 * of several overlaid (A/B), drawn by gnuplot with the scripts in plots/.
 *
 * plot.c chooses the figures and runs the command; plot_data.c writes
 * plain data files (gnuplot "index" blocks, one per curve, each led by
 * its title) in DIR/data/, plot_cdf.c those of the latency CDFs, and
 * plot_gnuplot.c runs
 *   gnuplot -e "datafile='...'; outbase='...'; ..." plots/SCRIPT.gp
 * once per figure.  Points are medians over trials (trials.csv) with the
 * 95% CI of the median as error bars.  The figures:
 *   METRIC.{png,svg}        every metric with a better direction against
 *                           the CPU count (threads), one curve per run and
 *                           combination of the other varying parameters
 *                           (metric_vs_cpus.gp);
 *   ipis-MODE.{png,svg}     IPIs sent and remote TLB flushes per operation
 *                           vs CPU count, per mode (ipis_vs_cpus.gp);
 *   cdf-POINT.{png,svg}     latency CDF per mode and run from samples.csv
 *                           (latency benchmarks: rcu-wait, tlb-shootdown)
 *                           (latency_cdf.gp).
 * More than 8 combinations of parameters: the first parameters split the
 * figures (METRIC-op=munmap-pages=512.png).  The scripts are those in
 * plots/ next to the gupsync executable ($GUPSYNC_PLOTS instead, unless
 * running as root); gupsync writes every file itself (safefile.h), and
 * gnuplot sees only names made up in a private work directory.
 */
#ifndef GUPSYNC_PLOT_H
#define GUPSYNC_PLOT_H

#include <stddef.h>

#include "rundir.h"

/* The figures written, as paths (DIR/NAME.png, DIR/NAME.svg). */
struct plot_files {
	size_t n, cap;
	char **path;		/* malloc'd, as each path */
};

/* Render the figures of runs[0..n) into dir (created if missing; if it
 * exists, a real directory of this user that nobody else can write);
 * loads their samples.csv.  Returns 0, or -1 with err (gnuplot missing, a
 * script failed, ...). */
int plot_runs(struct rundir *runs, size_t n, const char *dir,
	      struct plot_files *out, char *err, size_t len);
void plot_files_free(struct plot_files *pf);

/* RUN/plots for one run; LAST_RUN/plots-ab for several. */
void plot_default_dir(const struct rundir *runs, size_t n, char *buf,
		      size_t len);

/* The command; argv[0] is its name. */
int cmd_plot(int argc, char **argv, const char *cmdline);

#endif

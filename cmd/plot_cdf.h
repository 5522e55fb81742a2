/* SPDX-License-Identifier: GPL-2.0 */
/*
 * plot_cdf.h - the latency CDFs of `gupsync plot`, from samples.csv
 * (latency benchmarks: rcu-wait, tlb-shootdown): per data point of run A
 * one figure, cdf-POINT.{png,svg} (latency_cdf.gp), with one curve per
 * mode and run (the colour the mode's, the dash the run's).  None when
 * run A has no samples.
 */
#ifndef GUPSYNC_PLOT_CDF_H
#define GUPSYNC_PLOT_CDF_H

#include "plot_data.h"

/* Draw the CDFs of fg's runs (their samples loaded); 0, or -1 with
 * fg->err. */
int pl_cdfs(struct pl_fig *fg);

#endif

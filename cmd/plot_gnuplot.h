/* SPDX-License-Identifier: GPL-2.0 */
/*
 * plot_gnuplot.h - running gnuplot for `gupsync plot`: one figure from
 * its data file (plot_data.h), as
 *   /usr/bin/gnuplot -d -e "datafile='d.dat'; outbase='o'; ..." SCRIPT.gp
 * in a private work directory, on names gupsync made up; gupsync then
 * copies the figure to DIR/NAME.png and DIR/NAME.svg (safefile.h).  The
 * scripts are those in plots/ next to the gupsync executable
 * ($GUPSYNC_PLOTS instead, unless running as root).
 */
#ifndef GUPSYNC_PLOT_GNUPLOT_H
#define GUPSYNC_PLOT_GNUPLOT_H

#include "plot_data.h"

/*
 * Render figure NAME of fg->dir from the work directory's data file
 * (installed as DIR/data/NAME.dat; NAME reduced to safe characters) with the curves
 * cv (nothing when cv has none): title lines t1 and fg's t2, t3, the axis
 * labels, y tics fitted to cv's range.  Adds both files to fg->out.
 * Returns 0, or -1 with fg->err.
 */
/*
 * Take the scripts from DIR instead (a program linking the library, such as
 * a unit test, whose own executable has no plots/ beside it).
 */
void pl_set_scripts_dir(const char *dir);

int pl_render(struct pl_fig *fg, const char *script, const char *name,
	      const struct pl_curves *cv, const char *t1, const char *xlabel,
	      const char *ylabel);

#endif

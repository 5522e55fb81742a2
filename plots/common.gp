# common.gp - the look shared by every gupsync figure; loaded first by
# each script.  Inputs (set by `gupsync plot` with -e): outbase (path
# without extension), t1, t2, t3 (title lines: what, kernels, machine),
# xlabel, ylabel, datafile, nblocks (curves, one gnuplot index each, led
# by its quoted title), lcs/pts/dts (colour, point and dash type of each
# curve, one word per curve), xmin/xmax (the CPU counts), xstep (x tic
# step, whole CPUs), dodge (x shift between curves, so that the error bars
# of A and B at the same CPU count do not hide each other), yfmt (y tic
# format: SI prefix, enough decimals to tell the tics apart), yflat/ylo/
# yhi (a constant series: the y range to draw it in).
#
# Each figure is drawn as PNG, then replotted as SVG: see render.gp.
set title t1."\n".t2."\n".t3 noenhanced
set xlabel xlabel noenhanced
set ylabel ylabel noenhanced
set key below noenhanced
set grid
set border 3
set tics nomirror
# Room at both ends so that the first and last error bars show whole.
set offsets graph 0.04, graph 0.04, graph 0.08, graph 0.04
# Axes end at the data (the offsets above leave the margins), and large
# numbers read as 3.5M rather than 3.5e+06.
set autoscale xfix
set format y yfmt

# metric_vs_cpus.gp - one metric against the number of CPUs (measured
# threads): the median over trials with its 95% confidence interval as an
# error bar (min..max where a point had too few trials for a CI), one
# curve per run, placement and parameter combination.  With two runs this
# is the A/B overlay.
load plotdir.'/common.gp'
set xtics xstep
# One CPU count only (xmin == xmax): a unit range around it.
if (xmin == xmax) set xrange [xmin - 0.5:xmax + 0.5]
set format x "%g"
# A constant series: the range gupsync chose (yflat, ylo, yhi).
if (yflat) set yrange [ylo:yhi]
PLOT = "plot for [i=0:nblocks-1] datafile index i using ($1+dodge*(i-(nblocks-1)/2.0)):2:3:4 with yerrorlines lw 2 lc int(word(lcs,i+1)) pt int(word(pts,i+1)) dt int(word(dts,i+1)) ps 0.9 title columnheader(1)"
load plotdir.'/render.gp'

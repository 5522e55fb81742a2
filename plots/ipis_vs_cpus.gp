# ipis_vs_cpus.gp - IPIs sent (ipi:ipi_send_cpu, ipi:ipi_send_cpumask),
# call-function and TLB-shootdown interrupts received (CAL, TLB rows of
# /proc/interrupts) and remote TLB flushes (tlb:tlb_flush reason 1) per
# operation against the number of CPUs, for one mode: median and 95% CI
# per counter and run.  0 per operation is the answer for a path that
# sends no IPI, so the y axis starts at 0.
load plotdir.'/common.gp'
set xtics xstep
# One CPU count only (xmin == xmax): a unit range around it.
if (xmin == xmax) set xrange [xmin - 0.5:xmax + 0.5]
set format x "%g"
set yrange [0:*]
# A constant series: the range gupsync chose (yflat, ylo, yhi).
if (yflat) set yrange [ylo:yhi]
set offsets graph 0.04, graph 0.04, graph 0.08, 0
PLOT = "plot for [i=0:nblocks-1] datafile index i using ($1+dodge*(i-(nblocks-1)/2.0)):2:3:4 with yerrorlines lw 2 lc int(word(lcs,i+1)) pt int(word(pts,i+1)) dt int(word(dts,i+1)) ps 0.9 title columnheader(1)"
load plotdir.'/render.gp'

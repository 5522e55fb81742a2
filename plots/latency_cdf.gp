# latency_cdf.gp - cumulative distribution of per-operation latencies
# (samples.csv of latency benchmarks such as rcu-wait and shootdowns):
# one step curve per mode and run.  Log x, because grace periods come in
# whole ticks and expedited ones in microseconds: the modes of a
# multimodal distribution show as steps.
load plotdir.'/common.gp'
set logscale x
set format x "%g"
set yrange [0:1]
set offsets 0, 0, 0, 0
set key below
PLOT = "plot for [i=0:nblocks-1] datafile index i using 1:2 with steps lw 2 lc int(word(lcs,i+1)) dt int(word(dts,i+1)) title columnheader(1)"
load plotdir.'/render.gp'

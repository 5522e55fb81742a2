# render.gp - draw the figure set up by the calling script as
# outbase.png and outbase.svg.  The caller defines the macro PLOT (its
# plot command) before loading this file.
set terminal pngcairo size 1000,680 font "sans,10" noenhanced
set output outbase.'.png'
@PLOT
set terminal svg size 1000,680 font "sans,10" noenhanced dynamic
set output outbase.'.svg'
@PLOT
set output

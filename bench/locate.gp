# ns/point against grid count (log x), one line per implementation.
# gnuplot -e "datafile='locate.dat'; outfile='locate.png'" bench/locate.gp
set terminal pngcairo size 900,560 font ",10" noenhanced
set output outfile
set title "Locate: ns per point, 1 thread (median of 5), uniform points over the covered area"
set xlabel "grids"
set ylabel "ns / point"
set logscale x
set logscale y
set format x "%.0s%c"
set grid
set key outside right top
set datafile missing "NaN"
plot for [i=2:*] datafile using 1:i with linespoints lw 2 pt 7 title columnheader(i)

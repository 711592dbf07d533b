# coreutils 9.1 `sleep`: `infinity` (and `inf`, any case, as cl_strtod reads it) never ends,
# so it is the idle process of many tutorials; every bad operand is reported, then the
# `Try` line of usage(EXIT_FAILURE), status 1.
sleep infinity &
p=$!
sleep 5; date
ps -o pid,stat,comm
kill $p; wait $p; echo "status $?"
sleep 1 INF &
q=$!
sleep 2
ps -o pid,stat,comm
kill -9 $q; wait $q; echo "status $?"
sleep foo 1 bar; echo "status $?"
sleep; echo "status $?"
sleep 1.5 2s; date

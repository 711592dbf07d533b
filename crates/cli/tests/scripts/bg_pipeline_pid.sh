# `$!` of a background pipeline is the pid of its last stage, forked by the shell itself
# (dash 0.5.12 `evalpipe` and `backgndpid`), and `wait $!` answers that stage's status.
# Checked against dash 0.5.12 (LC_ALL=C): same output and statuses.
sleep 1 | sleep 2 &
p=$!
cat /proc/$p/comm
[ "$(cut -d' ' -f4 /proc/$p/stat)" = $$ ] && echo the last stage is a child of the shell
wait $p; echo $?
(exit 3) | (exit 5) &
wait $!; echo $?
echo x | (read v; echo "read $v"; exit 6) &
wait $!; echo $?
echo abc | tr a-z A-Z &
wait
echo done

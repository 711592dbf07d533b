# The process model: builtins run in the shell ($$), other commands in forked children;
# `&` and $!, wait, sleep in simulated time, kill, ps.
echo "shell is $$"
cat /proc/self/cgroup
ps
sleep 100 &
first=$!
sleep 10 &
second=$!
echo "background: $first $second"
ps
# sleep in the foreground moves the clock; the 10 s sleeper exits meanwhile, and the shell
# reaps it while it waits (dash's waitpid(-1)), keeping its status for `wait`.
sleep 20
ps
wait $second; echo "wait $second: $?"
kill $first
wait $first; echo "wait $first: $?"
kill -9 $first
kill -s KILL 999999
kill -BOGUS $$
# A background builtin runs in a subshell; wait with no children returns 0.
echo in the background &
wait; echo "wait: $?"
wait $$; echo "wait self: $?"
ps
# A foreground command ended by a signal: dash prints strsignal's text (not for SIGINT).
sh -c 'kill -TERM $$'; echo "status $?"
sh -c 'kill -USR1 $$'; echo "status $?"
sh -c 'kill -INT $$'; echo "status $?"

# Every stage of a pipeline and every background job is its own process running concurrently,
# shell code too, as in dash 0.5.12 (checked line by line against it with coreutils 9.1 and
# GNU sed 4.9): a stage of shell code sleeps on a full or empty pipe, SIGPIPE ends it, and a
# background loop runs while the script goes on.
while true; do echo y; done | head -n 1
echo "status $?"
seq 1000000 | head -n 1
seq 1000000 | sed -n 3p | head -n 1
yes | sed 5q
echo "status $?"
yes | tr y n | head -n 2
yes | grep y | head -n 1
yes | grep -q y; echo "status $?"
yes abc | while read l; do echo "got $l"; break; done
i=0; while true; do i=$((i+1)); echo "line $i"; done | sed 2q
printf 'a\nb\nc\n' | while read l; do echo "<$l>"; done | cat
echo x | read v; echo "v=[$v]"
# The reader sees what the writer wrote so far; a concurrent writer's line lands in between.
{ echo a; sleep 2; echo b; } | cat &
sleep 1; echo middle
wait
{ echo one; sleep 1; echo two; } | { read x; echo "first: $x"; read y; echo "second: $y"; }
# A background loop appends to a file while the script sleeps and reads it.
rm -f /tmp/log
(i=0; while [ $i -lt 3 ]; do echo "tick $i" >> /tmp/log; i=$((i+1)); sleep 2; done) &
loop=$!
sleep 1; cat /tmp/log
sleep 2; cat /tmp/log
jobs
[ "$(ps -o pid= -p $loop)" -eq $loop ] && echo "pid $loop is in ps" | sed 's/[0-9][0-9]*/N/'
ps -o stat=,comm= -p $loop
wait $loop; echo "wait status $?"
cat /tmp/log
# trap and kill of a background shell job, wait for its status.
(trap 'echo caught USR1; exit 3' USR1; while :; do sleep 1; done) &
sleep 1; kill -USR1 $!; wait $!; echo "status $?"
(while :; do sleep 1; done) &
sleep 1; kill $!; wait $!; echo "status $?"
(sleep 1; exit 7) &
wait $!; echo "status $?"
{ sleep 1; exit 5; } &
jobs
wait %1; echo "status $?"
jobs

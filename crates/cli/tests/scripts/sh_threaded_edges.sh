# The edge cases of concurrent pipeline stages, each checked against dash 0.5.12 on a Debian 12
# host (coreutils 9.1, sudo 1.9.13), output and exit statuses: everything above the last
# section prints the same there (`LC_ALL=C dash FILE 2>&1`, `FILE` for `cgsim`).
# A wrapper in front of shell code (sudo, env, cgexec, nohup, taskset, setpriv) is a
# concurrent stage too: head's exit ends the loop behind sudo with SIGPIPE.
sudo sh -c 'while true; do echo y; done' | head -n 1
echo "status $?"
env sh -c 'i=0; while true; do i=$((i+1)); echo $i; done' | head -n 2
# A command a stage runs in a further child sleeps on the full pipe too, and gets SIGPIPE.
seq 100000 > /tmp/f
{ cat /tmp/f; echo "cat status $?" >&2; } | head -n 1
( cat /tmp/f; echo "cat2 status $?" >&2 ) | head -n 2
cat /tmp/f | { cat; } | tail -n 1
# A command substitution reads while its commands run, in a stage and in the script.
echo | { x=$(seq 100000 | cat); echo ${#x}; } | cat
x=$(seq 100000 | cat); echo ${#x}
# timeout in a stage has its deadline on the simulated clock; the command's end cuts it short.
timeout 1 sleep 5 | cat; echo "status $?"
{ timeout 1 sleep 5; echo "inner $?"; } | cat
{ timeout 3 sleep 1; echo "inner $?"; } | cat
(timeout 1 sleep 10; echo "bg $?") &
sleep 2; echo after
wait
{ timeout -s KILL 1 sleep 5; echo "kill $?"; } | cat
echo | { timeout 2 sleep 1; echo "a $?"; timeout 1 sleep 3; echo "b $?"; } | cat
# trap '' PIPE: the stage, the commands it runs and the programs after it ignore SIGPIPE
# and see EPIPE: dash's `echo: echo: I/O error`, coreutils' `write error: Broken pipe`.
(trap '' PIPE; { sleep 1; echo a; echo "echo $?" >&2; printf 'x\n'; echo "printf $?" >&2; seq 3; echo "seq $?" >&2; cat /etc/passwd; echo "cat $?" >&2; } | true)
echo "status $?"
(trap '' PIPE; while echo y; do :; done; echo "loop ended $?" >&2) | head -n 1
(trap '' PIPE; yes | head -n 1)
# A command substitution whose task is killed goes on as its own process; its next write
# then finds no reader and SIGPIPE ends it.
(x=$(sh -c 'echo $PPID' > /tmp/subst.pid; sleep 3; echo hi); echo "never $x") &
sleep 1; kill $!
sleep 1; kill -0 $(cat /tmp/subst.pid) && echo "the substitution still runs"
sleep 3
ps -o stat= -p $(cat /tmp/subst.pid) | grep -v Z || echo "and it is gone after its write"
# cgsim only (dash differs): a process that a killed stage ran in place (tr in `{ tr; }`)
# cannot go on here, its code lived on the stage's thread: it is ended (SIGKILL), where in
# dash tr would go on reading until sleep ends.
sleep 5 | { tr y n; echo "stage goes on"; } &
sleep 1
ps -o stat=,comm= -C tr
kill $(ps -o ppid= -C tr)
sleep 1
ps -o stat=,comm= -C tr; echo "ps $?"
mkdir -p /cgroup/memory && mount -t cgroup -o memory none /cgroup/memory && mkdir /cgroup/memory/a
cgexec -g memory:a sh -c 'while true; do echo y; done' | head -n 1

# LTP 20250530's C helpers, as the shell library calls them.
tst_getconf PAGESIZE
tst_getconf _NPROCESSORS_ONLN
tst_getconf FOO; echo "status $?"
tst_ncpus
# The kernel is 2.6.35: tst_kvcmp's status is 0 when the expression is true.
tst_kvcmp -lt "6.1 RHEL9:5.14.0-191 RHEL8:4.18.0-438"; echo "lt 6.1: $?"
tst_kvcmp -ge 2.6.35; echo "ge 2.6.35: $?"
tst_kvcmp -gt 2.6.35 -o -eq 2.6.35; echo "gt or eq: $?"
tst_kvcmp -gt 2.6; echo "gt 2.6: $?"
tst_kvcmp -eq 2.6.35 -a -lt 2.6; echo "eq and lt: $?"
tst_kvcmp -eq x; echo "bad version: $?"
tst_kvcmp -eq 2.6 -eq 2.6; echo "missing -a: $?"
tst_kvcmp -eq 2.6 -a; echo "dangling -a: $?"
# tst_sleep sleeps on the simulated clock.
tst_sleep 250ms; echo "slept: $?"
tst_sleep 2x; echo "bad unit: $?"
tst_sleep; echo "no interval: $?"
# tst_rod runs a command with redirections given as words.
tst_rod echo hello \> /tmp/rod.txt; echo "rod: $?"
cat /tmp/rod.txt
tst_rod cat \< /tmp/rod.txt
tst_rod; echo "rod alone: $?"
tst_rod cd /; echo "rod cd: $?"
tst_rod echo x \> /nonexistent/f; echo "rod bad: $?"
# Checkpoints need the page the test library makes.
tst_checkpoint wait 10 0; echo "no LTP_IPC_PATH: $?"
dd if=/dev/zero of=/dev/shm/ltp_test_1 bs=4096 count=1 2>/dev/null
export LTP_IPC_PATH=/dev/shm/ltp_test_1
tst_checkpoint wait 100 0; echo "wait with nobody waking: $?"
tst_checkpoint wake 100 0 1; echo "wake with nobody waiting: $?"
tst_checkpoint wake 5000 3 1 &
tst_checkpoint wait 5000 3; echo "woken: $?"
wait $!; echo "waker: $?"
tst_checkpoint wait 10; echo "bad usage: $?"
tst_checkpoint sleep 10 1; echo "bad command: $?"
tst_checkpoint wake 10 1 x; echo "bad nr_wake: $?"
# memcg_process wakes checkpoint 0 when it starts, as LTP's start_memcg_process expects.
memcg_process --mmap-anon -s 4096 &
tst_checkpoint wait 10000 0; echo "memcg_process started: $?"
kill -INT $!; wait $!; echo "memcg_process: $?"
# tst_res_ prints a result line as the C library does.
tst_res_ memcg.c 10 TINFO hello; echo "res: $?"
tst_res_ memcg.c 10 TXXX hello; echo "bad type: $?"
# tst_timeout_kill sends SIGTERM to the test when the time is up.
sleep 100 &
S=$!
tst_timeout_kill 1 $S; echo "timeout_kill: $?"
wait $S; echo "sleep: $?"
tst_timeout_kill 1 1; echo "pid 1: $?"
# tst_cgctl on 2.6.35: no cgroup2 and no cgroup.clone_children, so require stops with TBROK.
tst_cgctl require memory 42; echo "require: $?"
grep memory /proc/mounts
tst_cgctl print
tst_cgctl require memory 0; echo "bad pid: $?"
tst_cgctl frob; echo "unknown: $?"

# 2.6.35 oom_kill_process prints its header (dump_header) only if printk_ratelimit() allows:
# at most 10 in 5 seconds. The 11th and 12th OOM kill print their kill lines only; after the
# window, the next header is preceded by "oom_kill_process: 2 callbacks suppressed".
mkdir /cg
mount -t cgroup -o memory none /cg
mkdir /cg/a
echo 1M > /cg/a/memory.limit_in_bytes
echo 1M > /cg/a/memory.memsw.limit_in_bytes
echo $$ > /cg/a/tasks
dmesg -C
memhold 2M
memhold 2M
memhold 2M
memhold 2M
memhold 2M
memhold 2M
memhold 2M
memhold 2M
memhold 2M
memhold 2M
memhold 2M
memhold 2M
dmesg | grep -c 'invoked oom-killer'
dmesg | grep -c 'Killed process'
sleep 6
memhold 2M
dmesg | grep -c 'invoked oom-killer'
dmesg | grep suppressed

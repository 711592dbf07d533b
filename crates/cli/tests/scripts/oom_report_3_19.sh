# The memcg OOM report of Linux 3.19 (run on `--kernel 3.19`), line for line as mm/oom_kill.c
# `dump_header`, `dump_tasks`, `oom_kill_process` and mm/memcontrol.c
# `mem_cgroup_print_oom_info` print it: the page_counter values in kB (unlimited is
# 9007199254740988kB), one `Memory cgroup stats for` line per memcg of the hierarchy with
# 3.15's `writeback` and, with swap accounting, `swap`, the task dump, and the score with the
# 3% bonus of a CAP_SYS_ADMIN task.
mkdir -p /cg && mount -t cgroup -o memory memory /cg
echo 1 > /cg/memory.use_hierarchy
mkdir -p /cg/a/b
echo 8M > /cg/a/memory.limit_in_bytes
echo 8M > /cg/a/memory.memsw.limit_in_bytes
echo $$ > /cg/a/b/tasks
memhog 20M
echo "status $?"
dmesg | grep -v 'Initializing cgroup subsys\|Linux version'
cat /cg/a/memory.failcnt /cg/a/memory.memsw.failcnt /cg/a/memory.oom_control

# The v1 freezer's FREEZING state (kernel/cgroup_freezer.c try_to_freeze_cgroup,
# update_freezer_state, v2.6.35; update_if_frozen, v3.10): a task asleep on the memcg OOM wait
# queue (TASK_KILLABLE) is not woken by the freezer's fake signal, so it does not reach the
# refrigerator until the OOM is over. tests/it/subsys_models.rs runs this on 2.6.35 and 3.10.
mkdir /cg /fr
mount -t cgroup -o memory none /cg
mount -t cgroup -o freezer none /fr
mkdir /cg/a /fr/f
echo 1M > /cg/a/memory.limit_in_bytes
echo 1M > /cg/a/memory.memsw.limit_in_bytes
echo 1 > /cg/a/memory.oom_control
echo $$ > /cg/a/tasks
memhold 2M &
m=$!
echo $$ > /cg/tasks
sleep 1000 &
s=$!
echo $m > /fr/f/tasks; echo $s > /fr/f/tasks
ps -o pid,stat,comm
# sleep freezes, memhold cannot yet: FREEZING, read after read.
echo FROZEN > /fr/f/freezer.state
cat /fr/f/freezer.state
cat /fr/f/freezer.state
ps -o pid,stat,comm
# THAWED while FREEZING thaws sleep and cancels memhold's freeze request.
echo THAWED > /fr/f/freezer.state
cat /fr/f/freezer.state
ps -o pid,stat,comm
# Freeze again, then end the OOM: memhold wakes, freezes, and the next read says FROZEN.
echo FROZEN > /fr/f/freezer.state
cat /fr/f/freezer.state
echo 4M > /cg/a/memory.memsw.limit_in_bytes
echo 4M > /cg/a/memory.limit_in_bytes
cat /fr/f/freezer.state
ps -o pid,stat,comm
echo THAWED > /fr/f/freezer.state
cat /fr/f/freezer.state
# A cgroup whose only task cannot freeze yet: 2.6.35's update_freezer_state finds no task
# frozen and reads THAWED (and keeps saying so once the task has frozen, until the next
# write); 3.10 reads FREEZING, then FROZEN.
mkdir /cg/b /fr/g
echo 1M > /cg/b/memory.limit_in_bytes
echo 1M > /cg/b/memory.memsw.limit_in_bytes
echo 1 > /cg/b/memory.oom_control
echo $$ > /cg/b/tasks
memhold 2M &
m2=$!
echo $$ > /cg/tasks
echo $m2 > /fr/g/tasks
echo FROZEN > /fr/g/freezer.state
cat /fr/g/freezer.state
echo 4M > /cg/b/memory.memsw.limit_in_bytes
echo 4M > /cg/b/memory.limit_in_bytes
ps -o pid,stat,comm
cat /fr/g/freezer.state
echo FROZEN > /fr/g/freezer.state
cat /fr/g/freezer.state

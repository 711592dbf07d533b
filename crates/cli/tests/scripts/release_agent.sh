# `kernel/cgroup.c` `check_for_release`, `cgroup_release_agent`, v2.6.25–v2.6.34: notify_on_release and the release agent.
dmesg -C
mkdir /cg
mount -t cgroup -o cpu none /cg
echo /sbin/agent > /cg/release_agent
cat /cg/release_agent
mkdir /cg/A
echo 1 > /cg/A/notify_on_release
cat /cg/A/notify_on_release
mkdir /cg/A/child
cat /cg/A/child/notify_on_release
# Removing the last child of a cgroup without tasks makes it releasable: the agent runs.
rmdir /cg/A/child
dmesg -c
echo $$ > /cg/A/tasks
# Moving the only task out makes A releasable again: the agent runs with path /A.
echo $$ > /cg/tasks
dmesg -c
# release_agent exists only in the top cgroup.
cat /cg/A/release_agent
echo 2 > /cg/A/notify_on_release
cat /cg/A/notify_on_release

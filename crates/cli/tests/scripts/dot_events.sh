# `kernel/cgroup.c` `cgroup_write_event_control`, v2.6.34: registered events drawn on their cgroups. Two listeners on A (a
# usage threshold and the OOM notifier) appear as cgroup_event nodes on A's event_list, each
# pointing at its eventfd_ctx, read by its listener (the `events` view).
mkdir /cg
mount -t cgroup -o memory none /cg
mkdir /cg/A
cgroup_event_listener /cg/A/memory.usage_in_bytes 5M &
cgroup_event_listener /cg/A/memory.oom_control oom &
dot events

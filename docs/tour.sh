# cgsim tour: the cgroup v1 walkthrough of the seed article, on a simulated kernel
# (2.6.25 data structures, 2.6.34 interface). `cgsim tour` runs it with tracing on and
# draws the final state; `cgsim run docs/tour.sh` runs it quietly.

# At boot every task shares init_css_set, linked to the dummy hierarchy's only cgroup.
# Nothing is mounted, so /proc/cgroups shows hierarchy 0 for every subsystem.
cat /proc/cgroups

# Mount a hierarchy with cpu and cpuacct bound to it: cgroup_get_sb builds a cgroupfs_root,
# rebind_subsystems moves the two subsystems' states to its top cgroup, every existing
# css_set gets a cg_cgroup_link to that top cgroup, and cgroup_populate_dir adds the files.
mkdir -p /sys/fs/cgroup/cpu
mount -t cgroup -o cpu,cpuacct none /sys/fs/cgroup/cpu
cd /sys/fs/cgroup/cpu
ls

# The top cgroup holds every task. cat is a process forked from the shell, so it lists itself.
cat tasks

# mkdir makes a cgroup (cgroup_create): one cgroup_subsys_state per bound subsystem,
# then the same base files, minus release_agent, which only the top cgroup has.
mkdir A
ls A

# Attach the shell: the write to tasks runs cgroup_attach_task, which finds or makes the
# css_set "A in this hierarchy, the same cgroups everywhere else" (find_css_set).
echo $$ > A/tasks
cat A/tasks
# A forked child inherits its parent's css_set (cgroup_fork): cat reports A for itself.
cat /proc/self/cgroup

# Two idle processes forked from the shell: they share the shell's css_set, whose refcount
# goes up; no new css_set is made.
sleep 1000 &
first=$!
sleep 1000 &
second=$!
cat A/tasks

# A second hierarchy, for the memory subsystem: each css_set now links to one cgroup per
# hierarchy, and /proc/<pid>/cgroup gets one line per hierarchy.
mkdir -p /sys/fs/cgroup/memory
mount -t cgroup -o memory none /sys/fs/cgroup/memory
cat /proc/cgroups
cat /proc/self/cgroup

# A subsystem belongs to one hierarchy at a time: cpu is busy in the first one.
mkdir -p /sys/fs/cgroup/cpu2
mount -t cgroup -o cpu none /sys/fs/cgroup/cpu2

# rmdir refuses a cgroup that tasks still use (cgroup->count is not zero) ...
rmdir A

# Kill the sleepers and reap them: cgroup_exit drops their css_set references.
kill $first $second
wait
cat A/tasks

# Move the shell back to the top cgroup: now no css_set links to A.
echo $$ > tasks
cat A/tasks

# ... or that has children; an empty leaf goes (cgroup_rmdir), then its parent can go too.
mkdir A/B
rmdir A
rmdir A/B
rmdir A
ls

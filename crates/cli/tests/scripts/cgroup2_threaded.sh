# Threaded mode of the default hierarchy (kernel/cgroup/cgroup.c v6.6): cgroup.type, thread
# roots, invalid domains, threaded controllers, and the errors of each rule.
# Run with --kernel 6.6 by tests/it/cgroup2.rs.
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo +cpu +memory > cgroup.subtree_control
mkdir -p D/T/U D/E
cat D/cgroup.type D/T/cgroup.type
# Only "threaded" may be written.
echo domain > D/T/cgroup.type
echo "threaded junk" > D/T/cgroup.type
# A cgroup turned threaded joins its parent's domain, which becomes "domain threaded";
# its non-threaded child is now an invalid domain.
echo threaded > D/T/cgroup.type
cat D/cgroup.type D/T/cgroup.type D/T/U/cgroup.type D/E/cgroup.type
echo threaded > D/T/cgroup.type
# A threaded cgroup offers only threaded controllers to its children: the root enables cpu and
# memory, a threaded child of the root gets cpu alone, and no memory.* files but the
# pressure one every cgroup has.
mkdir V
echo threaded > V/cgroup.type
cat V/cgroup.controllers
ls V | grep '^memory\.'
rmdir V
# An invalid domain hosts nothing: no process, no controller.
echo $$ > D/T/U/cgroup.procs
echo +cpu > D/T/U/cgroup.subtree_control
echo threaded > D/T/U/cgroup.type
cat D/T/U/cgroup.type
# Domain controllers cannot be enabled in a thread subtree; threaded ones can.
echo +memory > D/cgroup.subtree_control
echo +cpu > D/cgroup.subtree_control
echo +memory > D/T/cgroup.subtree_control
echo +cpu > D/T/cgroup.subtree_control
cat D/T/cgroup.subtree_control D/T/U/cgroup.controllers
# Processes go anywhere in a threaded subtree (no internal-process rule for threads); the
# thread root's cgroup.procs lists them, a threaded cgroup's cgroup.procs cannot be read.
echo $$ > D/T/cgroup.procs
cat D/cgroup.procs
cat D/T/cgroup.procs
cat D/T/cgroup.threads
# A thread moves only inside its domain: cgroup.threads of another domain refuses it.
echo $$ > D/E/cgroup.threads
echo $$ > D/cgroup.threads
cat D/cgroup.threads
# A populated cgroup, or one with a domain controller enabled, cannot become threaded.
mkdir P
echo $$ > P/cgroup.procs
echo threaded > P/cgroup.type
echo $$ > cgroup.procs
echo +memory > P/cgroup.subtree_control
mkdir P/Q
echo threaded > P/cgroup.type
# A domain with a populated domain child cannot be a thread root; a domain with processes of
# its own can.
mkdir -p S/A S/B
echo $$ > S/A/cgroup.procs
echo threaded > S/B/cgroup.type
mkdir S/A/R
echo threaded > S/A/R/cgroup.type
cat S/A/cgroup.type
echo $$ > cgroup.procs
rmdir S/A/R S/A S/B S P/Q P D/E
cat D/cgroup.type
rmdir D/T/U D/T
cat D/cgroup.type
rmdir D

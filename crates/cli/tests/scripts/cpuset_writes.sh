# cpuset.cpus and cpuset.mems writes as 2.6.35 (kernel/cpuset.c cpuset_write_resmask ->
# update_cpumask / update_nodemask, lib/bitmap.c bitmap_parselist). The machine has CPUs 0-1 and
# memory node 0 of NR_CPUS = MAX_NUMNODES = 64.
mkdir /cs
mount -t cgroup -o cpuset none /cs
cat /cs/cpuset.cpus /cs/cpuset.mems
# The top cpuset is read-only: EACCES before the buffer is even parsed.
echo 0 > /cs/cpuset.cpus
echo garbage > /cs/cpuset.mems
mkdir /cs/A
# A trailing comma is accepted; a sign is not.
echo 0, > /cs/A/cpuset.cpus
cat /cs/A/cpuset.cpus
echo +1 > /cs/A/cpuset.cpus
echo 1-0 > /cs/A/cpuset.cpus
# CPU 5 exists in the mask but is not online: EINVAL; 64 is past the mask: ERANGE.
echo 5 > /cs/A/cpuset.cpus
echo 64 > /cs/A/cpuset.cpus
echo 1 > /cs/A/cpuset.mems
echo 0 > /cs/A/cpuset.mems
# validate_change: a child must stay inside its parent (EACCES), a parent must keep covering
# its children (EBUSY), a cpuset with tasks cannot be emptied (ENOSPC).
mkdir /cs/A/B
echo 1 > /cs/A/B/cpuset.cpus
echo 0 > /cs/A/B/cpuset.cpus
echo 0 > /cs/A/B/cpuset.mems
echo 1 > /cs/A/cpuset.cpus
echo $$ > /cs/A/B/tasks
echo > /cs/A/B/cpuset.cpus
cat /cs/A/B/cpuset.cpus

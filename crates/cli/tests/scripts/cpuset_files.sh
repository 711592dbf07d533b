# cpuset's v1 files (kernel/cpuset.c files[], cpuset_create, update_flag, validate_change,
# update_relax_domain_level; 2.6.35 and 3.10, tests/it/subsys_models.rs).
mkdir /cs
mount -t cgroup -o cpuset none /cs
ls /cs
cd /cs
for f in cpuset.*; do echo "$f: $(cat $f)"; done
cd /
mkdir /cs/A /cs/B
ls /cs/A
# A child inherits the spread flags; sched_load_balance 1, relax level -1.
echo 1 > /cs/A/cpuset.memory_spread_page
mkdir /cs/A/A1
cat /cs/A/A1/cpuset.memory_spread_page /cs/A/A1/cpuset.sched_load_balance /cs/A/A1/cpuset.sched_relax_domain_level /cs/A/A1/cpuset.cpu_exclusive
# Exclusive siblings do not overlap (EINVAL); a parent keeps its flag while a child has it
# (EBUSY), the top cpuset too.
echo 0 > /cs/A/cpuset.cpus; echo 0 > /cs/A/cpuset.mems
echo 1 > /cs/A/cpuset.cpu_exclusive; echo "status $?"
echo 1 > /cs/A/A1/cpuset.cpu_exclusive
echo 0-1 > /cs/B/cpuset.cpus
echo 1 > /cs/B/cpuset.cpus
echo 1 > /cs/B/cpuset.cpu_exclusive
echo 0 > /cs/A/A1/cpuset.cpus
echo 1 > /cs/A/A1/cpuset.cpu_exclusive; echo "status $?"
echo 0 > /cs/A/cpuset.cpu_exclusive
echo 0 > /cs/cpuset.cpu_exclusive
# A child cannot be exclusive under a non-exclusive parent (EACCES).
mkdir /cs/B/B1
echo 0 > /cs/B/cpuset.cpu_exclusive
echo 1 > /cs/B/B1/cpuset.cpu_exclusive
# update_flag's int: 2^32 clears the flag.
echo 4294967296 > /cs/A/A1/cpuset.cpu_exclusive; cat /cs/A/A1/cpuset.cpu_exclusive
echo 1 > /cs/A/cpuset.memory_pressure
# 2.6.35 takes -1..5, 3.10 -1..1.
echo 1 > /cs/A/cpuset.sched_relax_domain_level; echo "status $?"
echo 5 > /cs/A/cpuset.sched_relax_domain_level; echo "status $?"
echo 6 > /cs/A/cpuset.sched_relax_domain_level
echo -2 > /cs/A/cpuset.sched_relax_domain_level
echo x > /cs/A/cpuset.sched_relax_domain_level
cat /cs/A/cpuset.sched_relax_domain_level
echo 1 > /cs/cpuset.memory_pressure_enabled; cat /cs/cpuset.memory_pressure_enabled
cgget -g cpuset /
ls -l /cs/A | grep memory_pressure

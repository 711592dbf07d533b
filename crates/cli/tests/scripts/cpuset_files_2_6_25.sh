# cpuset's v1 files on 2.6.25 (kernel/cpuset.c cpuset_populate before 2.6.26: no
# mem_hardwall, no sched_relax_domain_level; tests/it/subsys_models.rs).
mkdir /cs
mount -t cgroup -o cpuset none /cs
ls /cs
cd /cs
for f in cpuset.*; do echo "$f: $(cat $f)"; done
cd /
mkdir /cs/A
ls /cs/A
cat /cs/A/cpuset.sched_load_balance /cs/A/cpuset.memory_migrate
cat /cs/A/cpuset.mem_hardwall

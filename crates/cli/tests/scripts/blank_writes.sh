# A blank write to a numeric control file writes 0 (kernel/cgroup.c cgroup_write_X64, 2.6.35):
# only a zero-length write is EINVAL; "\n" is stripped to "", which simple_strtoull reads as 0
# with nothing left over. For tasks, pid 0 is the writing task itself.
mkdir /cg /cpu
mount -t cgroup -o memory none /cg
mount -t cgroup -o cpu,cpuacct none /cpu
mkdir /cg/A /cpu/A
echo > /cg/A/tasks
cat /cg/A/tasks
echo $$
echo 1 > /cg/A/notify_on_release
echo > /cg/A/notify_on_release
cat /cg/A/notify_on_release
echo 1 > /cg/A/memory.use_hierarchy
echo > /cg/A/memory.use_hierarchy
cat /cg/A/memory.use_hierarchy
echo $$ > /cg/tasks
echo > /cg/A/memory.swappiness
cat /cg/A/memory.swappiness
echo 3 > /cg/A/memory.move_charge_at_immigrate
echo > /cg/A/memory.move_charge_at_immigrate
cat /cg/A/memory.move_charge_at_immigrate
echo 1 > /cg/A/memory.oom_control
echo > /cg/A/memory.oom_control
cat /cg/A/memory.oom_control
# cpu.shares clamps 0 to MIN_SHARES; cpuacct.usage accepts only 0, which resets it.
echo > /cpu/A/cpu.shares
cat /cpu/A/cpu.shares
echo > /cpu/A/cpuacct.usage
cat /cpu/A/cpuacct.usage
# Still refused: leftovers after the number, and the root's swappiness (2.6.35).
echo "1 2" > /cg/A/memory.swappiness
echo > /cg/memory.swappiness

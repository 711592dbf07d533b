# Red Hat Enterprise Linux 6 Resource Management Guide, chapter 4 ("Use Cases"), pasted on the
# default 2.6.35 preset: 4.1's blkio weights for two database guests (sleep stands in for the
# guests, named through sh -c), 4.3's per-group cpu.shares and memory limits from
# /etc/cgconfig.conf with cgred classifying by user group. /cgroup exists (libcgroup's RPM).
# 4.1 Prioritizing Database I/O
mkdir /cgroup/blkio
mount -t cgroup -o blkio blkio /cgroup/blkio
mkdir /cgroup/blkio/high_prio
mkdir /cgroup/blkio/low_prio
sh -c 'sleep 1000; : high-prio-guest' &
sh -c 'sleep 1000; : low-prio-guest' &
# pgrep -f matches /proc/PID/cmdline, the arguments each ended by a NUL.
tr '\0' ' ' < /proc/$!/cmdline; echo
for task in $(pgrep -f high-prio-guest); do echo $task > /cgroup/blkio/high_prio/tasks; done
for task in $(pgrep -f low-prio-guest); do echo $task > /cgroup/blkio/low_prio/tasks; done
echo 1000 > /cgroup/blkio/high_prio/blkio.weight
echo 100 > /cgroup/blkio/low_prio/blkio.weight
cat /cgroup/blkio/high_prio/tasks /cgroup/blkio/low_prio/tasks
cat /cgroup/blkio/high_prio/blkio.weight /cgroup/blkio/low_prio/blkio.weight
# blkio.weight is 100..1000 in 2.6.35 (blkiocg_weight_write: EINVAL outside).
echo 10 > /cgroup/blkio/low_prio/blkio.weight
cat /cgroup/blkio/low_prio/blkio.weight
killall sleep
wait
# Unmounted with child groups, the hierarchy lives on (cgroup_create took a reference on
# the superblock for each child): blkio keeps its hierarchy id, so lssubsys -a omits it below.
umount /cgroup/blkio
grep blkio /proc/cgroups
# 4.3 Per-group Division of CPU and Memory Resources
echo 'mount {
    cpu = /cgroup/cpu_and_mem;
    cpuacct = /cgroup/cpu_and_mem;
    memory = /cgroup/cpu_and_mem;
}

group finance {
        cpu {
                cpu.shares="250";
        }
        cpuacct {
                cpuacct.usage="0";
        }
        memory {
                memory.limit_in_bytes="2G";
                memory.memsw.limit_in_bytes="3G";
        }
}

group sales {
        cpu {
                cpu.shares="250";
        }
        cpuacct {
                cpuacct.usage="0";
        }
        memory {
                memory.limit_in_bytes="4G";
                memory.memsw.limit_in_bytes="6G";
        }
}

group engineering {
        cpu {
                cpu.shares="500";
        }
        cpuacct {
                cpuacct.usage="0";
        }
        memory {
                memory.limit_in_bytes="8G";
                memory.memsw.limit_in_bytes="16G";
        }
}' > /etc/cgconfig.conf
echo '@finance        cpu,cpuacct,memory      finance
@sales          cpu,cpuacct,memory      sales
@engineering    cpu,cpuacct,memory      engineering' > /etc/cgrules.conf
service cgconfig start
service cgred start
lssubsys -am
lscgroup
cgget -r cpu.shares -r memory.limit_in_bytes -r memory.memsw.limit_in_bytes finance sales engineering
service cgred stop
service cgconfig stop

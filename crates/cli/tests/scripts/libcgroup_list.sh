# libcgroup 0.41 lssubsys and lscgroup (src/tools/lssubsys.c, src/tools/lscgroup.c): the
# output formats, the order (/proc/cgroups order; cgroups in readdir order, newest first, as
# dcache_readdir returns them) and the error messages and statuses of the 0.41 source.
lssubsys
echo $?
lssubsys -a
lssubsys -am
lscgroup
echo $?
mkdir -p /cgroup/cpu /cgroup/memory
mount -t cgroup -o cpu,cpuacct cpu /cgroup/cpu
mount -t cgroup -o memory memory /cgroup/memory
lssubsys
lssubsys -a
lssubsys -am
lssubsys -m
lssubsys -i
lssubsys -ai
lssubsys -m memory
lssubsys cpuacct
lssubsys -m cpuset
# A second mount of the same hierarchy: -m shows the first mount point, -M all of them.
mkdir /mnt2
mount -t cgroup -o memory memory /mnt2
lssubsys -m memory
lssubsys -M memory
umount /mnt2
mkdir /cgroup/cpu/a /cgroup/cpu/b /cgroup/cpu/a/x /cgroup/memory/m
lscgroup
lscgroup cpu:/a
lscgroup -g cpuacct:a
lscgroup memory:/ cpu:/b
lscgroup cpu:/nonexistent
echo $?
lscgroup cpuset:/
echo $?
lscgroup cpu
echo $?
lssubsys -x
echo $?
lssubsys --mount
lssubsys -h
lscgroup -h

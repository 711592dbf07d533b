# The io controller on the default hierarchy of 6.6 (block/blk-cgroup.c, blk-throttle.c,
# blk-iocost.c, blk-iolatency.c, blk-ioprio.c, v6.6) and the machine's one disk, sda (8:0).
cat /proc/partitions
ls -l /dev/sda
cat /sys/block/sda/dev /sys/block/sda/queue/rotational
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
cat cgroup.controllers
# The root has io.stat (a line per blkg: the disk, with no I/O counted), io.prio.class,
# io.cost.qos and io.cost.model (empty until iocost is set up on the disk), io.pressure.
ls io.*
cat io.stat
cat io.prio.class
cat io.cost.qos io.cost.model
echo "+io +hugetlb +rdma +misc" > cgroup.subtree_control
cat cgroup.subtree_control
mkdir a
ls a | grep '^io\.'
# A new cgroup has no blkg yet: io.stat and io.max print nothing.
cat a/io.stat
cat a/io.max
# io.max: MAJ:MIN then KEY=VALUE; the line lists all four, unset ones as max.
echo "8:0 rbps=1048576 wiops=100" > a/io.max
cat a/io.max
echo "8:0 wbps=2097152 wiops=max" > a/io.max
cat a/io.max
cat a/io.stat
# Errors leave the limits as they were: no such disk or a partition (ENODEV), 0 (ERANGE), 1, an unknown key,
# a missing value, no white space after the device, a malformed device (EINVAL).
echo "8:16 rbps=2" > a/io.max
echo "8:1 rbps=2" > a/io.max
echo "8:0 rbps=0" > a/io.max
echo "8:0 rbps=1" > a/io.max
echo "8:0 rbps=4096 foo=1" > a/io.max
echo "8:0 rbps" > a/io.max
echo "8:0rbps=4096" > a/io.max
echo "sda rbps=4096" > a/io.max
cat a/io.max
# Every limit back to max: the line goes.
echo "8:0 rbps=max wbps=max riops=max wiops=max" > a/io.max
cat a/io.max
# io.weight: the default weight, then per-device weights (iocost must be set up on the disk
# first: EOPNOTSUPP before).
cat a/io.weight
echo 50 > a/io.weight
echo "default 250" > a/io.weight
cat a/io.weight
echo 0 > a/io.weight
echo 10001 > a/io.weight
echo "8:0 300" > a/io.weight
# io.cost.qos: iocost is created on the disk with its automatic (SSD) parameters.
echo "8:0 enable=1" > io.cost.qos
cat io.cost.qos
cat io.cost.model
echo "8:0 300" > a/io.weight
cat a/io.weight
echo "8:0 default" > a/io.weight
cat a/io.weight
cat io.stat a/io.stat
echo "8:0 rpct=95.5 rlat=5000 wpct=90 wlat=10000 min=50 max=150" > io.cost.qos
cat io.cost.qos
echo "8:0 min=200 max=150" > io.cost.qos
echo "8:0 rpct=101" > io.cost.qos
echo "8:0 bogus=1" > io.cost.qos
echo "8:0 ctrl=auto enable=0" > io.cost.qos
cat io.cost.qos
echo "8:0 ctrl=user rbps=1000000 rseqiops=100" > io.cost.model
cat io.cost.model
echo "8:0 model=quadratic" > io.cost.model
echo "8:0 ctrl=auto" > io.cost.model
cat io.cost.model
# io.latency: target in microseconds, max to clear.
cat a/io.latency
echo "8:0 target=75" > a/io.latency
cat a/io.latency
echo "8:0 depth=1" > a/io.latency
echo "8:0 target=max" > a/io.latency
cat a/io.latency
# io.prio.class: one of the policy names.
cat a/io.prio.class
echo restrict-to-be > a/io.prio.class
cat a/io.prio.class
echo best-effort > a/io.prio.class
cat a/io.prio.class
# A v1 blkio hierarchy takes the controller away from the default hierarchy.
echo "-io" > cgroup.subtree_control
mkdir -p /cg/blkio
mount -t cgroup -o blkio none /cg/blkio
cat cgroup.controllers
echo "+io" > cgroup.subtree_control
umount /cg/blkio
cat cgroup.controllers

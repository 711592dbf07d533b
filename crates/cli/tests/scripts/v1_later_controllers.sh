# The v1 side of 6.6's later controllers: blkio with the machine's disk, perf_event and
# net_prio (net/core/netprio_cgroup.c), hugetlb, and rdma with misc on one hierarchy.
cat /proc/cgroups
mkdir -p /cg/blkio /cg/perf /cg/netprio /cg/hugetlb /cg/rdma_misc
mount -t cgroup -o blkio none /cg/blkio
mount -t cgroup -o perf_event none /cg/perf
mount -t cgroup -o net_prio none /cg/netprio
mount -t cgroup -o hugetlb none /cg/hugetlb
mount -t cgroup -o rdma,misc none /cg/rdma_misc
grep -E 'blkio|perf|prio|hugetlb|rdma' /proc/mounts
# blkio: the throttling files share their limits with io.max; the top cgroup has sda's blkg.
ls /cg/blkio | grep blkio
cat /cg/blkio/blkio.throttle.io_service_bytes
mkdir /cg/blkio/a
cat /cg/blkio/a/blkio.throttle.io_serviced
echo "8:0 1048576" > /cg/blkio/a/blkio.throttle.read_bps_device
echo "8:0 4294967297" > /cg/blkio/a/blkio.throttle.write_iops_device
cat /cg/blkio/a/blkio.throttle.read_bps_device /cg/blkio/a/blkio.throttle.write_iops_device
cat /cg/blkio/a/blkio.throttle.io_serviced
echo "8:0 0" > /cg/blkio/a/blkio.throttle.read_bps_device
cat /cg/blkio/a/blkio.throttle.read_bps_device
echo "8:16 1" > /cg/blkio/a/blkio.throttle.read_bps_device
echo "8:0 x" > /cg/blkio/a/blkio.throttle.read_bps_device
cat /cg/blkio/a/blkio.prio.class
echo idle > /cg/blkio/a/blkio.prio.class
cat /cg/blkio/a/blkio.prio.class
# perf_event has no files of its own.
ls /cg/perf
mkdir /cg/perf/a
ls /cg/perf/a
# net_prio: prioidx is the css id; ifpriomap lists the interfaces (lo only) and is inherited.
cat /cg/netprio/net_prio.prioidx /cg/netprio/net_prio.ifpriomap
mkdir /cg/netprio/a /cg/netprio/b
cat /cg/netprio/a/net_prio.prioidx /cg/netprio/b/net_prio.prioidx
echo "lo 3" > /cg/netprio/a/net_prio.ifpriomap
cat /cg/netprio/a/net_prio.ifpriomap
mkdir /cg/netprio/a/c
cat /cg/netprio/a/c/net_prio.ifpriomap
echo "eth0 3" > /cg/netprio/a/net_prio.ifpriomap
echo "lo" > /cg/netprio/a/net_prio.ifpriomap
rmdir /cg/netprio/a/c /cg/netprio/a
mkdir /cg/netprio/d
cat /cg/netprio/d/net_prio.prioidx
# hugetlb v1: limits in bytes, -1 for none; the top cgroup's cannot be set.
ls /cg/hugetlb | grep 2MB
cat /cg/hugetlb/hugetlb.2MB.limit_in_bytes /cg/hugetlb/hugetlb.2MB.numa_stat
echo 4M > /cg/hugetlb/hugetlb.2MB.limit_in_bytes
mkdir /cg/hugetlb/a
echo 5M > /cg/hugetlb/a/hugetlb.2MB.limit_in_bytes
cat /cg/hugetlb/a/hugetlb.2MB.limit_in_bytes
echo max > /cg/hugetlb/a/hugetlb.2MB.limit_in_bytes
echo -1 > /cg/hugetlb/a/hugetlb.2MB.limit_in_bytes
cat /cg/hugetlb/a/hugetlb.2MB.limit_in_bytes
echo 1 > /cg/hugetlb/a/hugetlb.2MB.failcnt
cat /cg/hugetlb/a/hugetlb.2MB.failcnt /cg/hugetlb/a/hugetlb.2MB.max_usage_in_bytes
# rdma and misc on one hierarchy.
ls /cg/rdma_misc | grep -E 'rdma|misc'
cat /proc/cgroups
# Controllers bound to v1 are absent from the default hierarchy.
mount -t cgroup2 none /sys/fs/cgroup
cat /sys/fs/cgroup/cgroup.controllers

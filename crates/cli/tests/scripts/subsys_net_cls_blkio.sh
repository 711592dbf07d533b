# net_cls of 2.6.35 (net/sched/cls_cgroup.c): net_cls.classid, a u64 file stored as a u32 and
# inherited at mkdir; blkio of 2.6.35 (block/blk-cgroup.c): weight 100..1000 (1000 in the top
# cgroup, 500 in a new one), weight_device, the statistics with no block device, reset_stats,
# and its two-level limit.
mkdir -p /cgroup/net_cls /cgroup/blkio
mount -t cgroup -o net_cls net_cls /cgroup/net_cls
mount -t cgroup -o blkio blkio /cgroup/blkio
cat /cgroup/net_cls/net_cls.classid
echo 0x100001 > /cgroup/net_cls/net_cls.classid
mkdir /cgroup/net_cls/a
cat /cgroup/net_cls/a/net_cls.classid
echo 4294967296 > /cgroup/net_cls/a/net_cls.classid
cat /cgroup/net_cls/a/net_cls.classid
echo 4294967295 > /cgroup/net_cls/a/net_cls.classid
cat /cgroup/net_cls/a/net_cls.classid
echo -1 > /cgroup/net_cls/a/net_cls.classid
echo 10:1 > /cgroup/net_cls/a/net_cls.classid
cat /cgroup/net_cls/a/net_cls.classid
ls -l /cgroup/blkio | grep blkio
cat /cgroup/blkio/blkio.weight
mkdir /cgroup/blkio/a
cat /cgroup/blkio/a/blkio.weight
echo 100 > /cgroup/blkio/a/blkio.weight
echo 1000 > /cgroup/blkio/a/blkio.weight
cat /cgroup/blkio/a/blkio.weight
echo 99 > /cgroup/blkio/a/blkio.weight
echo 1001 > /cgroup/blkio/a/blkio.weight
echo heavy > /cgroup/blkio/a/blkio.weight
cat /cgroup/blkio/a/blkio.weight
for f in time sectors io_service_bytes io_serviced io_service_time io_wait_time io_merged io_queued weight_device; do echo "== $f"; cat /cgroup/blkio/a/blkio.$f; done
echo 1 > /cgroup/blkio/a/blkio.reset_stats; echo "status $?"
cat /cgroup/blkio/a/blkio.reset_stats
# weight_device: the device must be a whole disk, and this machine has none.
echo 8:0 300 > /cgroup/blkio/a/blkio.weight_device
echo 8:0 > /cgroup/blkio/a/blkio.weight_device
echo 8-0 300 > /cgroup/blkio/a/blkio.weight_device
echo 8:0 300 1 > /cgroup/blkio/a/blkio.weight_device
mkdir /cgroup/blkio/a/b

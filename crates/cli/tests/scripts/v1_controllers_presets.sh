# The v1 controllers after memory on each --kernel preset (tests/it/v1_controllers.rs): which
# ones /proc/cgroups lists (devices 2.6.26+, freezer 2.6.28+, net_cls 2.6.29+, blkio 2.6.33+),
# and each one's files in a top cgroup and in a child.
cat /proc/cgroups
for c in devices freezer net_cls blkio; do
  mkdir -p /cg/$c
  if mount -t cgroup -o $c $c /cg/$c; then
    mkdir /cg/$c/child
    echo "== $c top"; ls /cg/$c | grep "^$c\."
    echo "== $c child"; ls /cg/$c/child | grep "^$c\."
  fi
done
cat /cg/freezer/child/freezer.state
echo FROZEN > /cg/freezer/child/freezer.state
mkdir /cg/freezer/child/grandchild
cat /cg/freezer/child/grandchild/freezer.state
cat /cg/freezer/child/grandchild/freezer.parent_freezing
cat /cg/blkio/blkio.weight /cg/blkio/child/blkio.weight
echo 50 > /cg/blkio/child/blkio.weight
cat /cg/blkio/child/blkio.io_serviced
mkdir /cg/blkio/child/deeper
cat /cg/devices/child/devices.list
cat /proc/self/cgroup

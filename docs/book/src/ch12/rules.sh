# cgsim --kernel 6.6 run --echo docs/book/src/ch12/rules.sh
mkdir -p /sys/fs/cgroup /v1
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo +memory > cgroup.subtree_control
mkdir -p A/B
echo $$ > A/cgroup.procs
echo +memory > A/cgroup.subtree_control
echo $$ > cgroup.procs
echo +memory > A/cgroup.subtree_control
echo $$ > A/cgroup.procs
mount -t cgroup -o memory none /v1
echo -memory > A/cgroup.subtree_control
echo -memory > cgroup.subtree_control
mount -t cgroup -o memory none /v1
cat cgroup.controllers
cat /proc/self/cgroup
umount /v1
cat cgroup.controllers
cat A/cgroup.stat

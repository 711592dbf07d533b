# cgsim run --echo docs/book/src/ch02/ex1.sh
mkdir -p /cg
mount -t cgroup -o memory,cpu none /cg
mkdir /cg/A
umount /cg
cat /proc/cgroups
mount -t cgroup -o memory,cpu none /cg
ls -d /cg/A

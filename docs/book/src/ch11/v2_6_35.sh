# cgsim run --echo docs/book/src/ch11/v2_6_35.sh
uname -r
cat /proc/cgroups
mkdir -p /cg /mem
mount -t cgroup -o cpu none /cg
ls /cg
mkdir /cg/A
echo x > /cg/A/tasks
echo "$$ junk" > /cg/A/tasks
cat /cg/A/tasks
mount -t cgroup -o memory none /mem
ls /mem

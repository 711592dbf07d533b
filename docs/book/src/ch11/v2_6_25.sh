# cgsim --kernel 2.6.25 run --echo --renderer builtin --out docs/book/src/ch11/v2_6_25 docs/book/src/ch11/v2_6_25.sh
uname -r
cat /proc/cgroups
mkdir -p /cg /mem
mount -t cgroup -o cpu none /cg
ls /cg
dot hierarchy
mkdir /cg/A
echo x > /cg/A/tasks
echo "$$ junk" > /cg/A/tasks
cat /cg/A/tasks
mount -t cgroup -o memory none /mem
ls /mem

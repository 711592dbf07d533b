# cgsim --set core.proc_cgroups_hier_column=subsys_bits run --echo docs/book/src/ch11/ex1.sh
uname -r
mkdir -p /cg
mount -t cgroup -o cpu,memory none /cg
cat /proc/cgroups

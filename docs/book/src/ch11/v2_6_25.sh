# cgsim --set core.tasks_write_parse=sscanf_eio --set core.proc_cgroups_columns=v2_6_25 --set core.base_files=v2_6_25 run --echo --renderer builtin --out docs/book/src/ch11/v2_6_25 docs/book/src/ch11/v2_6_25.sh
cat /proc/cgroups
mkdir -p /cg
mount -t cgroup -o cpu none /cg
ls /cg
dot hierarchy
mkdir /cg/A
echo x > /cg/A/tasks
echo "$$ junk" > /cg/A/tasks
cat /cg/A/tasks

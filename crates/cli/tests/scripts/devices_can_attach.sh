# devcgroup_can_attach (security/device_cgroup.c, 2.6.35 and 3.10.4; gone by 3.19): a writer
# without CAP_SYS_ADMIN may move only itself into a devices cgroup (EPERM otherwise), even
# where the core's own check (same uid) lets it. tests/it/subsys_models.rs runs this on
# 2.6.35, 3.10 and 4.19.
mkdir /cg
mount -t cgroup -o devices none /cg
mkdir /cg/a
chmod 666 /cg/a/tasks
setpriv --reuid=1000 sh -c 'sleep 100 & echo $! > /cg/a/tasks; echo "other $?"; echo $$ > /cg/a/tasks; echo "self $?"; cat /cg/a/tasks | wc -l; kill $!'
sleep 100 &
echo $! > /cg/a/tasks; echo "root $?"
cat /cg/a/tasks | wc -l

# `kernel/cgroup.c` `attach_task_by_pid`, v2.6.34: writes to tasks (cgroup_attach_task) and every errno a user can hit.
mkdir /cg
mount -t cgroup -o cpu none /cg
mkdir /cg/A
echo $$ > /cg/A/tasks
cat /cg/A/tasks
cat /cg/tasks
cat /proc/$$/cgroup
# pid 0 means the writer itself: the shell is the writer of a builtin echo.
echo 0 > /cg/tasks
cat /cg/A/tasks
echo $$ > /cg/A/tasks
# A pid nobody has: ESRCH. Not a number, or two pids in one write: EINVAL.
echo 999999 > /cg/A/tasks
echo x > /cg/A/tasks
echo "1 2" > /cg/A/tasks
# Blanks around the number are stripped, and it is parsed with base 0 (0x1 is pid 1).
echo " 1 " > /cg/A/tasks
cat /cg/A/tasks
echo 0x1 > /cg/tasks
cat /cg/A/tasks
# A blank write attaches the writer: strstrip leaves "", which simple_strtoull reads as 0 with
# nothing left over, and pid 0 means the writing task (2.6.35 cgroup_write_X64 refuses only a
# zero-length write).
echo "" > /cg/A/tasks
cat /cg/A/tasks
echo $$
# Too long for the 64-byte buffer: E2BIG.
echo 00000000000000000000000000000000000000000000000000000000000000001 > /cg/A/tasks
# A user may not open root's tasks file for writing (mode 0644): EACCES at open.
# (The attach-time EACCES of `kernel/cgroup.c` `attach_task_by_pid`, v2.6.34 needs a tasks file a user can open: no chmod yet.)
setpriv --reuid=1000 sh -c 'echo $$ > /cg/A/tasks'
# A file without a write handler: cgroup.procs is read-only in 2.6.34.
echo $$ > /cg/A/cgroup.procs
# The tasks file lists a snapshot taken at open, sorted: cat sees itself in A.
cat /cg/A/tasks
echo $$ > /cg/tasks
cat /cg/A/tasks

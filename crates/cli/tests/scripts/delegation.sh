# `kernel/cgroup.c` `attach_task_by_pid`, `cgroup_file_mode`, v2.6.34: delegating a subtree with chown, and the permission checks of attach.
# A non-root writer may move a task only if its euid equals the task's uid or saved uid (EACCES
# otherwise), and only after it may open the tasks file for writing at all.
mkdir /cg
mount -t cgroup -o cpu none /cg
mkdir /cg/U
ls -l /cg/U
# Before delegation user 1000 cannot even open the root-owned tasks file.
setpriv --reuid=1000 sh -c 'echo $$ > /cg/U/tasks'
chown -R 1000 /cg/U
ls -l /cg/U
# Now it can move itself ...
setpriv --reuid=1000 sh -c 'echo $$ > /cg/U/tasks; cat /proc/self/cgroup'
# ... but not a task of another user: the shell (uid 0) is refused with EACCES at attach time.
setpriv --reuid=1000 sh -c "echo $$ > /cg/U/tasks"
# mkdir below the delegated directory works, and the new cgroup belongs to its creator.
setpriv --reuid=1000 mkdir /cg/U/child
ls -ld /cg/U/child
# Only the owner (or root) may chmod; nobody but root may give a file away.
setpriv --reuid=2000 chmod 666 /cg/U/tasks
setpriv --reuid=1000 chown 2000 /cg/U/tasks
chmod 600 /cg/U/notify_on_release
ls -l /cg/U/notify_on_release
chmod 9 /cg/U/tasks

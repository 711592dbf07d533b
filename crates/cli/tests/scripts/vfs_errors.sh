# Path errors a user meets around cgroup directories (the VFS side of `kernel/cgroup.c` `cgroup_create`, `cgroup_rmdir`, `cgroup_kill_sb`, v2.6.34).
mkdir /cg
mount -t cgroup -o cpu none /cg
# cgroupfs has no create operation: a redirection cannot make a new file there (EACCES).
echo hi > /cg/newfile
# A name longer than NAME_MAX (255): ENAMETOOLONG.
mkdir /cg/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
# A control file is not a directory; a directory is not a file.
ls /cg/tasks/x
echo $$ > /cg/tasks/x
cat /cg
# The working directory of the shell keeps the mount busy.
cd /cg
umount /cg
cd /
# A removed cgroup stays the working directory, but nothing can be found in it.
mkdir /cg/A
cd /cg/A
rmdir /cg/A
mkdir B
echo $$ > tasks
ls
cd /
umount /cg
ls /cg

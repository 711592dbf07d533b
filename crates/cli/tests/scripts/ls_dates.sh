# ls -l, stat -c and date -r show inode times on the simulated clock (boot is
# Sun Aug  1 00:00:00 UTC 2010), in coreutils 9.1's format.
mkdir /d
echo hello > /d/f
mkdir /d/sub
ls -l /d
ls -la /d
sleep 90
# A write sets the file's mtime and ctime; creating an entry sets the directory's.
echo more >> /d/f
: > /d/new
ls -l /d
ls -l --full-time /d/f
stat -c '%n %s %U:%G %a %A %h %F' /d/f /d/new /d /dev/null
stat -c '%y|%Y|%z|%x|%w|%W' /d/f
stat --printf='%n=%s\n' /d/f /d/new
date -r /d/f
date -r /d/nope; echo "status $?"
stat -c %s /d/nope; echo "status $?"
# Links: 2 plus the subdirectories; sizes right-aligned to the widest.
ls -ld /d /d/sub
ls -l /dev
ls -ld /tmp
# cgroupfs: every inode gets the creation time (cgroup_new_inode); a write to a control
# file does not change it; rmdir changes the parent's mtime (simple_rmdir), mkdir does not.
mount -t cgroup -o cpu none /sys/fs/cgroup
mkdir /sys/fs/cgroup/A /sys/fs/cgroup/B
sleep 3600
echo 512 > /sys/fs/cgroup/A/cpu.shares
mkdir /sys/fs/cgroup/C
ls -l /sys/fs/cgroup/A
ls -ld /sys/fs/cgroup
sleep 60
rmdir /sys/fs/cgroup/B
ls -la /sys/fs/cgroup | grep -v ' cgroup\.\| cpu\.\|tasks\|notify\|release'
# Half a year later the date shows the year instead of the time of day.
sleep 15800000
date
ls -l /d
ls -l /sys/fs/cgroup | grep ' [ABC]$'

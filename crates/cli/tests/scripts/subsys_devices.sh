# The devices controller of 2.6.35 (security/device_cgroup.c): the top cgroup's `a *:* rwm`,
# a child copying its parent's whitelist, devices.allow/deny parsing (EINVAL), merging of
# equal entries, an allow the parent does not cover (EPERM), deny clearing bits of an `a`
# entry, the CAP_SYS_ADMIN check, and devcgroup_inode_permission on opening /dev nodes.
mkdir /dev/cgroup
mount -t cgroup -o devices none /dev/cgroup
ls -l /dev/cgroup | grep devices
cat /dev/cgroup/devices.list
mkdir /dev/cgroup/a
cat /dev/cgroup/a/devices.list
# Deny one device: the `a` entry loses the denied bits, so the list empties.
echo 'c 1:3 w' > /dev/cgroup/a/devices.deny
cat /dev/cgroup/a/devices.list
echo 'c 1:3 rm' > /dev/cgroup/a/devices.deny
cat /dev/cgroup/a/devices.list
# Allow entries back (the parent has `a *:* rwm`), merging equal ones.
echo 'c 1:3 r' > /dev/cgroup/a/devices.allow
echo 'c 1:3 w' > /dev/cgroup/a/devices.allow
echo 'c 1:5 rwm' > /dev/cgroup/a/devices.allow
echo 'b *:* m' > /dev/cgroup/a/devices.allow
cat /dev/cgroup/a/devices.list
# A grandchild copies a's list and cannot get more than it.
mkdir /dev/cgroup/a/b
cat /dev/cgroup/a/b/devices.list
echo 'c 1:3 m' > /dev/cgroup/a/b/devices.allow
echo 'c 5:1 r' > /dev/cgroup/a/b/devices.allow
echo a > /dev/cgroup/a/b/devices.allow
echo 'c 1:5 r' > /dev/cgroup/a/b/devices.allow; echo "status $?"
# Parse errors: the type, the space, major:minor, the access letters.
echo 'x 1:3 r' > /dev/cgroup/a/devices.allow
echo 'c1:3 r' > /dev/cgroup/a/devices.allow
echo 'c 1-3 r' > /dev/cgroup/a/devices.allow
echo 'c 1:3' > /dev/cgroup/a/devices.allow
echo 'c 1:3 rx' > /dev/cgroup/a/devices.allow
echo 'c a:3 r' > /dev/cgroup/a/devices.allow
cat /dev/cgroup/a/devices.list
# Opening device nodes from a task in a: /dev/null can be read but not written.
echo 'c 1:3 w' > /dev/cgroup/a/devices.deny
cat /dev/cgroup/a/devices.list
sh -c 'echo $$ > /dev/cgroup/a/tasks; cat /dev/null; echo "read $?"; echo x > /dev/null; echo "write $?"; head -c 4 /dev/zero | wc -c'
# Only CAP_SYS_ADMIN may change the lists.
chmod 666 /dev/cgroup/a/devices.allow
setpriv --reuid=1000 sh -c "echo 'c 1:3 w' > /dev/cgroup/a/devices.allow"
# `a` in deny removes only `a` entries; the top cgroup's list can be changed too.
echo a > /dev/cgroup/devices.deny
cat /dev/cgroup/devices.list
echo x > /dev/null; echo "status $?"
echo a > /dev/cgroup/devices.allow
cat /dev/cgroup/devices.list
echo x > /dev/null; echo "status $?"
# An `a` entry grants everything whatever its letters (DEV_ALL is checked first).
mkdir /dev/cgroup/c
echo 'c 1:3 w' > /dev/cgroup/c/devices.deny
cat /dev/cgroup/c/devices.list
sh -c 'echo $$ > /dev/cgroup/c/tasks; echo x > /dev/null; echo "write $?"'

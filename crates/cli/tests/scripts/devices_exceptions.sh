# The 3.8+ devices controller (security/device_cgroup.c, 3.10.4 and 4.19; tests/it/
# subsys_models.rs runs this on 3.10, 4.19 and 6.6): a default behaviour plus exceptions.
mkdir /cg
mount -t cgroup -o devices none /cg
cat /cg/devices.list
mkdir /cg/a
cat /cg/a/devices.list
# A deny in an allow cgroup adds an exception; devices.list still shows `a *:* rwm`.
# 4.19 refuses the write to /dev/null; 3.10.4's check (may_access with the cgroup's own
# behaviour) passes any access in an allow cgroup.
echo 'c 1:3 w' > /cg/a/devices.deny
cat /cg/a/devices.list
sh -c 'echo $$ > /cg/a/tasks; echo x > /dev/null; echo "write $?"; cat /dev/null; echo "read $?"'
# `a` resets: behaviour deny, no exceptions; then allow exceptions are listed.
echo a > /cg/a/devices.deny
cat /cg/a/devices.list
echo 'c 1:3 rw' > /cg/a/devices.allow
cat /cg/a/devices.list
# A child copies behaviour and exceptions, and gets nothing its parent does not have.
mkdir /cg/a/b
cat /cg/a/b/devices.list
echo 'c 1:5 r' > /cg/a/b/devices.allow
echo 'c 1:3 m' > /cg/a/b/devices.allow
echo 'c 1:3 r' > /cg/a/b/devices.allow
# `a` with children is EINVAL; allow-all under a deny parent is EPERM.
echo a > /cg/a/devices.allow
echo a > /cg/a/b/devices.allow
# A new restriction propagates to the descendants.
echo 'c 1:3 w' > /cg/a/devices.deny
cat /cg/a/devices.list /cg/a/b/devices.list
# Allow/allow propagation; removing the inherited exception in the child: 3.10 lets it,
# 4.19 (parent_allows_removal) refuses.
mkdir -p /cg/x/y
echo 'c 1:3 w' > /cg/x/devices.deny
echo 'c 1:3 w' > /cg/x/y/devices.allow; echo "status $?"
sh -c 'echo $$ > /cg/x/y/tasks; echo x > /dev/null; echo "write $?"'
# A deny child under an allow parent: 3.10 refuses only an exception a parent exception
# covers entirely, 4.19 any that overlaps one (match_exception_partial).
mkdir -p /cg/z/z2
echo 'c 1:* w' > /cg/z/devices.deny
echo a > /cg/z/z2/devices.deny
echo 'c 1:3 rw' > /cg/z/z2/devices.allow; echo "status $?"
echo 'c 1:3 r' > /cg/z/z2/devices.allow; echo "status $?"
cat /cg/z/z2/devices.list
# Numbers are kstrtou32'd: above 4294967295 is EINVAL.
echo 'c 4294967296:0 r' > /cg/z/devices.deny
echo 'c 4294967295:0 r' > /cg/z/devices.deny; echo "status $?"
echo a > /cg/devices.deny

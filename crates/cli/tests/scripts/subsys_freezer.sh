# The freezer of 2.6.35 (kernel/cgroup_freezer.c): no freezer.state in the top cgroup,
# THAWED/FROZEN writes (FREEZING and anything else EINVAL), frozen tasks do not run and show
# state D (the refrigerator), can_attach's EBUSY for a frozen task or a FROZEN cgroup, a
# freezer that is not hierarchical, and a thawed task resuming where it stopped.
mkdir /freezer
mount -t cgroup -o freezer freezer /freezer
ls /freezer
mkdir /freezer/f /freezer/f/child /freezer/other
ls /freezer/f
cat /freezer/f/freezer.state
echo FREEZING > /freezer/f/freezer.state
echo frozen > /freezer/f/freezer.state
echo > /freezer/f/freezer.state
# An empty cgroup freezes at once.
echo FROZEN > /freezer/other/freezer.state
cat /freezer/other/freezer.state
echo THAWED > /freezer/other/freezer.state
# A `sleep 3` frozen for 5 seconds: its timer expires while it is in the refrigerator, and
# it only finishes once thawed.
sleep 3 &
t=$!
sleep 100 &
s=$!
echo $t > /freezer/f/tasks
echo $s > /freezer/f/child/tasks
echo FROZEN > /freezer/f/freezer.state
cat /freezer/f/freezer.state /freezer/f/child/freezer.state
ps -o pid,stat,comm
grep State /proc/$t/status
sleep 5
ps -o pid,stat,comm
# Nothing moves out of or into a frozen cgroup.
echo $t > /freezer/tasks
echo $$ > /freezer/f/tasks
echo $s > /freezer/f/tasks
cgclassify -g freezer:/ $t; echo "status $?"
echo THAWED > /freezer/f/freezer.state
cat /freezer/f/freezer.state
wait $t; echo "sleep 3: status $?"
ps -o pid,stat,comm
# Starting a command in a FROZEN cgroup: cgexec moves itself there first, which
# freezer_can_attach refuses.
echo FROZEN > /freezer/f/freezer.state
cgexec -g freezer:/f sleep 1; echo "status $?"
echo THAWED > /freezer/f/freezer.state
cgexec -g freezer:/f sh -c 'cat /proc/self/cgroup'
kill $s
wait $s; echo "status $?"
cat /freezer/f/tasks

# A common blog tutorial of the v1 memory controller with libcgroup, typed as a user with
# sudo (sudo 1.9.13 run by root: no password, the command runs as root or `-u USER`):
# cgcreate, cgset memory.limit_in_bytes, cgexec stress, then memory.oom_control.
sudo mkdir -p /sys/fs/cgroup/memory
sudo mount -t cgroup -o memory memory /sys/fs/cgroup/memory
sudo cgcreate -g memory:/myGroup
sudo cgset -r memory.limit_in_bytes=$((50*1024*1024)) myGroup
sudo cgset -r memory.memsw.limit_in_bytes=$((50*1024*1024)) myGroup
cgget -r memory.limit_in_bytes -r memory.memsw.limit_in_bytes myGroup
sudo cgexec -g memory:myGroup stress --vm 1 --vm-bytes 40M --timeout 2s
sudo cgexec -g memory:myGroup stress --vm 1 --vm-bytes 60M --timeout 2s
echo "status $?"
cat /sys/fs/cgroup/memory/myGroup/memory.failcnt
dmesg | grep -E 'Task in|Killed process'
echo 1 | sudo tee /sys/fs/cgroup/memory/myGroup/memory.oom_control
sudo cgexec -g memory:myGroup memhold 60M &
sleep 1
ps -o pid,stat,comm,cgroup
cat /sys/fs/cgroup/memory/myGroup/memory.oom_control
sudo kill $!
wait $!; echo "status $?"
cat /sys/fs/cgroup/memory/myGroup/memory.oom_control
sudo -u nobody id
sudo -u '#65534' cat /proc/self/status | grep -E '^(Uid|Gid)'
sudo; echo "status $?"
sudo -x; echo "status $?"
sudo nosuchcmd; echo "status $?"
sudo -u nosuch true; echo "status $?"

# Blog tutorials of cgroup v1 memory limits, pasted verbatim: a v1 memory group by hand with
# a helper script (`chmod +x`, `#!/bin/bash`) and a background process moved by pid, and
# libcgroup with stress. cgroup.procs is read-only before 3.0, so writing
# it fails with EINVAL on 2.6.35; tasks works.
mount -t cgroup -o memory memory /sys/fs/cgroup/memory 2>/dev/null || { mkdir -p /sys/fs/cgroup/memory && mount -t cgroup -o memory memory /sys/fs/cgroup/memory; }
mkdir -p /sys/fs/cgroup/memory/foo
echo 50000000 > /sys/fs/cgroup/memory/foo/memory.limit_in_bytes
cat /sys/fs/cgroup/memory/foo/memory.limit_in_bytes
printf '#!/bin/bash\necho "cgroup testing tool"\n' > test.sh
chmod +x test.sh
ls -l test.sh
./test.sh
sleep 1000 &
echo $! > /sys/fs/cgroup/memory/foo/cgroup.procs
echo $! > /sys/fs/cgroup/memory/foo/tasks
cat /sys/fs/cgroup/memory/foo/tasks
kill $!
sudo cgcreate -g memory:/limitgrp
sudo cgset -r memory.limit_in_bytes=104857600 limitgrp
sudo cgset -r memory.memsw.limit_in_bytes=104857600 limitgrp
sudo cgexec -g memory:limitgrp /usr/bin/stress --vm 1 --vm-bytes 120M --vm-keep --timeout 5
cat /sys/fs/cgroup/memory/limitgrp/memory.limit_in_bytes
# chmod's symbolic modes, as coreutils reads them.
chmod u=rwx,go= test.sh; ls -l test.sh
chmod g+rX,o+r test.sh; ls -l test.sh
chmod a-x test.sh; ls -l test.sh
chmod +q test.sh; echo "status $?"
chmod 755; echo "status $?"
# A #!/bin/bash script with bash-only syntax is refused, not run with sh's meaning.
printf '#!/bin/bash\nif [[ -n "$1" ]]; then echo "got $1"; fi\n' > check.sh
chmod +x check.sh
./check.sh x; echo "status $?"

# numactl 2.0.16's memhog: map SIZE, write it in 10 MiB steps (a dot before each), exit.
# Its pages are charged to the caller's memory cgroup; the memcg OOM killer ends it when
# nothing can be reclaimed (the dots printed so far stay on the line).
memhog 25M; echo "status $?"
memhog -r3 12m; echo "status $?"
memhog -r0 1G; echo "status $?"
memhog 4096; echo "status $?"
memhog 0x1400000 local; echo "status $?"
memhog 10M membind 0; echo "status $?"
# Errors as numactl reports them: usage on standard output with status 1, mmap's errno,
# libnuma's warning for a node this one-node machine does not have.
memhog; echo "status $?"
memhog -x 1M; echo "status $?"
memhog --help; echo "status $?"
memhog 0; echo "status $?"
memhog lots; echo "status $?"
memhog 10M membind; echo "status $?"
memhog 10M membind 3; echo "status $?"
memhog 10M interleave 0-2; echo "status $?"
memhog 10M preferred x; echo "status $?"
memhog 10M bogus; echo "status $?"
memhog -f/nonexistent 1M; echo "status $?"
memhog -f/dev/zero 1M; echo "status $?"
# In a memory cgroup of 40 MiB (memory+swap too), 25M fits, 100M does not.
mkdir /cg
mount -t cgroup -o memory none /cg
mkdir /cg/hog
echo 40M > /cg/hog/memory.limit_in_bytes
echo 40M > /cg/hog/memory.memsw.limit_in_bytes
echo $$ > /cg/hog/tasks
memhog 25M; echo "status $?"
cat /cg/hog/memory.max_usage_in_bytes /cg/hog/memory.usage_in_bytes
memhog 100M
echo "status $?"
cat /cg/hog/memory.failcnt
dmesg | grep -i memhog

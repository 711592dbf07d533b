# Fault injection through debugfs (lib/fault-inject.c, mm/failslab.c, mm/page_alloc.c, v2.6.35).
mount -t debugfs none /sys/kernel/debug
grep debugfs /proc/mounts
ls /sys/kernel/debug /sys/kernel/debug/failslab /sys/kernel/debug/fail_page_alloc
cd /sys/kernel/debug/failslab
for f in *; do printf '%s=' $f; cat $f; done
cat ../fail_page_alloc/min-order ../fail_page_alloc/ignore-gfp-highmem
ls -l probability
mkdir /cg && mount -t cgroup -o memory none /cg
# GFP_KERNEL allocations are spared while ignore-gfp-wait is Y.
echo 100 > probability
mkdir /cg/A && echo made A
echo N > ignore-gfp-wait
echo Y > task-filter
echo -1 > times
cat /proc/self/make-it-fail
sh -c 'echo 1 > /proc/self/make-it-fail; exec mkdir /cg/B'
echo "mkdir B: $?"
dmesg | tail -10
echo 1 > verbose
sh -c 'echo 1 > /proc/self/make-it-fail; exec sh -c "echo \$\$ > /cg/A/tasks"'
echo "attach: $?"
cat /cg/A/tasks
dmesg | tail -1
echo 0 > probability
sh -c 'echo 1 > /proc/self/make-it-fail; exec mkdir /cg/B' && echo made B
# Number parsing: simple_strtol, base 0; booleans by their first byte.
echo 0x10 > interval; cat interval
echo 010 > space; cat space
echo maybe > task-filter; cat task-filter
echo 1x > /proc/self/make-it-fail

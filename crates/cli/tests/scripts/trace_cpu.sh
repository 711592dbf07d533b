# ftrace's CPU column ( 1)) is the CPU the task runs on: a shell started by taskset on CPU 1
# moves itself into a memory cgroup; its write, the core's attach and memcg's callbacks are on
# CPU 1, the fork of taskset by the login shell on CPU 0.
mkdir /cg
mount -t cgroup -o memory none /cg
mkdir /cg/A
echo 1 > /cg/A/memory.move_charge_at_immigrate
trace on
taskset -c 1 sh -c 'echo $$ > /cg/A/tasks'
trace off

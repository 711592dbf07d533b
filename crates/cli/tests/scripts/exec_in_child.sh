# `exec` in a child's shell code replaces that process by the program (dash's shellexec
# never returns), as tutorials do with `sh -c 'echo $$ > tasks; exec PROG' &`.
mkdir /cg
mount -t cgroup -o memory none /cg
mkdir /cg/A
sh -c 'echo $$ > /cg/A/tasks; exec memhold 1M' &
p=$!
(exec sleep 1000) &
q=$!
sleep 1
ps -o pid,ppid,stat,comm -p $p,$q
cat /cg/A/tasks
cat /cg/A/memory.usage_in_bytes
kill $p $q
wait $p; echo "memhold: $?"
wait $q; echo "sleep: $?"
sh -c 'exec sh -c "exit 3"'; echo "nested exec: $?"
sh -c 'exec cat /proc/self/cgroup'

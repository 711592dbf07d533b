# The function-graph trace of an attach: the builtin echo runs in the shell, so no fork shows.
mkdir /cg
mount -t cgroup -o cpu none /cg
mkdir /cg/A
trace on
echo $$ > /cg/A/tasks
trace off
cat /cg/A/tasks

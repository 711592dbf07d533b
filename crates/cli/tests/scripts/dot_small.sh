# The DOT text of a small state: one hierarchy, one child cgroup, the shell attached to it.
mkdir /cg
mount -t cgroup -o cpu none /cg
mkdir /cg/A
echo $$ > /cg/A/tasks
dot

mount -t cgroup -o memory,,cpu none /tmp
mkdir /tmp/x
echo $$ > /tmp/x/tasks
rmdir /tmp/x

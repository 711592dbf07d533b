# bash (GNU bash 5.2.15's invocation over cgsim's POSIX shell), su (util-linux 2.38.1),
# nohup (coreutils 9.1) and egrep/fgrep (grep 3.8's wrappers) as tutorials use them.
mkdir -p /sys/fs/cgroup/memory
mount -t cgroup -o memory memory /sys/fs/cgroup/memory
mkdir /sys/fs/cgroup/memory/grp
sudo bash -c "echo $$ > /sys/fs/cgroup/memory/grp/tasks"
grep memory /proc/$$/cgroup
sudo sh -c "echo $$ > /sys/fs/cgroup/memory/tasks"
bash -c 'echo $$ > /sys/fs/cgroup/memory/grp/tasks; cat /proc/self/cgroup | grep memory'
bash -c 'echo "\$0=$0 \$1=$1"; exit 3' name one; echo "status $?"
printf 'echo "script $0 got $1"\nnosuchcmd\n' > /tmp/job.sh
bash /tmp/job.sh arg; echo "status $?"
bash -e -c 'false; echo not reached'; echo "status $?"
bash -y; echo "status $?"
bash --nosuch 2>&1 | head -3
bash -c; echo "status $?"
bash /tmp/missing.sh; echo "status $?"
bash -o pipefail -c true; echo "status $?"
bash --version
# bash-only syntax is refused, never run with dash's meaning.
bash -c 'if [[ -d /sys ]]; then echo yes; else echo no; fi'; echo "status $?"
bash -c 'for i in {1..3}; do echo $i; done'; echo "status $?"
bash -c 'echo a &> /dev/null'; echo "status $?"
bash -c 'cat <<< hi'; echo "status $?"
bash -c 'pids=(1 2)'; echo "status $?"
bash -c 'function f { echo f; }'; echo "status $?"
bash -c '((i = 1 + 2))'; echo "status $?"
bash -c "echo \$'a\tb'"; echo "status $?"
printf 'echo one\n# [[ in a comment\ncat <<EOT\n[[ {1..2} inside a here-document\nEOT\nif [[ 1 ]]; then :; fi\n' > /tmp/b.sh
bash /tmp/b.sh; echo "status $?"
bash -c 'echo "[[ {1..2} quoted" '"'"'&> $(( 1 + 2 ))'"'"' $((1+2)) ${HOME:-x}'
# su: root needs no password; the user's shell from /etc/passwd runs COMMAND.
useradd -m alice
su - alice -c 'id; pwd; echo $HOME $USER $LOGNAME $SHELL; echo $PATH'
su alice -c 'echo $HOME $USER; pwd'
su -c 'id -u; echo $HOME'
su alice -c "echo \$\$ > /sys/fs/cgroup/memory/grp/tasks"; echo "status $?"
chown alice /sys/fs/cgroup/memory/grp/tasks
su alice -c "echo \$\$ > /sys/fs/cgroup/memory/grp/tasks"; echo "status $?"
su -s /bin/bash alice -c 'echo via $0'
su - nobody -c true; echo "status $?"
su nosuch -c true; echo "status $?"
su -x; echo "status $?"
su -c; echo "status $?"
su -s /bin/zsh -c true; echo "status $?"
su -V
# nohup: not on a terminal here, so the output stays where it is; SIGHUP is ignored.
nohup sleep 100 &
kill -HUP $!
sleep 1
ps -o pid,stat,comm -p $!
kill $!
wait $!; echo "status $?"
sleep 100 &
kill -HUP $!
wait $!; echo "status $?"
nohup echo hi
nohup; echo "status $?"
nohup -x; echo "status $?"
nohup --nosuch; echo "status $?"
nohup nosuchcmd; echo "status $?"
nohup --version | head -1
# egrep and fgrep warn, then run grep -E / grep -F.
printf 'memory\ncpu\na|b\n' > /tmp/w
egrep 'mem|cpu' /tmp/w; echo "status $?"
fgrep 'a|b' /tmp/w
/bin/egrep -c x /tmp/w; echo "status $?"
egrep --nosuch x 2>&1 | head -2

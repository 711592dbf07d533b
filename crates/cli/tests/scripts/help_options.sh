# `help CMD`, `CMD --help` and option errors as the real tools print them (GNU coreutils 9.1,
# GNU grep 3.8, util-linux 2.38.1, procps-ng 4.0.2, dash 0.5.12), with their exit statuses.
help mkdir
help cd
help nosuch; echo "help: $?"
mkdir --help; echo "status $?"
ls /tmp --help | head -n 1
ls --version
mount -V
/bin/ls -y
/bin/mount -y
mount -h | head -n 3
free --help | tail -n 1
# glibc getopt's messages and each tool's usage-error status.
ls -y; echo "ls: $?"
ls --bogus; echo "ls: $?"
cat -x; echo "cat: $?"
mkdir --bogus; echo "mkdir: $?"
mkdir -m; echo "mkdir: $?"
mkdir --par=x; echo "mkdir: $?"
ls --h; echo "ls: $?"
grep -Y x; echo "grep: $?"
swapoff -y; echo "swapoff: $?"
mount --bogus; echo "mount: $?"
free -y; echo "free: $?"
# Options the real tool has that cgsim does not simulate are refused by name.
ls -Z; echo "ls: $?"
tail -f /proc/meminfo; echo "tail: $?"
# Long options and abbreviations reach the command as their short forms.
mkdir --par --mode=700 /tmp/a/b && ls -l -d /tmp/a/b
ls --all --dir /tmp/a
head --lin=2 /proc/meminfo
# After `--`, --help is an operand; a wrapper's program gets its own options.
cat -- --help; echo "cat: $?"
setpriv --reuid=1000 cat -x; echo "setpriv: $?"
# dash's builtins have no --help; sh (dash) rejects it as an option letter.
echo --help
sh --help; echo "sh: $?"
sh -y; echo "sh: $?"
sh -c 'echo in sh -c'

# Pipelines whose first stage is a simulated program run concurrently with the stages after
# it, as in dash: `yes` fills the 64 KiB pipe and sleeps until its reader makes room, and the
# SIGPIPE of a write after the reader has gone ends it. The lines without `date` print what
# dash 0.5.12 with coreutils 9.1 prints.
yes | head -n 3
echo "status $?"
yes cgroup v1 | head -n 2
yes | head -c 5; echo
yes line | head -n 3 | while read l; do echo "got $l"; done
(yes | head -n 1); echo "subshell $?"
yes | { sleep 1; head -c 65536 | wc -c; }
yes -x; echo "status $?"
yes --nope; echo "status $?"
yes --help | head -n 1
# The reader does not wait for the writer to end: date runs at once, then the shell waits
# for sleep.
sleep 3 | date +%s
date +%s

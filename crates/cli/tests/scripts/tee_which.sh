# coreutils 9.1 tee and debianutils which, with the simulated commands' files in /bin,
# /usr/bin, /sbin and /usr/local/bin.
echo 100M | tee /tmp/limit
cat /tmp/limit
# Several files; -a appends; a file that cannot be opened is reported, the others written.
echo first | tee /tmp/a /tmp/b > /dev/null
echo second | tee -a /tmp/a /nonexist/c /tmp/b; echo "status $?"
cat /tmp/a /tmp/b
# Options may follow the files (getopt permutes); -- ends them; "-" is a file name.
echo third | tee /tmp/a -a -i -p > /dev/null
cat /tmp/a
echo dash | tee -- -a > /dev/null
cat ./-a
# The usual tutorial use: write a control file as root from a pipeline.
mkdir /cg
mount -t cgroup -o memory none /cg
mkdir /cg/g
echo 4M | tee /cg/g/memory.limit_in_bytes
cat /cg/g/memory.limit_in_bytes
echo $$ | tee -a /cg/g/tasks > /dev/null
cat /cg/g/tasks
# A write the kernel refuses: diagnosed, status 1.
echo bogus | tee /cg/g/memory.limit_in_bytes; echo "status $?"
tee -x; echo "status $?"
tee --output-error=bogus < /dev/null; echo "status $?"
tee --output-error=ex < /dev/null; echo "status $?"
tee --bogus; echo "status $?"
tee --append=1; echo "status $?"
# which: the first match on PATH, -a every match, 1 if any name is missing.
echo "$PATH"
which cat tee swapon memhold stress
echo "status $?"
which cd nosuchcommand; echo "status $?"
which; echo "status $?"
which -a -- sh; echo "status $?"
which /bin/cat /bin/nothing ./tmp; echo "status $?"
which -s cat; echo "status $?"
PATH=/usr/bin:
which ls tee; echo "status $?"
ls -l /bin/cat /usr/bin/tee
/bin/echo run by its path
ls /sbin /usr/local/bin

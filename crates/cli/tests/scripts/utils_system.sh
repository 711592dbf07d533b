# Processes and the machine: date on the simulated clock (boot is Sun Aug  1 00:00:00 UTC
# 2010), timeout, env, pgrep, killall, nproc, getconf, mktemp and bc, with their messages.
date
date +%s
date -u '+%F %T %Z'
sleep 65
date '+%H:%M:%S %j %a %A %b %B %e %y'
date -d @0
date -d '2010-08-01 12:30' +%s
date -d @1280620800 -R
date -I
date -d xyz
date -x
echo $?
nproc
nproc --ignore=1
nproc x
getconf PAGESIZE
getconf PAGE_SIZE
getconf _NPROCESSORS_ONLN
getconf CLK_TCK
getconf FOO
echo $?
env -i A=1 B=2
env -i A=1 sh -c 'echo A is $A'
X=outer
env X=inner sh -c 'echo X is $X'
echo X is $X
env -u X -i
env nosuch
echo $?
env -u
echo $?
timeout 5 sleep 100
echo $?
date +%s
timeout 5 sleep 1
echo $?
timeout -v 2 sleep 10
echo $?
timeout --preserve-status 2 sleep 10
echo $?
timeout -s KILL 1 sleep 10
echo $?
timeout 3 sh -c 'exit 7'
echo $?
timeout x sleep 1
echo $?
timeout 1 nosuch
echo $?
timeout
echo $?
sleep 1000 &
sleep 2000 &
memhold 1M &
pgrep sleep
pgrep -l sle
pgrep -c sleep
pgrep -x sle
echo $?
# -f matches the command line, -a prints it, -l still the name.
pgrep -f 'sleep 2000'
pgrep -a sleep
pgrep -fl ' 1000$'
pgrep -u root -l memhold
pgrep
echo $?
pgrep -u nosuchuser sleep
echo $?
killall -USR1 nosuch
echo $?
killall -q nosuch
echo $?
killall -FOO sleep
killall sleep
killall -9 memhold
wait
pgrep sleep
echo $?
mktemp
mktemp -d
mktemp /tmp/job.XXXXXX
mktemp -p /tmp --suffix=.sh
mktemp foo
mktemp -p /nonexist
find /tmp -name 'tmp.*' | sort
/bin/true
echo $?
/usr/bin/false
echo $?
env false
echo $?
timeout 1 true && echo true-ran
echo x | xargs true && echo xargs-true
find /tmp -maxdepth 0 -exec true \; -print
echo 'scale=2; 10/3' | bc
echo '2^64; 17 % 5; 3 > 2; 2 == 3; -7 / 2' | bc
echo 'x = 1024 * 1024; x * 3; scale = 3; x / 1000000' | bc
echo '1/0' | bc
echo '1 +' | bc
echo 'sqrt(2)' | bc -l
bc -x

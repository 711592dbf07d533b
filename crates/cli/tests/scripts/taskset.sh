# taskset (util-linux 2.38.1) on the simulated CPUs (--cpus, default 2): show, set, errors.
sleep 1000 &
taskset -p $!
taskset -cp $!
taskset -p 2 $!
taskset -cp $!
taskset -cp 0-1 $!
taskset -p 4 $!
echo status $?
taskset -p zz $!
taskset -c 5-x true
echo status $?
taskset
echo status $?
taskset -x
echo status $?
taskset -p 999
echo status $?
taskset 2 sh -c 'taskset -cp $$'
taskset -V

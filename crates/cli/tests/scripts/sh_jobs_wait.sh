# wait with job specs as dash: %N, %%, %-, a job waited twice, and the errors (No such job,
# No previous job, Illegal number), which are status 2 and do not end the script. Every line
# is dash 0.5.12's (with its `cgsim:` name).
wait %5; echo "none $?"
sleep 1 & sleep 2 &
wait %%; echo "current $?"
wait %-; echo "previous $?"
wait %1; echo "again $?"
jobs
wait %-; echo "gone $?"
wait abc; echo "illegal $?"
sh -c 'exit 3' & wait %%; echo "status $?"
# kill %N without job control: dash signals the job's process group, which a script never
# made (No such process, then dash's empty line); kill's errors do not end the script either.
sleep 5 &
kill %%; echo "kill job $?"
kill %9; echo "kill none $?"
kill abc; echo "kill illegal $?"

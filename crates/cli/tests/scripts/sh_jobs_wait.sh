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

# dash's `dowait` reports a job killed by a signal when `wait PID` itself reaps it (standard
# error, `sprint_status` with `sigonly`: not for SIGINT or SIGPIPE), but not a job an earlier
# wait already collected, nor any job a plain `wait` collects. Checked against dash 0.5.12.
sleep 5 & kill -9 $!; wait $!; echo $?
sleep 5 & p=$!; kill -USR1 $p; wait $p; echo $?
sleep 1 & kill $!; sleep 2; wait $!; echo $?
sleep 5 & kill -INT $!; wait $!; echo $?
sleep 5 & kill $!; wait; echo $?

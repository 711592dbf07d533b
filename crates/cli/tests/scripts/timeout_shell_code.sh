# timeout whose command is shell code run in place (coreutils src/timeout.c with dash 0.5.12):
# every simple command moves the simulated clock by its CPU time, so the deadline interrupts a
# busy loop; the child dies of the signal or runs its trap between two commands. Checked
# against dash 0.5.12 and coreutils 9.1 (LC_ALL=C): same output and statuses.
date +%s.%N
timeout 0.1 sh -c 'while :; do :; done'; echo $?
date +%s.%N
timeout 0.1 sh -c 'trap "echo term; exit 3" TERM; while :; do :; done'; echo $?
timeout --preserve-status 0.1 sh -c 'trap "echo term; exit 3" TERM; while :; do :; done'; echo $?
timeout -v -k 0.1 0.1 sh -c 'trap "echo term" TERM; while :; do :; done'; echo $?
timeout -s INT 0.1 sh -c 'while :; do :; done'; echo $?
timeout --preserve-status 0.1 sh -c 'while :; do :; done'; echo $?
timeout 0.1 sh -c 'sh -c "while :; do :; done"; echo inner $?'; echo $?
timeout 5 sh -c 'i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; echo done $i'; echo $?
echo | { timeout 0.1 sh -c 'while :; do :; done'; echo stage $?; } | cat
timeout 0.1 sh -c 'while :; do :; done' | cat; echo $?
timeout 0.2 sleep 1; echo $?

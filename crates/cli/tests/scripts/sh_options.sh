# set -x/-e/-u/-f, traps (EXIT, signals from the shell itself and from other processes), break N,
# ${x?}. (Output compared with dash 0.5.12.)
set -x
echo traced "a b" 'c'
x=1 y="2 3"
set +x
(set -e; false; echo not reached); echo "subshell status $?"
(set -e; false || true; echo reached1)
(set -e; if false; then :; fi; echo reached2)
(set -e; ! true; echo reached3)
(set -e; f() { false; echo in-f; }; f || echo f-failed)
(set -e; while false; do :; done; echo reached4)
(set -u; echo ${nope-default}; echo $nope; echo not reached); echo "u status $?"
set -f; echo /t*; set +f
(trap 'echo exit trap $?' EXIT; echo body; exit 3); echo "status $?"
trap "echo caught USR1" USR1; kill -USR1 $$; echo after kill; trap - USR1
# Signals are delivered by the simulated kernel: a trap catches them from any sender.
trap 'echo got USR1' USR1
sh -c 'kill -USR1 $PPID'; echo after
trap '' TERM; kill $$; echo survived TERM
trap - TERM USR1
(trap 'echo sub got HUP; exit 9' HUP; kill -HUP $(sh -c 'echo $PPID'); echo not here); echo "sub status $?"
trap 'echo main exit' EXIT
f() { return 5; }; f; echo "ret $?"
for i in 1 2 3; do for j in a b; do [ $j = b ] && break 2; echo $i$j; done; done
i=0; while :; do i=$((i+1)); [ $i -gt 3 ] && break; [ $i = 2 ] && continue; echo w$i; done
case "$i" in [0-9]) echo digit;; *) echo other;; esac
echo ${nope?is required}
echo not reached

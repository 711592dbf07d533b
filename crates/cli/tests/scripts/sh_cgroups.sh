# The shell language on cgroups, as tutorials and test suites write it: loops over tasks files,
# functions with local and return, case on control-file values, here-documents into control
# files, traps for cleanup.
mkdir -p /cg && mount -t cgroup -o memory none /cg
for d in A B; do mkdir /cg/$d || exit 1; done
pids=
for t in 100 200 300; do sleep $t & pids="$pids $!"; done
for p in $pids; do echo $p > /cg/A/tasks; done
cat /cg/A/tasks
jobs_in() {
    local n=0
    while read pid; do n=$((n + 1)); done < /cg/$1/tasks
    echo "$1 has $n task(s)"
    return $((n == 0))
}
jobs_in A
# Move every task of A to B, as the tutorial's loop does.
for p in $(cat /cg/A/tasks); do echo $p > /cg/B/tasks; done
jobs_in A || echo "A is empty"
jobs_in B
case "$(cat /cg/B/memory.use_hierarchy)" in
0) echo "hierarchy off" ;;
1) echo "hierarchy on" ;;
*) echo "unexpected" ;;
esac
cat > /cg/B/memory.limit_in_bytes <<EOF
$((4 * 1024 * 1024))
EOF
echo "limit $(cat /cg/B/memory.limit_in_bytes)"
cleanup() {
    for p in $(cat /cg/B/tasks); do kill $p; done
    wait
    rmdir /cg/A /cg/B && echo "cleaned up"
}
trap cleanup EXIT
i=0
until [ $i -ge 3 ]; do i=$((i + 1)); printf 'round %d of %d\n' $i 3; done

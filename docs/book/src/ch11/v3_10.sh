# cgsim --kernel 3.10 run --echo docs/book/src/ch11/v3_10.sh
uname -r
mkdir -p /cg /mem
mount -t cgroup -o cpu none /cg
ls /cg
mount -t cgroup -o memory none /mem
ls /mem
